import { parseArgs } from 'node:util';
import { describeDeployment } from '../api/deployments.js';
import { checkDeploymentId } from '../api/sfn.js';
import { deploymentIdArg, STACK_OPTION_SPEC, stackOptions } from './args.js';
import { printJson, type Io } from './output.js';
import { connect, stackRegionFrom, type DeployedDeps, type StackOptions } from './start.js';

/**
 * `gpu-deploy status ID`: the deployment's status (RUNNING, SUCCEEDED with its result, FAILED with the named
 * error and its cause). Exit 0 for RUNNING and SUCCEEDED, 1 for FAILED.
 */
export async function statusCommand(options: StackOptions & { deploymentId: string }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const id = checkDeploymentId(options.deploymentId);
  const { stack, sfn } = await connect(options, deps);
  const status = await describeDeployment(sfn, stack.deployStateMachineArn, id);
  io.err(`Deployment ${id}: ${status.status}${status.error ? ` (${status.error})` : ''}\n`);
  if (status.lifetime) io.err(`Lifetime: ${status.lifetime.summary}\n`);
  printJson(io, status);
  return status.status === 'FAILED' ? 1 : 0;
}

/** `gpu-deploy status ID [--stage S] [--region R] [--json]`: the arguments, then statusCommand. */
export async function statusMain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({ args, options: { ...STACK_OPTION_SPEC, region: { type: 'string' } }, allowPositionals: true, strict: true });
  const deploymentId = deploymentIdArg(positionals, 'status');
  return statusCommand({ ...stackOptions(values, stackRegionFrom(values['stack-region'] ?? values.region, undefined)), deploymentId }, io);
}
