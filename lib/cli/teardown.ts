import { describeDeployment, startTeardown } from '../api/deployments.js';
import { checkDeploymentId } from '../api/sfn.js';
import { TEARDOWN_DEFINITION_PATH } from '../workflow/definition.js';
import { stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { parseDay2 } from './day2-options.js';
import { printJson, type Io } from './output.js';
import { withStack } from './stack-target.js';
import { stackOptions, stackRegionFrom, type StackOptions } from './stack-options.js';
import { connect, follow, type DeployedDeps } from './start.js';
import { teardownHere } from './teardown-here.js';

/**
 * `gpu-deploy teardown ID`: starts the teardown state machine for an ended deployment (everything tagged with its
 * id, in its region); with `wait`, follows it and prints the teardown's result (exit 1 when it failed).
 */
export async function teardownCommand(options: StackOptions & { deploymentId: string; wait: boolean; region?: string }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const id = checkDeploymentId(options.deploymentId);
  const { stack, sfn } = await withStack('teardown', id, () => connect(options, deps), options.region);
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
  await follow(sfn, started.teardownExecutionArn, options, io, deps, TEARDOWN_DEFINITION_PATH);
  const teardown = await describeDeployment(sfn, stack.teardownStateMachineArn, started.teardownId);
  io.err(teardown.status === 'SUCCEEDED' ? `Teardown of ${id} SUCCEEDED\n` : `Teardown of ${id} FAILED: ${teardown.error}: ${teardown.cause ?? ''}\n`);
  printJson(io, { ...started, status: teardown.status === 'SUCCEEDED' ? 'TORN_DOWN' : 'FAILED', teardown });
  return teardown.status === 'SUCCEEDED' ? 0 : 1;
}

/** `gpu-deploy teardown ID [--local | --aws] [--region R] [--stage S] [--wait] [--json]`: the stack's, or in this process. */
export async function teardownMain(args: string[], io: Io): Promise<number> {
  const { target, values } = await parseDay2(args, commandSpec('teardown'));
  if (target.via !== 'stack') return teardownHere(target, io);
  const options = stackOptions(values, stackRegionFrom(stringValue(values, 'stack-region') ?? stringValue(values, 'region'), undefined));
  return teardownCommand({ ...options, deploymentId: target.deploymentId, wait: values.wait === true, region: target.region }, io);
}
