import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { awsErrorCode, toProjectError } from '../aws/classify.js';

/** One instance by id; undefined when EC2 no longer knows it (InvalidInstanceID.NotFound). */
export async function describeInstanceById(ec2: EC2Client, instanceId: string): Promise<Instance | undefined> {
  try {
    const out = await ec2.send(new DescribeInstancesCommand({ InstanceIds: [instanceId] }));
    return out.Reservations?.[0]?.Instances?.[0];
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidInstanceID.NotFound') return undefined;
    throw toProjectError(error, 'DescribeInstances');
  }
}
