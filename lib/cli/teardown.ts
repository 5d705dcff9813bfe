import { parseArgs } from 'node:util';
import { describeDeployment, startTeardown } from '../api/deployments.js';
import { checkDeploymentId } from '../api/sfn.js';
import { deploymentIdArg, STACK_OPTION_SPEC, stackOptions } from './args.js';
import { printJson, type Io } from './output.js';
import { connect, follow, stackRegionFrom, type DeployedDeps, type StackOptions } from './start.js';

/**
 * `gpu-deploy teardown ID`: starts the teardown state machine for an ended deployment (everything tagged with its
 * id, in its region); with `wait`, follows it and prints the teardown's result (exit 1 when it failed).
 */
export async function teardownCommand(options: StackOptions & { deploymentId: string; wait: boolean }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const id = checkDeploymentId(options.deploymentId);
  const { stack, sfn } = await connect(options, deps);
  const started = await startTeardown(sfn, {
    deployStateMachineArn: stack.deployStateMachineArn,
    teardownStateMachineArn: stack.teardownStateMachineArn,
    deploymentId: id,
    ...(deps.now ? { now: deps.now() } : {}),
  });
  io.err(`Started teardown ${started.teardownId} of ${id} in ${started.region}\n`);
  if (!options.wait) {
    printJson(io, { status: 'TEARDOWN_STARTED', ...started });
    return 0;
  }
  await follow(sfn, started.teardownExecutionArn, options, io, deps);
  const teardown = await describeDeployment(sfn, stack.teardownStateMachineArn, started.teardownId);
  io.err(teardown.status === 'SUCCEEDED' ? `Teardown of ${id} SUCCEEDED\n` : `Teardown of ${id} FAILED: ${teardown.error}: ${teardown.cause ?? ''}\n`);
  printJson(io, { ...started, status: teardown.status === 'SUCCEEDED' ? 'TORN_DOWN' : 'FAILED', teardown });
  return teardown.status === 'SUCCEEDED' ? 0 : 1;
}

/** `gpu-deploy teardown ID [--stage S] [--region R] [--wait] [--json]`: the arguments, then teardownCommand. */
export async function teardownMain(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    options: { ...STACK_OPTION_SPEC, region: { type: 'string' }, wait: { type: 'boolean' } },
    allowPositionals: true,
    strict: true,
  });
  const deploymentId = deploymentIdArg(positionals, 'teardown');
  const options = stackOptions(values, stackRegionFrom(values['stack-region'] ?? values.region, undefined));
  return teardownCommand({ ...options, deploymentId, wait: values.wait === true }, io);
}
