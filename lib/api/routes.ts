/**
 * The REST API's routes, one entry each: which Lambda serves it (its own least-privilege role in serverless.yml),
 * and the pure function that answers it. Adding a route is one entry here, its function in functions/ and its
 * `http` event in serverless.yml.
 */
import type { SFNClient } from '@aws-sdk/client-sfn';
import type { ApiConfig, ApiEvent, ApiResponse } from './http.js';
import { deleteDeployment, getDeployment, postDeployment } from './http.js';

export interface ApiRoute {
  method: 'GET' | 'POST' | 'DELETE';
  /** API Gateway's resource path, `{name}` for a path parameter. */
  path: string;
  /** The serverless.yml function that serves it. */
  functionName: string;
  /** The function's config needs TEARDOWN_STATE_MACHINE_ARN. */
  teardown: boolean;
  handle: (event: ApiEvent, sfn: SFNClient, config: ApiConfig) => Promise<ApiResponse>;
}

export const API_ROUTES: readonly ApiRoute[] = [
  { method: 'POST', path: '/deployments', functionName: 'apiStart', teardown: false, handle: postDeployment },
  { method: 'GET', path: '/deployments/{id}', functionName: 'apiStatus', teardown: false, handle: getDeployment },
  { method: 'DELETE', path: '/deployments/{id}', functionName: 'apiTeardown', teardown: true, handle: deleteDeployment },
];
