import {
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  type EC2Client,
} from '@aws-sdk/client-ec2';
import { callAws } from '../aws/classify.js';
import { createSecurityGroup } from '../aws/security-group.js';
import { NetworkNotFoundError } from '../errors.js';
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
  return createSecurityGroup(ec2, {
    vpcId,
    groupName: securityGroupName(deploymentId),
    description: 'gpu-deploy instance: no inbound rules; managed through SSM',
    tags: deploymentTags(deploymentId),
  });
}

/** The deployment's security group name: unique per VPC, so CreateSecurityGroup refuses a second one. */
export const securityGroupName = (deploymentId: string): string => `gpu-deploy-${deploymentId}`.slice(0, 255);
