import { ec2Client } from '../lib/aws/ec2.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { rollbackStep, type RollbackInput } from '../lib/steps/rollback.js';

export const handler = stepHandler('rollback', (doc: RollbackInput) => rollbackStep(doc, ec2Client(doc.request.region)));
