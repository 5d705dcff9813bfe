import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import { lifetimeView, toSecondIso, type LifetimeView } from '../lifetime/deadline.js';
import { putTeardownSchedule, type ScheduleTarget } from '../lifetime/schedule.js';
import type { IdleTeardown } from '../types.js';

export interface ScheduleTeardownInput {
  deploymentId: string;
  region: string;
  expiresAt: string | null;
  idleTeardown: IdleTeardown | null;
}

export interface ScheduleTeardownResult extends LifetimeView {
  /** The schedule that starts the teardown at the deadline; null without a lifetime or without the stack. */
  schedule: { name: string; arn: string; action: 'created' | 'updated'; at: string } | null;
  note?: string;
}

/** A schedule is never set in the past (a deployment that took longer than its lifetime): a minute from now instead. */
const EARLIEST_MS = 60_000;

/**
 * ScheduleTeardown, after a deployment succeeded: with a lifetime, the one-time schedule that starts the teardown
 * at the deadline. Without the stack's schedule group and role (a `gpu-deploy run`), only the instance's own
 * backstop enforces the lifetime, and the result says so.
 */
export async function scheduleTeardownStep(
  input: ScheduleTeardownInput,
  scheduler: SchedulerClient | undefined,
  target: ScheduleTarget | undefined,
  now: Date = new Date(),
): Promise<ScheduleTeardownResult> {
  if (!input.expiresAt) return { ...lifetimeView(null, input.idleTeardown), schedule: null };
  if (!scheduler || !target) {
    return {
      ...lifetimeView(input.expiresAt, input.idleTeardown, false),
      schedule: null,
      note: 'no teardown schedule without the deployed stack: the instance shuts itself down at the deadline plus the grace',
    };
  }
  const at = toSecondIso(new Date(Math.max(new Date(input.expiresAt).getTime(), now.getTime() + EARLIEST_MS)));
  const schedule = await putTeardownSchedule(scheduler, input.deploymentId, input.region, at, target);
  return { ...lifetimeView(input.expiresAt, input.idleTeardown, true), schedule: { ...schedule, at } };
}

/** The stack's schedule target from the function's environment; undefined when any part is missing. */
export function scheduleTargetFromEnv(env: NodeJS.ProcessEnv = process.env): ScheduleTarget | undefined {
  const groupName = env.GPU_DEPLOY_SCHEDULE_GROUP;
  const roleArn = env.GPU_DEPLOY_SCHEDULER_ROLE_ARN;
  const teardownStateMachineArn = env.TEARDOWN_STATE_MACHINE_ARN;
  return groupName && roleArn && teardownStateMachineArn ? { groupName, roleArn, teardownStateMachineArn } : undefined;
}
