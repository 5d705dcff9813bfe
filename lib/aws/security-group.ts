/**
 * Security groups made and removed safely under retries: the deployment's own group and the workspace's two are
 * created by name (unique per VPC) and found again by it, and deleted with the answers that are not failures named.
 */
import { CreateSecurityGroupCommand, DeleteSecurityGroupCommand, DescribeSecurityGroupsCommand, type EC2Client, type Tag } from '@aws-sdk/client-ec2';
import { AwsTransientError, NetworkNotFoundError } from '../errors.js';
import { awsErrorCode, callAws, toProjectError } from './classify.js';

export interface NewSecurityGroup {
  vpcId: string;
  /** Unique per VPC, so a second CreateSecurityGroup of it is refused (`InvalidGroup.Duplicate`). */
  groupName: string;
  description: string;
  tags: Tag[];
}

/** The id of the group of that name in the VPC, after CreateSecurityGroup said it exists. */
async function groupIdByName(ec2: EC2Client, vpcId: string, groupName: string, duplicate: unknown): Promise<string> {
  const out = await callAws('DescribeSecurityGroups', () =>
    ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: 'group-name', Values: [groupName] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    ),
  );
  const groupId = out.SecurityGroups?.[0]?.GroupId;
  if (!groupId) {
    // Still eventual consistency: AwsTransientError is what the state machine retries with backoff.
    throw new AwsTransientError(`CreateSecurityGroup said ${groupName} exists in ${vpcId}, but DescribeSecurityGroups does not list it yet`, {
      cause: duplicate,
      hint: 'EC2 has not caught up; the step is retried. If it persists, delete the group named above and try again',
      details: { groupName, vpcId },
    });
  }
  return groupId;
}

/**
 * Creates the group, or, when a retried step's earlier try already made it (its describe did not see it yet:
 * eventual consistency), returns that group's id by its name.
 *
 * @example
 * const id = await createSecurityGroup(ec2, { vpcId, groupName: 'gpu-deploy-dep-1', description: 'no inbound rules', tags });
 */
export async function createSecurityGroup(ec2: EC2Client, group: NewSecurityGroup): Promise<string> {
  let created;
  try {
    created = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: group.groupName,
        Description: group.description,
        VpcId: group.vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: group.tags }],
      }),
    );
  } catch (error) {
    if (awsErrorCode(error) !== 'InvalidGroup.Duplicate') throw toProjectError(error, 'CreateSecurityGroup');
    return groupIdByName(ec2, group.vpcId, group.groupName, error);
  }
  if (!created.GroupId) throw new NetworkNotFoundError('CreateSecurityGroup returned no group id');
  return created.GroupId;
}

/**
 * One try at deleting a security group: `deleted`; `gone` when it already was (InvalidGroup.NotFound); `held` while a
 * network interface still uses it (DependencyViolation: AWS releases it a while after the instance or mount target
 * goes, so try again later). Any other error is the project's.
 *
 * @example
 * if ((await deleteSecurityGroup(ec2, 'sg-0123')) === 'held') remaining.push('sg-0123');
 */
export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<'deleted' | 'gone' | 'held'> {
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    return 'deleted';
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'InvalidGroup.NotFound') return 'gone';
    if (code === 'DependencyViolation') return 'held';
    throw toProjectError(error, 'DeleteSecurityGroup');
  }
}
