import { ssmClient } from '../lib/aws/ssm.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { getHealthCheckStep } from '../lib/steps/verify-gpu.js';
import type { LaunchedDocument, VerifyState } from '../lib/workflow/document.js';

export const handler = stepHandler('getGpuReport', (doc: LaunchedDocument & { verify: VerifyState }) =>
  getHealthCheckStep(doc, ssmClient(doc.request.region)),
);
