import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SchedulerClient } from '@aws-sdk/client-scheduler';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { RollbackIncompleteError } from '../errors.js';
import { cleanupDeployment, type CleanupStatus } from '../launch/lifecycle.js';
import { deleteTeardownSchedule } from '../lifetime/schedule.js';
import { secondsSince } from './time.js';
import { deploymentRegion } from './teardown-region.js';

export interface RollbackInput {
  deploymentId: string;
  /** Absent when the safety-net rule started the teardown: the region then comes from `executionArn`. */
  request: { region?: string };
  /** The deploy execution being torn down (the safety-net rule passes it). */
  executionArn?: string;
  rollback?: { startedAt?: string; region?: string };
}

/** How long rollback keeps trying before it reports what is left (an ENI can hold a group for minutes). */
export const ROLLBACK_DEADLINE_SECONDS = 20 * 60;

/**
 * Where to clean up: the request's region, else the one an earlier step of this teardown found, else the
 * deployment's own execution input (DescribeExecution), never the stack's region.
 */
export async function rollbackRegion(doc: RollbackInput, sfn: (region: string) => SFNClient): Promise<string> {
  return doc.request?.region ?? doc.rollback?.region ?? deploymentRegion(sfn, doc.executionArn);
}

/** The stack's schedule group: where a deployment's pending teardown schedule would be. */
export interface RollbackSchedules {
  scheduler: SchedulerClient;
  groupName: string;
}

/**
 * Rollback: one idempotent clean-up step of everything tagged with the deployment; the ASL loops until done. With
 * the stack's schedules, the deployment's pending teardown schedule goes too, so it cannot fire later.
 */
export async function rollbackStep(
  doc: RollbackInput,
  ec2: EC2Client,
  now = new Date(),
  schedules?: RollbackSchedules,
): Promise<CleanupStatus & { startedAt: string; schedule?: 'deleted' | 'absent' }> {
  const startedAt = doc.rollback?.startedAt ?? now.toISOString();
  // After cleanupDeployment, which refuses an id that is not one (the schedule's name derives from it).
  const status = await cleanupDeployment(ec2, doc.deploymentId);
  const schedule = schedules ? await deleteTeardownSchedule(schedules.scheduler, doc.deploymentId, schedules.groupName) : undefined;
  if (!status.done && secondsSince(startedAt, now) > ROLLBACK_DEADLINE_SECONDS) {
    throw new RollbackIncompleteError(
      `Rollback of ${doc.deploymentId} did not finish: instances ${status.remainingInstances.join(', ') || 'none'}, security groups ${status.remainingSecurityGroups.join(', ') || 'none'} remain`,
      { hint: `Run gpu-deploy teardown ${doc.deploymentId}, or delete resources tagged gpu-deploy:deployment-id=${doc.deploymentId}`, details: { ...status } },
    );
  }
  return { ...status, startedAt, ...(schedule ? { schedule } : {}) };
}
