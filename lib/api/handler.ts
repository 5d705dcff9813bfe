import middy, { type MiddlewareObj } from '@middy/core';
import httpHeaderNormalizer from '@middy/http-header-normalizer';
import httpRouterHandler from '@middy/http-router';
import { deploymentLogging } from '../middleware/logger.js';
import { jsonBody } from './body.js';
import { arnRegion, apiConfig } from './config.js';
import { RouteNotFoundError } from './errors.js';
import { errorResponse, type ApiEvent, type ApiResponse } from './http.js';
import { API_ROUTES, type ApiRoute, type RouteDeps } from './routes.js';
import { sfnClient } from './sfn.js';

/** Middy middleware: any error becomes the API's JSON error answer (`{ error, message, hint?, problems? }`). */
export const apiErrors = (): MiddlewareObj<ApiEvent, ApiResponse> => ({
  onError: function answerError(request) {
    request.response = errorResponse(request.error);
  },
});

const notFound = ({ method, path }: { method: string; path: string }): never => {
  throw new RouteNotFoundError(`No route ${method} ${path} in this function`, { hint: 'Check the API Gateway integration of this path (serverless.yml)' });
};

const answer = (route: ApiRoute, clients: ApiClients) =>
  async function routeHandler(event: ApiEvent): Promise<ApiResponse> {
    const executions = () => {
      const config = apiConfig(process.env, route.teardown);
      return { sfn: sfnClient(arnRegion(config.deployStateMachineArn)), config };
    };
    return route.handle(event, { executions, region: process.env.AWS_REGION ?? 'us-east-1', ...clients });
  };

/** Clients a function passes in for its routes (the execution routes need none: they build theirs). */
export type ApiClients = Pick<RouteDeps, 'ec2For'>;

/**
 * The Lambda handler of one serverless.yml function: middy's router over that function's routes (API_ROUTES),
 * behind the Powertools logger, header normalization (lower-case names), the JSON body parser (POST, PUT, PATCH) and the
 * JSON error answer.
 *
 * The router matches API Gateway's `resource` (`/deployments/{id}`), not `path`: the path carries a custom
 * domain's base path, the resource never does; the path parameters API Gateway decoded are kept.
 *
 * @example
 * export const handler = apiHandler('apiStatus');
 */
export function apiHandler(functionName: string, clients: ApiClients = {}) {
  const routes = API_ROUTES.filter((route) => route.functionName === functionName);
  if (routes.length === 0) throw new TypeError(`No API route is served by ${functionName}`);
  const router = httpRouterHandler({
    routes: routes.map((route) => ({ method: route.method, path: route.path, handler: answer(route, clients) })),
    notFoundResponse: notFound,
  } as never) as unknown as (event: ApiEvent, context: unknown) => Promise<ApiResponse>;
  const byResource = (event: ApiEvent, context: unknown): Promise<ApiResponse> => router({ ...event, path: event.resource ?? event.path }, context);
  const handler = middy<ApiEvent, ApiResponse>(byResource)
    .use(deploymentLogging() as MiddlewareObj<ApiEvent, ApiResponse>)
    .use(httpHeaderNormalizer() as MiddlewareObj<ApiEvent, ApiResponse>)
    .use(jsonBody() as MiddlewareObj<ApiEvent, ApiResponse>);
  return handler.use(apiErrors());
}
