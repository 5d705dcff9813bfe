import { describeDeployment } from '../api/deployments.js';
import { checkDeploymentId } from '../api/sfn.js';
import { ec2Client } from '../aws/ec2.js';
import { statusFromInstance, type InstanceStatus } from '../deployments/instance-status.js';
import { lifetimeText } from '../deployments/rows.js';
import { stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { parseDay2 } from './day2-options.js';
import { printJson, type Io } from './output.js';
import { withStack } from './stack-target.js';
import { stackOptions, stackRegionFrom, type StackOptions } from './stack-options.js';
import { connect, type DeployedDeps } from './start.js';

/**
 * `gpu-deploy status ID`: the deployment's status (RUNNING, SUCCEEDED with its result, FAILED with the named
 * error and its cause). Exit 0 for RUNNING and SUCCEEDED, 1 for FAILED.
 */
export async function statusCommand(options: StackOptions & { deploymentId: string; region?: string }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const id = checkDeploymentId(options.deploymentId);
  const { stack, sfn } = await withStack('status', id, () => connect(options, deps), options.region);
  const status = await describeDeployment(sfn, stack.deployStateMachineArn, id);
  io.err(`Deployment ${id}: ${status.status}${status.error ? ` (${status.error})` : ''}\n`);
  if (status.lifetime) io.err(`Lifetime: ${status.lifetime.summary}\n`);
  printJson(io, status);
  return status.status === 'FAILED' ? 1 : 0;
}

const usd = (value: number | null, digits: number): string => (value === null ? 'unknown' : `$${value.toFixed(digits)}`);

/** The human lines of an instance-read status: what it is, where the view comes from, lifetime and price. */
export function instanceStatusLines(view: InstanceStatus): string {
  const r = view.instance;
  return [
    `Deployment ${view.deploymentId}: ${view.status} (${r.state} ${r.instanceType} in ${r.zone || view.region}, ${r.market}; ${r.verification === 'unknown' ? 'GPU not verified yet' : r.verification})`,
    `  read from ${view.source}`,
    `Lifetime: ${lifetimeText(r.expiresAt, r.idleTeardown)}`,
    `Price: ${usd(r.hourlyPrice, 4)}/h${r.priceSource ? ` (${r.priceSource})` : ''}, ${usd(r.costSoFar, 2)} so far`,
    '',
  ].join('\n');
}

/** `gpu-deploy status ID [--local | --aws] [--region R] [--stage S] [--json]`: the stack's execution, or the instance. */
export async function statusMain(args: string[], io: Io): Promise<number> {
  const { target, values } = await parseDay2(args, commandSpec('status'));
  if (target.via === 'stack') {
    const stackRegion = stackRegionFrom(stringValue(values, 'stack-region') ?? stringValue(values, 'region'), undefined);
    return statusCommand({ ...stackOptions(values, stackRegion), deploymentId: target.deploymentId, region: target.region }, io);
  }
  const view = await statusFromInstance(ec2Client(target.region), target.deploymentId, target.region, target.via);
  io.err(instanceStatusLines(view));
  printJson(io, { ...view, lifetime: view.instance.lifetime, access: view.instance.access });
  return 0;
}
