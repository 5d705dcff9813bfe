import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { getHealthCheckStep } from '../lib/workflow/steps.js';
import type { LaunchedDocument, VerifyState } from '../lib/workflow/document.js';

export const handler = stepHandler('getGpuReport', (doc: LaunchedDocument & { verify: VerifyState }) =>
  getHealthCheckStep(doc, clientsFor(doc.request.region).ssm),
);
