import { ec2Client } from '../lib/aws/ec2.js';
import { efsClient } from '../lib/aws/efs.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { ensureWorkspaceStep } from '../lib/steps/ensure-workspace.js';
import type { WorkspaceState } from '../lib/workspace/types.js';
import type { PlannedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('ensureWorkspace', (doc: PlannedDocument & { workspace?: WorkspaceState }) => {
  const region = doc.request.region;
  return ensureWorkspaceStep(doc, { efs: efsClient(region), ec2: ec2Client(region) });
});
