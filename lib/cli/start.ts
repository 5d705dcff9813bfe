import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { parseArgs } from 'node:util';
import { describeDeployment, prepareRequest, startDeployment } from '../api/deployments.js';
import { followExecution } from '../api/follow.js';
import { sfnClient } from '../api/sfn.js';
import { cloudFormationClient, deployedStack, type DeployedStack } from '../api/stack.js';
import { STACK_OPTION_SPEC, stackOptions } from './args.js';
import { printJson, progressLine, type Io } from './output.js';
import { REQUEST_OPTION_SPEC, requestFromOptions } from './request-options.js';

/** Clients and timing of the commands that talk to the deployed stack; tests inject them. */
export interface DeployedDeps {
  cfn?: CloudFormationClient;
  sfn?: SFNClient;
  sleep?: (ms: number) => Promise<void>;
  newId?: () => string;
  now?: () => Date;
}

export interface StackOptions {
  /** serverless stage: the stack is `gpu-deploy-<stage>`. */
  stage: string;
  /** Where the stack is deployed. */
  stackRegion: string;
  /** Poll interval of --wait. */
  pollMs?: number;
  timeoutMs?: number;
}

/**
 * Where the stack is: `--stack-region`, else `AWS_REGION` / `AWS_DEFAULT_REGION`, else `fallback` (the request's
 * region for start, `--region` for status and teardown), else us-east-1.
 */
export function stackRegionFrom(explicit: string | undefined, fallback: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return explicit ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? fallback ?? 'us-east-1';
}

export async function connect(options: StackOptions, deps: DeployedDeps): Promise<{ stack: DeployedStack; sfn: SFNClient }> {
  const stack = await deployedStack(deps.cfn ?? cloudFormationClient(options.stackRegion), options.stage, options.stackRegion);
  return { stack, sfn: deps.sfn ?? sfnClient(options.stackRegion) };
}

/** Follows an execution with progress lines on stderr, as `gpu-deploy run` shows them. */
export async function follow(sfn: SFNClient, executionArn: string, options: StackOptions, io: Io, deps: DeployedDeps): Promise<string> {
  return followExecution(sfn, executionArn, {
    ...(options.pollMs === undefined ? {} : { pollMs: options.pollMs }),
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
    onEvent: (event) => {
      const line = progressLine(event);
      if (line) io.err(line);
    },
  });
}

/**
 * `gpu-deploy start`: validates the request here, finds the deployed stack's deploy state machine, starts an
 * execution (id `cli-<uuid>`) and prints `{ status, deploymentId, executionArn }`; with `wait`, follows it and
 * prints the deployment's final status (exit 1 when it failed).
 */
export async function startCommand(options: StackOptions & { request: Record<string, unknown>; wait: boolean }, io: Io, deps: DeployedDeps = {}): Promise<number> {
  const request = prepareRequest(options.request, options.stackRegion);
  const { stack, sfn } = await connect(options, deps);
  const started = await startDeployment(sfn, { stateMachineArn: stack.deployStateMachineArn, request, name: deps.newId?.() ?? `cli-${randomUUID()}` });
  io.err(`Started deployment ${started.deploymentId}: ${request.instanceType} in ${request.region} (stack ${stack.stackName}, ${stack.region})\n`);
  if (!options.wait) {
    printJson(io, { status: 'RUNNING', deploymentId: started.deploymentId, executionArn: started.executionArn, startedAt: started.startedAt, stackName: stack.stackName, next: `gpu-deploy status ${started.deploymentId}` });
    return 0;
  }
  await follow(sfn, started.executionArn, options, io, deps);
  const status = await describeDeployment(sfn, stack.deployStateMachineArn, started.deploymentId);
  io.err(status.status === 'SUCCEEDED' ? `Deployment ${status.deploymentId} SUCCEEDED\n` : `Deployment ${status.deploymentId} FAILED: ${status.error}: ${status.cause ?? ''}\n`);
  printJson(io, status);
  return status.status === 'SUCCEEDED' ? 0 : 1;
}

/** `gpu-deploy start [request options] [--stage S] [--stack-region R] [--wait] [--json]`: the arguments, then startCommand. */
export async function startMain(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { ...REQUEST_OPTION_SPEC, ...STACK_OPTION_SPEC, wait: { type: 'boolean' } }, strict: true });
  const request = requestFromOptions(values);
  const stackRegion = stackRegionFrom(values['stack-region'], typeof request.region === 'string' ? request.region : undefined);
  return startCommand({ ...stackOptions(values, stackRegion), request, wait: values.wait === true }, io);
}
