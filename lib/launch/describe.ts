import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { DEPLOYMENT_ID_PATTERN, DEPLOYMENT_TAG, MANAGED_BY_TAG, tagMap } from './tags.js';

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

/** An instance gpu-deploy launched, with its tags and deployment id; or why an event about it is ignored. */
export type ManagedInstance =
  | { instance: Instance | undefined; tags: Record<string, string>; deploymentId: string; ignored?: undefined }
  | { ignored: string };

/** Looks an instance up and keeps it only when it carries gpu-deploy's managed-by tag and a valid deployment id. */
export async function managedInstance(ec2: EC2Client, instanceId: string): Promise<ManagedInstance> {
  const instance = await describeInstanceById(ec2, instanceId);
  const tags = tagMap(instance);
  if (tags[MANAGED_BY_TAG] !== 'gpu-deploy') return { ignored: 'the instance was not launched by gpu-deploy' };
  const deploymentId = tags[DEPLOYMENT_TAG] ?? '';
  if (!DEPLOYMENT_ID_PATTERN.test(deploymentId)) return { ignored: 'the instance has no valid deployment id tag' };
  return { instance, tags, deploymentId };
}
