import { DescribeInstancesCommand, type EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { checkDeploymentId } from '../api/sfn.js';
import { callAws } from '../aws/classify.js';
import { DeploymentInstanceNotFoundError } from '../errors.js';
import { DEPLOYMENT_TAG, VERIFIED_AT_TAG, tagMap } from '../launch/tags.js';
import type { DeploymentVia } from './access.js';
import { deploymentRow, type DeploymentRow } from './rows.js';

/**
 * A deployment as its instance shows it: what `status` says of a deployment made with `gpu-deploy run`, which has
 * no Step Functions execution to ask. `SUCCEEDED`: the instance runs and its GPU was verified (the
 * gpu-deploy:verified-at tag); `RUNNING`: it is still starting or not verified yet; `TORN_DOWN`: only ended instances
 * are left.
 */
export interface InstanceStatus {
  deploymentId: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'TORN_DOWN';
  /** Where this view comes from, in words, so nobody mistakes it for an execution's status. */
  source: string;
  region: string;
  instance: DeploymentRow;
  /** Every instance that carried the deployment's tag (a relaunch leaves more than one). */
  instances: { instanceId: string; state: string }[];
}

const ENDED = new Set(['shutting-down', 'terminated']);

/** Every instance ever tagged with the deployment that EC2 still describes (terminated ones for about an hour). */
async function taggedInstances(ec2: EC2Client, deploymentId: string): Promise<Instance[]> {
  const out = await callAws('DescribeInstances', () => ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [deploymentId] }] })));
  return (out.Reservations ?? []).flatMap((r) => r.Instances ?? []);
}

/** The instance that speaks for the deployment: a live one before an ended one, then the newest. */
function representative(instances: Instance[]): Instance | undefined {
  const live = (i: Instance): number => (ENDED.has(i.State?.Name ?? '') ? 0 : 1);
  const launched = (i: Instance): number => (i.LaunchTime ? new Date(i.LaunchTime).getTime() : 0);
  return [...instances].sort((a, b) => live(b) - live(a) || launched(b) - launched(a))[0];
}

/**
 * `status ID --aws | --local`: the deployment read from its instance and tags (state, verification, lifetime,
 * price), in its region.
 *
 * @throws DeploymentIdInvalidError, DeploymentInstanceNotFoundError (no instance ever carried the tag), Aws*Error
 */
export async function statusFromInstance(ec2: EC2Client, deploymentId: string, region: string, via: DeploymentVia, now = new Date()): Promise<InstanceStatus> {
  const id = checkDeploymentId(deploymentId);
  const instances = await taggedInstances(ec2, id);
  const instance = representative(instances);
  if (!instance) {
    throw new DeploymentInstanceNotFoundError(`No instance of deployment ${id} in ${region}`, {
      hint: `Check the id and the region (--region R): gpu-deploy list${via === 'local' ? ' --local' : ' --all-regions'} shows the deployments; one started through the stack: gpu-deploy status ${id} (no --aws)`,
      details: { deploymentId: id, region },
    });
  }
  const row = deploymentRow(instance, region, now, { local: via === 'local' });
  const state = instance.State?.Name ?? 'unknown';
  const status = ENDED.has(state) ? 'TORN_DOWN' : state === 'running' && tagMap(instance)[VERIFIED_AT_TAG] ? 'SUCCEEDED' : 'RUNNING';
  return {
    deploymentId: id,
    status,
    source: `instance ${row.instanceId} and its gpu-deploy:* tags (a deployment made with gpu-deploy run has no execution to ask)`,
    region,
    instance: row,
    instances: instances.map((i) => ({ instanceId: i.InstanceId ?? '', state: i.State?.Name ?? 'unknown' })),
  };
}
