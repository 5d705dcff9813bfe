import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { describeDeployment, prepareRequest, startDeployment } from '../api/deployments.js';
import { followExecution } from '../api/follow.js';
import { sfnClient } from '../api/sfn.js';
import { cloudFormationClient, deployedStack, type DeployedStack } from '../api/stack.js';
import { assertRegionExists } from '../aws/regions.js';
import type { Timeouts } from '../types.js';
import { DEPLOY_DEFINITION_PATH, readDefinition } from '../workflow/definition.js';
import { pollLoops } from '../workflow/loops.js';
import { parseCommandArgs, stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { printJson, type Io } from './output.js';
import { loopDeadlines, stderrProgress } from './progress.js';
import { requestFromFlags } from './request-options.js';
import { stackOptions, stackRegionFrom, type StackOptions } from './stack-options.js';

/** Clients and timing of the commands that talk to the deployed stack; tests inject them. */
export interface DeployedDeps {
  cfn?: CloudFormationClient;
  sfn?: SFNClient;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
  now?: () => Date;
}

export async function connect(options: StackOptions, deps: DeployedDeps): Promise<{ stack: DeployedStack; sfn: SFNClient }> {
  const stack = await deployedStack(deps.cfn ?? cloudFormationClient(options.stackRegion), options.stage, options.stackRegion);
  return { stack, sfn: deps.sfn ?? sfnClient(options.stackRegion) };
}

/**
 * Follows an execution of the definition at `definitionPath` with progress on stderr, as `gpu-deploy run` shows it
 * (each polling loop on one line, against its deadline when the request's `timeouts` are known).
 */
export async function follow(sfn: SFNClient, executionArn: string, options: StackOptions, io: Io, deps: DeployedDeps, definitionPath: string, timeouts?: Timeouts): Promise<string> {
  const progress = stderrProgress(io, pollLoops(readDefinition(definitionPath)), loopDeadlines(timeouts));
  try {
    return await followExecution(sfn, executionArn, {
      ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(deps.sleep ? { sleep: deps.sleep } : {}),
      onEvent: progress.onEvent,
    });
  } finally {
    progress.finish();
  }
}

/**
 * `gpu-deploy start`: validates the request here, finds the deployed stack's deploy state machine, starts an
 * execution (id `cli-<uuid>`) and prints `{ status, deploymentId, executionArn }`; with `wait`, follows it and
 * prints the deployment's final status (exit 1 when it failed).
 */
export async function startCommand(options: StackOptions & { request: Record<string, unknown>; wait: boolean }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const request = prepareRequest(options.request, options.stackRegion);
  await assertRegionExists(request.region);
  const { stack, sfn } = await connect(options, deps);
  const started = await startDeployment(sfn, { stateMachineArn: stack.deployStateMachineArn, request, name: deps.newId?.() ?? `cli-${randomUUID()}` });
  io.err(`Started deployment ${started.deploymentId}: ${request.instanceType} in ${request.region} (stack ${stack.stackName}, ${stack.region})\n`);
  if (!options.wait) {
    printJson(io, { status: 'RUNNING', deploymentId: started.deploymentId, executionArn: started.executionArn, startedAt: started.startedAt, stackName: stack.stackName, next: `gpu-deploy status ${started.deploymentId}` });
    return 0;
  }
  await follow(sfn, started.executionArn, options, io, deps, DEPLOY_DEFINITION_PATH, request.timeouts);
  const status = await describeDeployment(sfn, stack.deployStateMachineArn, started.deploymentId);
  io.err(status.status === 'SUCCEEDED' ? `Deployment ${status.deploymentId} SUCCEEDED\n` : `Deployment ${status.deploymentId} FAILED: ${status.error}: ${status.cause ?? ''}\n`);
  printJson(io, status);
  return status.status === 'SUCCEEDED' ? 0 : 1;
}

/** `gpu-deploy start [request options] [--stage S] [--stack-region R] [--wait] [--json]`: the arguments, then startCommand. */
export async function startMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('start'), args);
  const request = requestFromFlags(values);
  const stackRegion = stackRegionFrom(stringValue(values, 'stack-region'), typeof request.region === 'string' ? request.region : undefined);
  return startCommand({ ...stackOptions(values, stackRegion), request, wait: values.wait === true }, io);
}
