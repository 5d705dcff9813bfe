import { ec2Client } from '../lib/aws/ec2.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { launchStep } from '../lib/steps/launch.js';
import type { PlannedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('launch', (doc: PlannedDocument) => {
  const instanceProfileName = process.env.GPU_DEPLOY_INSTANCE_PROFILE;
  return launchStep(doc, ec2Client(doc.request.region), instanceProfileName ? { instanceProfileName } : {});
});
