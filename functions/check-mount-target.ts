import { efsClient } from '../lib/aws/efs.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { checkMountTargetStep } from '../lib/steps/check-mount-target.js';
import type { WorkspaceState } from '../lib/workspace/types.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('checkMountTarget', (doc: LaunchedDocument & { workspace: WorkspaceState }) => checkMountTargetStep(doc, efsClient(doc.request.region)));
