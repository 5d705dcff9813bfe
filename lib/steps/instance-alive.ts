import type { EC2Client } from '@aws-sdk/client-ec2';
import { InstanceStartFailedError } from '../errors.js';
import { instanceState } from '../launch/lifecycle.js';
import { secondsSince } from './time.js';

const GONE = ['terminated', 'shutting-down', 'stopped', 'stopping'];

/** How long after launch "no such instance" is read as "not visible yet". */
export const NOT_FOUND_GRACE_SECONDS = 120;

/**
 * The instance's EC2 state; an instance that is gone or stopping (spot reclaimed, terminated by someone, failed
 * boot) ends the wait at once with InstanceStartFailedError instead of running out a deadline.
 */
export async function assertInstanceAlive(ec2: EC2Client, instanceId: string, launchedAt?: string, now = new Date()): Promise<string> {
  const { state, reason, reasonCode, notFound } = await instanceState(ec2, instanceId);
  // DescribeInstances is eventually consistent: an instance unknown moments after launch is still coming.
  if (notFound && launchedAt !== undefined && secondsSince(launchedAt, now) < NOT_FOUND_GRACE_SECONDS) return 'pending';
  if (GONE.includes(state)) {
    throw new InstanceStartFailedError(`Instance ${instanceId} is ${state} instead of running${reason ? `: ${reason}` : ''}`, {
      hint: 'Spot capacity may have been reclaimed or the instance failed to boot; deploy again or use --market on-demand',
      details: { instanceId, state, ...(reasonCode ? { reasonCode } : {}), ...(reason ? { reason } : {}) },
    });
  }
  return state;
}
