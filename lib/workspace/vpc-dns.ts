import { DescribeVpcAttributeCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { callAws } from '../aws/classify.js';
import { WorkspaceNetworkError } from '../errors.js';

/**
 * The file system's DNS name (fs-ID.efs.REGION.amazonaws.com) resolves only in a VPC with DNS resolution and DNS
 * hostnames on (a default VPC has both): without them no instance could mount the workspace, so say so now.
 *
 * @throws WorkspaceNetworkError naming the attribute that is off
 */
export async function assertVpcDns(ec2: EC2Client, vpcId: string): Promise<void> {
  const [support, hostnames] = await Promise.all([
    callAws('DescribeVpcAttribute', () => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsSupport' }))),
    callAws('DescribeVpcAttribute', () => ec2.send(new DescribeVpcAttributeCommand({ VpcId: vpcId, Attribute: 'enableDnsHostnames' }))),
  ]);
  const off = [
    ...(support.EnableDnsSupport?.Value === false ? ['enableDnsSupport'] : []),
    ...(hostnames.EnableDnsHostnames?.Value === false ? ['enableDnsHostnames'] : []),
  ];
  if (off.length > 0) {
    throw new WorkspaceNetworkError(`VPC ${vpcId} has ${off.join(' and ')} off: the workspace's DNS name would not resolve there`, {
      hint: `Turn them on (aws ec2 modify-vpc-attribute --vpc-id ${vpcId} --enable-dns-hostnames '{"Value":true}', and --enable-dns-support), or launch into another subnet`,
      details: { vpcId, off },
    });
  }
}
