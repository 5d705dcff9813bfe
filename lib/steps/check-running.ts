import type { EC2Client } from '@aws-sdk/client-ec2';
import { InstanceStartFailedError, InstanceStartTimeoutError } from '../errors.js';
import { defaultEbsKey, ebsKeyUnusableError, KMS_LAUNCH_FAILURE_CODES } from '../launch/ebs-key.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { assertInstanceAlive } from './instance-alive.js';
import { secondsSince } from './time.js';

/**
 * CheckRunning: one look at the instance; the Wait/Choice loop in the ASL repeats it. An instance that ended at
 * launch because EBS could not use its KMS key fails with EbsKmsKeyUnusableError, naming the default EBS key.
 */
export async function checkRunningStep(doc: LaunchedDocument, ec2: EC2Client, now = new Date()): Promise<{ state: string }> {
  let state: string;
  try {
    state = await assertInstanceAlive(ec2, doc.launch.instanceId, doc.launch.launchedAt, now);
  } catch (error) {
    const details = error instanceof InstanceStartFailedError ? error.details : undefined;
    const reasonCode = details?.reasonCode;
    if (typeof reasonCode !== 'string' || !KMS_LAUNCH_FAILURE_CODES.has(reasonCode)) throw error;
    const reason = typeof details?.reason === 'string' ? details.reason : undefined;
    throw ebsKeyUnusableError({ instanceId: doc.launch.instanceId, reasonCode, ...(reason ? { reason } : {}), market: doc.launch.market }, await defaultEbsKey(ec2));
  }
  if (state !== 'running' && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds) {
    throw new InstanceStartTimeoutError(`Instance ${doc.launch.instanceId} was still ${state} after ${doc.request.timeouts.runningSeconds}s`, {
      hint: 'Raise timeouts.runningSeconds or try another zone',
    });
  }
  return { state };
}
