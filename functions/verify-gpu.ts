import { ssmClient } from '../lib/aws/ssm.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { sendHealthCheckStep } from '../lib/steps/send-health-check.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('verifyGpu', (doc: LaunchedDocument) => sendHealthCheckStep(doc, ssmClient(doc.request.region)));
