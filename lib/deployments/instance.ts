import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import { DeploymentInstanceNotFoundError } from '../errors.js';
import { findDeploymentInstances } from '../launch/instance.js';
import { checkDeploymentId } from '../api/sfn.js';

/**
 * The running instance of a deployment, found by its deployment tag (never by name).
 *
 * @throws DeploymentIdInvalidError, DeploymentInstanceNotFoundError (none, or none running, in the region)
 */
export async function runningDeploymentInstance(ec2: EC2Client, deploymentId: string, region: string): Promise<Instance & { InstanceId: string }> {
  const id = checkDeploymentId(deploymentId);
  const instances = await findDeploymentInstances(ec2, id);
  const running = instances.find((i) => i.State?.Name === 'running' && i.InstanceId);
  if (running) return running as Instance & { InstanceId: string };
  const states = instances.map((i) => `${i.InstanceId ?? '?'} ${i.State?.Name ?? '?'}`).join(', ');
  throw new DeploymentInstanceNotFoundError(
    states ? `Deployment ${id} has no running instance in ${region} (${states})` : `No instance of deployment ${id} in ${region}`,
    { hint: states ? 'Wait until it runs (gpu-deploy list shows its state)' : 'Check the id and the region (--region R); gpu-deploy list --all-regions shows every deployment', details: { deploymentId: id, region } },
  );
}
