import type { EC2Client } from '@aws-sdk/client-ec2';
import { InstanceStartTimeoutError } from '../errors.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { assertInstanceAlive } from './instance-alive.js';
import { secondsSince } from './time.js';

/** CheckRunning: one look at the instance; the Wait/Choice loop in the ASL repeats it. */
export async function checkRunningStep(doc: LaunchedDocument, ec2: EC2Client, now = new Date()): Promise<{ state: string }> {
  const state = await assertInstanceAlive(ec2, doc.launch.instanceId, doc.launch.launchedAt, now);
  if (state !== 'running' && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds) {
    throw new InstanceStartTimeoutError(`Instance ${doc.launch.instanceId} was still ${state} after ${doc.request.timeouts.runningSeconds}s`, {
      hint: 'Raise timeouts.runningSeconds or try another zone',
    });
  }
  return { state };
}
