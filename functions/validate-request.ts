import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { validateStep } from '../lib/workflow/steps.js';
import type { Execution } from '../lib/workflow/document.js';

export const handler = stepHandler('validateRequest', (event: { request: unknown; execution: Execution }) =>
  validateStep(event, (region) => clientsFor(region).ec2),
);
