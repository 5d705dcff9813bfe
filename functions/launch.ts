import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { launchStep } from '../lib/workflow/steps.js';
import type { PlannedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('launch', (doc: PlannedDocument) => {
  const instanceProfileName = process.env.GPU_DEPLOY_INSTANCE_PROFILE;
  return launchStep(doc, clientsFor(doc.request.region).ec2, instanceProfileName ? { instanceProfileName } : {});
});
