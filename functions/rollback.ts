import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { rollbackStep, type RollbackInput } from '../lib/workflow/steps.js';

export const handler = stepHandler('rollback', (doc: RollbackInput) => rollbackStep(doc, clientsFor(doc.request?.region ?? process.env.AWS_REGION ?? 'us-east-1').ec2));
