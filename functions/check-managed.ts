import { ec2Client } from '../lib/aws/ec2.js';
import { ssmClient } from '../lib/aws/ssm.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { checkManagedStep } from '../lib/steps/check-managed.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('checkManaged', (doc: LaunchedDocument) =>
  checkManagedStep(doc, { ssm: ssmClient(doc.request.region), ec2: ec2Client(doc.request.region) }),
);
