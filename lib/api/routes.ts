/**
 * The REST API's routes, one entry each: which Lambda serves it (its own least-privilege role in serverless.yml),
 * and the pure function that answers it. Adding a route is one entry here, its function in functions/ and its
 * `http` event in serverless.yml.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { getDeployments, type ListEvent } from '../deployments/api.js';
import type { ApiConfig, ApiEvent, ApiResponse } from './http.js';
import { deleteDeployment, getDeployment, postDeployment } from './http.js';

/** What a route may use; each part is built only when the route asks for it. */
export interface RouteDeps {
  /** The state machines' client and config (from the environment): the execution routes. */
  executions: () => { sfn: SFNClient; config: ApiConfig };
  /** EC2 per region, given by the function serving the instance routes (only its bundle carries the EC2 client). */
  ec2For?: (region: string) => EC2Client;
  /** The function's own region (the stack's). */
  region: string;
}

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway's resource path, `{name}` for a path parameter. */
  path: string;
  /** The serverless.yml function that serves it. */
  functionName: string;
  /** The function's config needs TEARDOWN_STATE_MACHINE_ARN. */
  teardown: boolean;
  handle: (event: ApiEvent, deps: RouteDeps) => Promise<ApiResponse>;
}

type ExecutionRoute = (event: ApiEvent, sfn: SFNClient, config: ApiConfig) => Promise<ApiResponse>;
const onExecutions = (route: ExecutionRoute) => (event: ApiEvent, deps: RouteDeps) => {
  const { sfn, config } = deps.executions();
  return route(event, sfn, config);
};

function listInstances(event: ApiEvent, deps: RouteDeps): Promise<ApiResponse> {
  if (!deps.ec2For) throw new TypeError('GET /deployments needs EC2 clients: build its handler with apiHandler(name, { ec2For })');
  return getDeployments(event as ListEvent, deps.ec2For, deps.region);
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/deployments', functionName: 'apiStart', teardown: false, handle: onExecutions(postDeployment) },
  { method: 'GET', path: '/deployments', functionName: 'apiList', teardown: false, handle: listInstances },
  { method: 'GET', path: '/deployments/{id}', functionName: 'apiStatus', teardown: false, handle: onExecutions(getDeployment) },
  { method: 'DELETE', path: '/deployments/{id}', functionName: 'apiTeardown', teardown: true, handle: onExecutions(deleteDeployment) },
];
