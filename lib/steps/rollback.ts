import type { EC2Client } from '@aws-sdk/client-ec2';
import { RollbackIncompleteError } from '../errors.js';
import { cleanupDeployment, type CleanupStatus } from '../launch/lifecycle.js';
import { secondsSince } from './time.js';

export interface RollbackInput {
  deploymentId: string;
  request: { region: string };
  rollback?: { startedAt?: string };
}

/** How long rollback keeps trying before it reports what is left (an ENI can hold a group for minutes). */
export const ROLLBACK_DEADLINE_SECONDS = 20 * 60;

/** Rollback: one idempotent clean-up step of everything tagged with the deployment; the ASL loops until done. */
export async function rollbackStep(doc: RollbackInput, ec2: EC2Client, now = new Date()): Promise<CleanupStatus & { startedAt: string }> {
  const startedAt = doc.rollback?.startedAt ?? now.toISOString();
  const status = await cleanupDeployment(ec2, doc.deploymentId);
  if (!status.done && secondsSince(startedAt, now) > ROLLBACK_DEADLINE_SECONDS) {
    throw new RollbackIncompleteError(
      `Rollback of ${doc.deploymentId} did not finish: instances ${status.remainingInstances.join(', ') || 'none'}, security groups ${status.remainingSecurityGroups.join(', ') || 'none'} remain`,
      { hint: `Run gpu-deploy teardown ${doc.deploymentId}, or delete resources tagged gpu-deploy:deployment-id=${doc.deploymentId}`, details: { ...status } },
    );
  }
  return { ...status, startedAt };
}
