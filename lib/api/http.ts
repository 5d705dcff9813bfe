/**
 * The REST API (API Gateway, Lambda proxy integration, IAM authorisation) over deployments:
 * POST /deployments, GET /deployments (lib/deployments/api.ts), GET /deployments/{id}, DELETE /deployments/{id} (the
 * table is lib/api/routes.ts). Pure functions of the event and an injected Step Functions client; lib/api/handler.ts
 * wires them behind middy.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import { randomUUID } from 'node:crypto';
import { GpuDeployError } from '../errors.js';
import { describeDeployment, startDeployment, startTeardown } from './deployments.js';
import { checkDeploymentId } from './sfn.js';
import { lambdaLog, type LogSink } from '../middleware/logger.js';

/** The parts of an API Gateway REST proxy event the API reads. */
export interface ApiEvent {
  httpMethod?: string;
  /** The resource template, `/deployments/{id}` (what the router matches). */
  resource?: string;
  path?: string;
  /** The raw text as API Gateway sends it; the parsed JSON once the body middleware has read it (lib/api/body.ts). */
  body?: unknown;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined> | null;
  queryStringParameters?: Record<string, string | undefined> | null;
  pathParameters?: Record<string, string | undefined> | null;
  requestContext?: { domainName?: string; stage?: string; requestId?: string; identity?: { userArn?: string | null } };
}

export interface ApiResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export interface ApiConfig {
  deployStateMachineArn: string;
  teardownStateMachineArn?: string;
  /** The stack's region: the default of a request that names none. */
  region?: string;
}


const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export const json = (statusCode: number, body: unknown): ApiResponse => ({ statusCode, headers: { ...JSON_HEADERS }, body: JSON.stringify(body) });

/** HTTP status of a project error; anything unexpected is a 500 that does not echo internals. */
const STATUS_BY_ERROR: Record<string, number> = {
  RequestInvalidError: 400,
  InterruptionRegionUnsupportedError: 400,
  DeploymentIdInvalidError: 400,
  DeploymentNotFoundError: 404,
  RouteNotFoundError: 404,
  DeploymentInProgressError: 409,
  DeploymentAlreadyExistsError: 409,
  AwsThrottlingError: 503,
  AwsTransientError: 503,
};

/**
 * The JSON error answer: `{ error, message, hint?, problems? }` with the status its name maps to.
 *
 * @example
 * errorResponse(new DeploymentNotFoundError('No deployment x')); // { statusCode: 404, ... }
 */
export function errorResponse(error: unknown, log: LogSink = lambdaLog): ApiResponse {
  if (error instanceof GpuDeployError && STATUS_BY_ERROR[error.name] !== undefined) {
    const problems = error.details?.problems;
    const response = json(STATUS_BY_ERROR[error.name] as number, {
      error: error.name,
      message: error.message,
      ...(error.hint ? { hint: error.hint } : {}),
      ...(Array.isArray(problems) ? { problems } : {}),
    });
    if (response.statusCode === 503) response.headers['retry-after'] = '5';
    return response;
  }
  const name = error instanceof GpuDeployError ? error.name : 'InternalError';
  log('error', error instanceof Error ? error.message : String(error), { error: error instanceof Error ? error.name : 'Error' });
  return json(500, { error: name, message: 'The request could not be served; see the function logs' });
}

/** Where GET answers for a deployment: absolute when API Gateway says its domain and stage. */
export function statusUrl(event: ApiEvent, deploymentId: string): string {
  const path = `/deployments/${encodeURIComponent(deploymentId)}`;
  const { domainName, stage } = event.requestContext ?? {};
  return domainName ? `https://${domainName}${stage && stage !== '$default' ? `/${stage}` : ''}${path}` : path;
}

/**
 * POST /deployments: validate the body with the request schema (400 with every problem), start the deploy state
 * machine, answer 202 `{ deploymentId, executionArn, statusUrl }`. An `Idempotency-Key` header (an id's characters)
 * names the execution, so a retried POST does not start a second deployment. The body arrives parsed and the
 * header names lower-cased (the middleware of lib/api/handler.ts); errors are answered there (errorResponse).
 */
export async function postDeployment(event: ApiEvent, sfn: SFNClient, config: ApiConfig, newId: () => string = () => `api-${randomUUID()}`): Promise<ApiResponse> {
  const key = event.headers?.['idempotency-key'];
  const name = key === undefined ? newId() : checkDeploymentId(key);
  const started = await startDeployment(sfn, {
    stateMachineArn: config.deployStateMachineArn,
    request: event.body,
    name,
    ...(config.region ? { defaultRegion: config.region } : {}),
  });
  return json(202, {
    deploymentId: started.deploymentId,
    executionArn: started.executionArn,
    status: 'RUNNING',
    startedAt: started.startedAt,
    statusUrl: statusUrl(event, started.deploymentId),
    request: started.request,
  });
}

/** GET /deployments/{id}: RUNNING, SUCCEEDED with the result, or FAILED with the named error and its cause; 404 for unknown ids. */
export async function getDeployment(event: ApiEvent, sfn: SFNClient, config: ApiConfig): Promise<ApiResponse> {
  const id = checkDeploymentId(event.pathParameters?.id);
  return json(200, await describeDeployment(sfn, config.deployStateMachineArn, id));
}

/** DELETE /deployments/{id}: start the teardown of an ended deployment, 202; 404 unknown, 409 still running. */
export async function deleteDeployment(event: ApiEvent, sfn: SFNClient, config: ApiConfig, now: Date = new Date()): Promise<ApiResponse> {
  const id = checkDeploymentId(event.pathParameters?.id);
  if (!config.teardownStateMachineArn) throw new Error('TEARDOWN_STATE_MACHINE_ARN is not set');
  const started = await startTeardown(sfn, {
    deployStateMachineArn: config.deployStateMachineArn,
    teardownStateMachineArn: config.teardownStateMachineArn,
    deploymentId: id,
    now,
  });
  return json(202, { ...started, status: 'TEARDOWN_STARTED' });
}
