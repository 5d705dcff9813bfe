import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { sendHealthCheckStep } from '../lib/workflow/steps.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('verifyGpu', (doc: LaunchedDocument) => sendHealthCheckStep(doc, clientsFor(doc.request.region).ssm));
