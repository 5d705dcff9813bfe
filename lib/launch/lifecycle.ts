import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { deleteSecurityGroup } from '../aws/security-group.js';
import { RequestInvalidError } from '../errors.js';
import { DEPLOYMENT_ID_PATTERN, DEPLOYMENT_TAG } from './tags.js';

/**
 * EC2's state name of one instance: `terminated` with `notFound` when EC2 does not know it (which, right after
 * RunInstances, can also mean EC2's eventually consistent reads have not caught up).
 */
export async function instanceState(
  ec2: EC2Client,
  instanceId: string,
): Promise<{ state: string; reason?: string; reasonCode?: string; notFound?: true }> {
  const notFound = { state: 'terminated', reason: 'EC2 does not know the instance', notFound: true } as const;
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    if (!instance) return notFound;
    const reason = instance.StateReason?.Message;
    const reasonCode = instance.StateReason?.Code;
    return { state: instance.State?.Name ?? 'pending', ...(reason ? { reason } : {}), ...(reasonCode ? { reasonCode } : {}) };
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidInstanceID.NotFound') return notFound;
    throw toProjectError(error, 'DescribeInstances');
  }
}

export interface CleanupStatus {
  /** Instances of the deployment that are not yet terminated. */
  remainingInstances: string[];
  terminatedInstances: string[];
  deletedSecurityGroups: string[];
  remainingSecurityGroups: string[];
  done: boolean;
}

/**
 * One idempotent step of rolling a deployment back, found by its tag: asks EC2 to terminate whatever still
 * runs, and deletes the security group once no instance uses it. Called in a loop until `done`.
 */
export async function cleanupDeployment(ec2: EC2Client, deploymentId: string): Promise<CleanupStatus> {
  // EC2 tag filters treat * and ? as wildcards: "api-*" would terminate every deployment's instances.
  if (typeof deploymentId !== 'string' || !DEPLOYMENT_ID_PATTERN.test(deploymentId)) {
    throw new RequestInvalidError(`Not a deployment id: ${JSON.stringify(deploymentId)?.slice(0, 90)}`, {
      hint: 'A deployment id is the execution name: 1 to 80 letters, digits, - and _',
    });
  }
  const tagFilter = { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] };
  const described = await callAws('DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ Filters: [tagFilter] })));
  const instances = (described.Reservations ?? []).flatMap((r) => r.Instances ?? []);
  const live = instances.filter((i) => i.State?.Name !== 'terminated').map((i) => i.InstanceId ?? '').filter(Boolean);
  const terminated = instances.filter((i) => i.State?.Name === 'terminated').map((i) => i.InstanceId ?? '').filter(Boolean);
  const toTerminate = instances
    .filter((i) => !['terminated', 'shutting-down'].includes(i.State?.Name ?? ''))
    .map((i) => i.InstanceId ?? '')
    .filter(Boolean);
  if (toTerminate.length > 0) {
    await callAws('TerminateInstances', () => ec2.send(new TerminateInstancesCommand({ InstanceIds: toTerminate })));
  }
  const deleted: string[] = [];
  const remainingGroups: string[] = [];
  const groups = await callAws('DescribeSecurityGroups', () => ec2.send(new DescribeSecurityGroupsCommand({ Filters: [tagFilter] })));
  for (const group of groups.SecurityGroups ?? []) {
    if (!group.GroupId) continue;
    if (live.length > 0) {
      remainingGroups.push(group.GroupId);
      continue;
    }
    // An ENI may still hold the group for a while after termination: try again on the next step.
    const outcome = await deleteSecurityGroup(ec2, group.GroupId);
    if (outcome === 'deleted') deleted.push(group.GroupId);
    else if (outcome === 'held') remainingGroups.push(group.GroupId);
  }
  return {
    remainingInstances: live,
    terminatedInstances: terminated,
    deletedSecurityGroups: deleted,
    remainingSecurityGroups: remainingGroups,
    done: live.length === 0 && remainingGroups.length === 0,
  };
}
