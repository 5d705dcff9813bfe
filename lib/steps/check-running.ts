import type { EC2Client } from '@aws-sdk/client-ec2';
import { InstanceStartFailedError, InstanceStartTimeoutError } from '../errors.js';
import { instanceState } from '../launch/lifecycle.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { secondsSince } from './time.js';

/** CheckRunning: one look at the instance; the Wait/Choice loop in the ASL repeats it. */
export async function checkRunningStep(doc: LaunchedDocument, ec2: EC2Client, now = new Date()): Promise<{ state: string }> {
  const { state, reason } = await instanceState(ec2, doc.launch.instanceId);
  if (['terminated', 'shutting-down', 'stopped', 'stopping'].includes(state)) {
    throw new InstanceStartFailedError(`Instance ${doc.launch.instanceId} is ${state} instead of running${reason ? `: ${reason}` : ''}`, {
      hint: 'Spot capacity may have been reclaimed or the instance failed to boot; deploy again or use --market on-demand',
      details: { instanceId: doc.launch.instanceId, state },
    });
  }
  if (state !== 'running' && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds) {
    throw new InstanceStartTimeoutError(`Instance ${doc.launch.instanceId} was still ${state} after ${doc.request.timeouts.runningSeconds}s`, {
      hint: 'Raise timeouts.runningSeconds or try another zone',
    });
  }
  return { state };
}
