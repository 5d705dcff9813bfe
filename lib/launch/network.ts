import {
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { AwsTransientError, NetworkNotFoundError } from '../errors.js';
import { DEPLOYMENT_TAG, deploymentTags } from './tags.js';

export interface Placement {
  subnetId: string;
  vpcId: string;
  zone: string;
}

/** The request's subnet, else the default VPC's default subnet in the attempt's zone. */
export async function findSubnet(ec2: EC2Client, zone: string, subnetId?: string): Promise<Placement> {
  const out = await callAws('DescribeSubnets', () =>
    ec2.send(
      new DescribeSubnetsCommand(
        subnetId
          ? { SubnetIds: [subnetId] }
          : { Filters: [{ Name: 'availability-zone', Values: [zone] }, { Name: 'default-for-az', Values: ['true'] }] },
      ),
    ),
  );
  const subnet = out.Subnets?.[0];
  if (!subnet?.SubnetId || !subnet.VpcId) {
    throw new NetworkNotFoundError(
      subnetId ? `Subnet ${subnetId} was not found` : `The default VPC has no subnet in ${zone}`,
      {
        hint: subnetId
          ? 'Set subnetId to a subnet of this account and region'
          : 'Set subnetId to a subnet in that zone, or create a default VPC (aws ec2 create-default-vpc)',
        details: { zone, subnetId },
      },
    );
  }
  return { subnetId: subnet.SubnetId, vpcId: subnet.VpcId, zone: subnet.AvailabilityZone ?? zone };
}

/**
 * The deployment's security group: no inbound rule at all (administration goes through SSM Session Manager;
 * Ollama listens on localhost only). Found by tag first, so a retried Launch reuses it.
 */
export async function ensureSecurityGroup(ec2: EC2Client, vpcId: string, deploymentId: string): Promise<string> {
  const existing = await callAws('DescribeSecurityGroups', () =>
    ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [
          { Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] },
          { Name: 'vpc-id', Values: [vpcId] },
        ],
      }),
    ),
  );
  const found = existing.SecurityGroups?.[0]?.GroupId;
  if (found) return found;
  const groupName = securityGroupName(deploymentId);
  let created;
  try {
    created = await ec2.send(
      new CreateSecurityGroupCommand({
        GroupName: groupName,
        Description: 'gpu-deploy instance: no inbound rules; managed through SSM',
        VpcId: vpcId,
        TagSpecifications: [{ ResourceType: 'security-group', Tags: deploymentTags(deploymentId) }],
      }),
    );
  } catch (error) {
    // A retried Launch whose DescribeSecurityGroups did not see the first try's group yet (eventual consistency):
    // the group exists under the deployment's name.
    if (awsErrorCode(error) !== 'InvalidGroup.Duplicate') throw toProjectError(error, 'CreateSecurityGroup');
    return groupIdByName(ec2, vpcId, groupName, error);
  }
  if (!created.GroupId) throw new NetworkNotFoundError('CreateSecurityGroup returned no group id');
  return created.GroupId;
}

/** The deployment's security group name: unique per VPC, so CreateSecurityGroup refuses a second one. */
export const securityGroupName = (deploymentId: string): string => `gpu-deploy-${deploymentId}`.slice(0, 255);

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
      hint: 'EC2 has not caught up; the Launch step is retried. If it persists, delete the group named above and deploy again',
      details: { groupName, vpcId },
    });
  }
  return groupId;
}
