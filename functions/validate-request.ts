import { ec2Client } from '../lib/aws/ec2.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { validateStep } from '../lib/steps/validate-request.js';
import type { Execution } from '../lib/workflow/document.js';

export const handler = stepHandler('validateRequest', (event: { request: unknown; execution: Execution }) =>
  validateStep(event, ec2Client, process.env.AWS_REGION),
);
