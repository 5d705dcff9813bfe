import {
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  TerminateInstancesCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { DEPLOYMENT_TAG } from './tags.js';

/** EC2's state name of one instance (`terminated` when EC2 no longer knows it). */
export async function instanceState(ec2: EC2Client, instanceId: string): Promise<{ state: string; reason?: string }> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    const instance = out.Reservations?.[0]?.Instances?.[0];
    const reason = instance?.StateReason?.Message;
    return { state: instance?.State?.Name ?? 'terminated', ...(reason ? { reason } : {}) };
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidInstanceID.NotFound') return { state: 'terminated', reason: 'EC2 no longer knows the instance' };
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
    try {
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: group.GroupId }));
      deleted.push(group.GroupId);
    } catch (error) {
      const code = awsErrorCode(error);
      if (code === 'InvalidGroup.NotFound') continue;
      // An ENI may still hold the group for a while after termination: try again on the next step.
      if (code === 'DependencyViolation') remainingGroups.push(group.GroupId);
      else throw toProjectError(error, 'DeleteSecurityGroup');
    }
  }
  return {
    remainingInstances: live,
    terminatedInstances: terminated,
    deletedSecurityGroups: deleted,
    remainingSecurityGroups: remainingGroups,
    done: live.length === 0 && remainingGroups.length === 0,
  };
}
