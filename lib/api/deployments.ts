/**
 * Deployments as Step Functions executions, shared by every entry point (API, EventBridge, spot interruptions,
 * the CLI): a deployment's id is its execution's name, its request the execution's input.
 */
import { DescribeExecutionCommand, StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { REGION, REQUEST_DEFAULTS, parseRequest } from '../request.js';
import type { DeploymentRequest } from '../types.js';
import { assertInterruptionRegion } from '../interruptions/region.js';
import { causeMessage } from '../workflow/document.js';
import { lifetimeOfResult, type LifetimeView } from '../lifetime/deadline.js';
import { DeploymentAlreadyExistsError, DeploymentInProgressError, DeploymentNotFoundError } from './errors.js';
import { checkDeploymentId, executionArn } from './sfn.js';
import { isRecord } from '../guards.js';
import { accessCommands, regionOfArn, type AccessBlock } from '../deployments/access.js';


/**
 * The request as the state machine gets it: validated by parseRequest, with defaults applied, the region defaulting
 * to `defaultRegion` (the stack's own region for the API and EventBridge) when the request names none.
 *
 * @throws RequestInvalidError with every problem in `details.problems`
 */
export function prepareRequest(raw: unknown, defaultRegion?: string): DeploymentRequest {
  const withRegion = isRecord(raw) && raw.region === undefined && defaultRegion && REGION.test(defaultRegion) ? { ...raw, region: defaultRegion } : raw;
  return parseRequest(withRegion);
}

export interface StartDeploymentOptions {
  stateMachineArn: string;
  /** The raw request (validated here: a bad request never starts an execution). */
  request: unknown;
  /** The execution name, which becomes the deployment id. */
  name: string;
  defaultRegion?: string;
}

export interface StartedDeployment {
  deploymentId: string;
  executionArn: string;
  startedAt: string;
  request: DeploymentRequest;
}

/**
 * Validates the request and starts the deploy state machine with it. Starting the same name with the same input
 * while that execution runs returns it again (Step Functions' idempotency); a finished one or other input is a
 * DeploymentAlreadyExistsError.
 *
 * @example
 * const started = await startDeployment(sfn, { stateMachineArn, request: { instanceType: 'g5.xlarge' }, name: 'api-1' });
 * @throws RequestInvalidError, InterruptionRegionUnsupportedError, DeploymentIdInvalidError, DeploymentAlreadyExistsError, Aws*Error
 */
export async function startDeployment(sfn: SFNClient, options: StartDeploymentOptions): Promise<StartedDeployment> {
  const request = prepareRequest(options.request, options.defaultRegion);
  // The state machine's region is the stack's: refused here at once, as ValidateRequest would refuse it later.
  assertInterruptionRegion(request, /^arn:aws[a-z-]*:states:([a-z0-9-]+):/.exec(options.stateMachineArn)?.[1]);
  const name = checkDeploymentId(options.name);
  try {
    const out = await sfn.send(new StartExecutionCommand({ stateMachineArn: options.stateMachineArn, name, input: JSON.stringify(request) }));
    return {
      deploymentId: name,
      executionArn: out.executionArn ?? executionArn(options.stateMachineArn, name),
      startedAt: (out.startDate ?? new Date()).toISOString(),
      request,
    };
  } catch (error) {
    if (awsErrorCode(error) === 'ExecutionAlreadyExists') {
      throw new DeploymentAlreadyExistsError(`A deployment named ${name} already exists`, {
        hint: 'Use another id (or none: one is generated)',
        details: { deploymentId: name },
      });
    }
    throw toProjectError(error, 'StartExecution');
  }
}

/** What a caller sees of a deployment. `status` folds TIMED_OUT and ABORTED into FAILED (`executionStatus` keeps them). */
export interface DeploymentStatus {
  deploymentId: string;
  executionArn: string;
  status: 'RUNNING' | 'SUCCEEDED' | 'FAILED';
  executionStatus: string;
  startedAt?: string;
  stoppedAt?: string;
  /** The request the deployment was started with (the execution's input). */
  request?: unknown;
  /** The state machine's output when it SUCCEEDED. */
  result?: unknown;
  /** When it SUCCEEDED: its deadline and idle policy as deployed, and a line saying what ends it. */
  lifetime?: LifetimeView;
  /** The named error and what to change, when it FAILED. */
  error?: string;
  cause?: string;
  /** SUCCEEDED only: the exact connect, tunnel, exec and teardown commands of the deployment and its region. */
  access?: AccessBlock;
}

const parseJson = (text: string | undefined): unknown => {
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
};

const FAILED_WITHOUT_ERROR: Record<string, string> = { TIMED_OUT: 'States.Timeout', ABORTED: 'ExecutionAborted', FAILED: 'States.Runtime' };

/**
 * One execution of a state machine, by name.
 *
 * @throws DeploymentIdInvalidError, DeploymentNotFoundError (ExecutionDoesNotExist), Aws*Error
 */
export async function describeDeployment(sfn: SFNClient, stateMachineArn: string, deploymentId: string): Promise<DeploymentStatus> {
  const arn = executionArn(stateMachineArn, deploymentId);
  let out;
  try {
    out = await sfn.send(new DescribeExecutionCommand({ executionArn: arn }));
  } catch (error) {
    if (awsErrorCode(error) === 'ExecutionDoesNotExist') {
      throw new DeploymentNotFoundError(`No deployment ${deploymentId}`, { hint: 'Check the id: it is the execution name that start returned', details: { deploymentId } });
    }
    throw toProjectError(error, 'DescribeExecution');
  }
  const executionStatus = out.status ?? 'RUNNING';
  const status = executionStatus === 'SUCCEEDED' ? 'SUCCEEDED' : executionStatus === 'RUNNING' || executionStatus === 'PENDING_REDRIVE' ? 'RUNNING' : 'FAILED';
  const result: DeploymentStatus = { deploymentId, executionArn: arn, status, executionStatus };
  if (out.startDate) result.startedAt = out.startDate.toISOString();
  if (out.stopDate) result.stoppedAt = out.stopDate.toISOString();
  const input = parseJson(out.input);
  if (input !== undefined) result.request = input;
  if (status === 'SUCCEEDED') {
    result.result = parseJson(out.output);
    result.lifetime = lifetimeOfResult(result.result);
    const stackRegion = regionOfArn(stateMachineArn);
    result.access = accessCommands(deploymentId, deploymentRegion(result), stackRegion ? { stackRegion } : {});
  }
  if (status === 'FAILED') {
    result.error = out.error || (FAILED_WITHOUT_ERROR[executionStatus] ?? 'States.Runtime');
    if (out.cause) result.cause = causeMessage(out.cause);
  }
  return result;
}

/** The region a deployment went to: its result's, else its request's, else the request default. */
export function deploymentRegion(status: DeploymentStatus): string {
  for (const source of [status.result, status.request]) {
    if (isRecord(source) && typeof source.region === 'string' && REGION.test(source.region)) return source.region;
  }
  return REQUEST_DEFAULTS.region;
}

export interface TeardownOptions {
  deployStateMachineArn: string;
  teardownStateMachineArn: string;
  deploymentId: string;
  now?: Date;
}

export interface StartedTeardown {
  deploymentId: string;
  region: string;
  /** The deploy execution's status when teardown started (SUCCEEDED or FAILED). */
  deploymentStatus: string;
  teardownId: string;
  teardownExecutionArn: string;
  startedAt: string;
}

/** A teardown execution's name: unique per call (a failed teardown can be started again), ending in the id. */
export const teardownName = (deploymentId: string, now: Date = new Date()): string => `td-${now.getTime().toString(36)}-${deploymentId}`.slice(0, 80);

/**
 * Starts the teardown state machine for a deployment that has ended: it removes everything tagged with the
 * deployment's id, in the deployment's region. A deployment still running is refused (its launch would race the
 * teardown).
 *
 * @throws DeploymentIdInvalidError, DeploymentNotFoundError, DeploymentInProgressError, Aws*Error
 */
export async function startTeardown(sfn: SFNClient, options: TeardownOptions): Promise<StartedTeardown> {
  const deployment = await describeDeployment(sfn, options.deployStateMachineArn, options.deploymentId);
  if (deployment.status === 'RUNNING') {
    throw new DeploymentInProgressError(`Deployment ${options.deploymentId} is still running`, {
      hint: 'Wait until it ends (a failure rolls back by itself), then tear it down',
      details: { deploymentId: options.deploymentId },
    });
  }
  const region = deploymentRegion(deployment);
  const name = teardownName(options.deploymentId, options.now);
  try {
    const out = await sfn.send(
      new StartExecutionCommand({ stateMachineArn: options.teardownStateMachineArn, name, input: JSON.stringify({ deploymentId: options.deploymentId, region }) }),
    );
    return {
      deploymentId: options.deploymentId,
      region,
      deploymentStatus: deployment.executionStatus,
      teardownId: name,
      teardownExecutionArn: out.executionArn ?? executionArn(options.teardownStateMachineArn, name),
      startedAt: (out.startDate ?? new Date()).toISOString(),
    };
  } catch (error) {
    throw toProjectError(error, 'StartExecution');
  }
}
