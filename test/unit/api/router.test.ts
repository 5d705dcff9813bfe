import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as startHandler } from '../../../functions/api-start.js';
import { handler as statusHandler } from '../../../functions/api-status.js';
import { parseBody } from '../../../lib/api/body.js';
import { apiHandler } from '../../../lib/api/handler.js';
import { API_ROUTES } from '../../../lib/api/routes.js';
import { resetClients } from '../../../lib/aws/clients.js';
import { RequestInvalidError } from '../../../lib/errors.js';

const sfnMock = mockClient(SFNClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const context = {} as never;
const saved = { ...process.env };
const json = (response: { body: string }): Record<string, unknown> => JSON.parse(response.body) as Record<string, unknown>;

beforeEach(() => {
  sfnMock.reset();
  process.env.DEPLOY_STATE_MACHINE_ARN = DEPLOY;
  process.env.AWS_REGION = 'eu-west-1';
  resetClients();
});
afterAll(() => {
  process.env = saved;
});

describe('the route table', () => {
  test('every route is served by the function serverless.yml names, one function per method and resource', () => {
    expect(API_ROUTES.map((r) => `${r.method} ${r.path} -> ${r.functionName}`)).toEqual([
      'POST /deployments -> apiStart',
      'GET /deployments -> apiList',
      'GET /deployments/{id} -> apiStatus',
      'DELETE /deployments/{id} -> apiTeardown',
    ]);
  });

  test('a function without a route is refused when its handler is built', () => {
    expect(() => apiHandler('apiNothing')).toThrow('No API route is served by apiNothing');
  });
});

describe('the router in a function', () => {
  test('a method the function does not serve is a 404 RouteNotFoundError in JSON; nothing is called', async () => {
    // Act: API Gateway wired GET /deployments/{id} to the POST function by mistake.
    const response = await startHandler({ httpMethod: 'GET', resource: '/deployments/{id}', path: '/deployments/x', pathParameters: { id: 'x' } } as never, context);
    // Assess
    expect(response.statusCode).toBe(404);
    expect(json(response)).toMatchObject({ error: 'RouteNotFoundError', message: 'No route GET /deployments/{id} in this function' });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('a custom domain base path in `path` still routes: the resource is what is matched', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date('2025-01-01T00:00:00Z'), input: '{}' });
    // Act
    const response = await statusHandler(
      { httpMethod: 'GET', resource: '/deployments/{id}', path: '/gpu/v1/deployments/api-1', pathParameters: { id: 'api-1' } } as never,
      context,
    );
    // Assess
    expect(response.statusCode).toBe(200);
    expect(json(response)).toMatchObject({ deploymentId: 'api-1', status: 'RUNNING' });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input.executionArn).toBe(`${DEPLOY.replace(':stateMachine:', ':execution:')}:api-1`);
  });

  test('header names are normalized: IDEMPOTENCY-KEY names the execution', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DEPLOY}:k-1`, startDate: new Date() });
    // Act
    const response = await startHandler({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', headers: { 'IDEMPOTENCY-KEY': 'k-1' }, body: '{}' } as never, context);
    // Assess
    expect(response.statusCode).toBe(202);
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.name).toBe('k-1');
  });

  test('a body with a prototype key is a 400 naming the key; nothing starts', async () => {
    const response = await startHandler({ httpMethod: 'POST', resource: '/deployments', path: '/deployments', body: '{"__proto__": {"admin": true}}' } as never, context);
    expect(response.statusCode).toBe(400);
    expect(json(response)).toMatchObject({ error: 'RequestInvalidError', problems: ['"__proto__" is not a known field (a prototype key, refused as the body is read)'] });
    expect(sfnMock.calls()).toHaveLength(0);
  });
});

describe('parseBody (middy JSON body parser)', () => {
  test('JSON text, plain or base64, becomes the value; any content type is read', () => {
    expect(parseBody({ body: '{"a": [1]}', headers: { 'content-type': 'text/plain' } })).toEqual({ a: [1] });
    expect(parseBody({ body: Buffer.from('{"b": 2}').toString('base64'), isBase64Encoded: true })).toEqual({ b: 2 });
  });

  test.each([
    ['null', null, 'The request body is empty'],
    ['blank', ' \n', 'The request body is empty'],
    ['blank once decoded', Buffer.from('  ').toString('base64'), 'The request body is empty'],
    ['cut short', '{"instanceType": ', 'The request body is not JSON: '],
  ])('a %s body is a RequestInvalidError', (_what, body, message) => {
    const isBase64Encoded = _what === 'blank once decoded';
    expect(() => parseBody({ body, isBase64Encoded })).toThrow(RequestInvalidError);
    expect(() => parseBody({ body, isBase64Encoded })).toThrow(message);
  });
});
