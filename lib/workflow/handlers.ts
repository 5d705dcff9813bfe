import { handler as checkManaged } from '../../functions/check-managed.js';
import { handler as checkMountTarget } from '../../functions/check-mount-target.js';
import { handler as checkRunning } from '../../functions/check-running.js';
import { handler as ensureWorkspace } from '../../functions/ensure-workspace.js';
import { handler as getGpuReport } from '../../functions/get-gpu-report.js';
import { handler as launch } from '../../functions/launch.js';
import { handler as notify } from '../../functions/notify.js';
import { handler as planCapacity } from '../../functions/plan-capacity.js';
import { handler as resolveAmi } from '../../functions/resolve-ami.js';
import { handler as rollback } from '../../functions/rollback.js';
import { handler as scheduleTeardown } from '../../functions/schedule-teardown.js';
import { handler as validateRequest } from '../../functions/validate-request.js';
import { handler as verifyGpu } from '../../functions/verify-gpu.js';

/** A Lambda handler as the runtime calls it: `(event, context)`. */
export type LambdaHandler = (event: never, context: never) => Promise<unknown>;

/** The real handlers, by the function names serverless.yml and the ASL use: every Task of every definition in statemachines/. */
export const HANDLERS: Record<string, LambdaHandler> = {
  validateRequest,
  resolveAmi,
  planCapacity,
  ensureWorkspace,
  launch,
  checkRunning,
  checkMountTarget,
  checkManaged,
  verifyGpu,
  getGpuReport,
  rollback,
  scheduleTeardown,
  notify,
} as unknown as Record<string, LambdaHandler>;
