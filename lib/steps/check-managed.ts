import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { SsmManagedTimeoutError } from '../errors.js';
import { ssmPingStatus } from '../ssm/managed.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { assertInstanceAlive } from './instance-alive.js';
import { secondsSince } from './time.js';

/**
 * CheckManaged: whether SSM can reach the instance yet. While it cannot, the instance itself is looked at, so a
 * terminated instance fails now instead of after the SSM deadline.
 */
export async function checkManagedStep(
  doc: LaunchedDocument,
  clients: { ssm: SSMClient; ec2: EC2Client },
  now = new Date(),
): Promise<{ pingStatus: string; online: boolean }> {
  const pingStatus = await ssmPingStatus(clients.ssm, doc.launch.instanceId);
  const online = pingStatus === 'Online';
  if (online) return { pingStatus, online };
  await assertInstanceAlive(clients.ec2, doc.launch.instanceId, doc.launch.launchedAt, now);
  if (secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds + doc.request.timeouts.managedSeconds) {
    throw new SsmManagedTimeoutError(`SSM never reported instance ${doc.launch.instanceId} online (last status ${pingStatus})`, {
      hint: 'The instance needs outbound HTTPS to SSM (a public IP or VPC endpoints) and the instance profile with AmazonSSMManagedInstanceCore',
    });
  }
  return { pingStatus, online };
}
