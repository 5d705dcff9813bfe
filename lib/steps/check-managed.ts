import type { SSMClient } from '@aws-sdk/client-ssm';
import { SsmManagedTimeoutError } from '../errors.js';
import { ssmPingStatus } from '../ssm/managed.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { secondsSince } from './time.js';

/** CheckManaged: whether SSM can reach the instance yet. */
export async function checkManagedStep(doc: LaunchedDocument, ssm: SSMClient, now = new Date()): Promise<{ pingStatus: string; online: boolean }> {
  const pingStatus = await ssmPingStatus(ssm, doc.launch.instanceId);
  const online = pingStatus === 'Online';
  if (!online && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds + doc.request.timeouts.managedSeconds) {
    throw new SsmManagedTimeoutError(`SSM never reported instance ${doc.launch.instanceId} online (last status ${pingStatus})`, {
      hint: 'The instance needs outbound HTTPS to SSM (a public IP or VPC endpoints) and the instance profile with AmazonSSMManagedInstanceCore',
    });
  }
  return { pingStatus, online };
}
