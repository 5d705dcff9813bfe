import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as startHandler } from '../../../functions/api-start.js';
import { handler as statusHandler } from '../../../functions/api-status.js';
import { handler as teardownHandler } from '../../../functions/api-teardown.js';
import { deploymentRegion, teardownName } from '../../../lib/api/deployments.js';
import { parseBody } from '../../../lib/api/body.js';
import { errorResponse, statusUrl, type ApiEvent, type ApiResponse } from '../../../lib/api/http.js';
import { checkDeploymentId, executionArn, requiredEnv } from '../../../lib/api/sfn.js';
import { apiConfig, arnRegion } from '../../../lib/api/config.js';
import { GpuDeployError } from '../../../lib/errors.js';

const sfnMock = mockClient(SFNClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const TEARDOWN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown';
const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
const context = {} as never;
const body = (response: ApiResponse): Record<string, any> => JSON.parse(response.body) as Record<string, any>;
// API Gateway REST proxy events carry the method, the resource template and the path; the router matches them.
const POST_ROUTE = { httpMethod: 'POST', resource: '/deployments', path: '/deployments' };
const post = (payload: unknown, extra: Partial<ApiEvent> = {}): ApiEvent => ({
  ...POST_ROUTE,
  body: typeof payload === 'string' ? payload : JSON.stringify(payload),
  requestContext: { domainName: 'abc123.execute-api.eu-west-1.amazonaws.com', stage: 'dev' },
  ...extra,
});
const path = (id: unknown, httpMethod = 'GET'): ApiEvent => ({ httpMethod, resource: '/deployments/{id}', path: `/deployments/${String(id)}`, pathParameters: { id: id as string } });

const saved = { ...process.env };
beforeEach(() => {
  sfnMock.reset();
  process.env.DEPLOY_STATE_MACHINE_ARN = DEPLOY;
  process.env.TEARDOWN_STATE_MACHINE_ARN = TEARDOWN;
  process.env.AWS_REGION = 'eu-west-1';
});
afterAll(() => {
  process.env = saved;
});

describe('POST /deployments', () => {
  test('a valid body starts an execution of the deploy state machine with the validated request: 202', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date('2025-01-01T00:00:00Z'),
    }));

    // Act
    const response = await startHandler(post({ instanceType: 'g5.xlarge', market: 'spot' }), context);

    // Assess
    expect(response.statusCode).toBe(202);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    const started = body(response);
    expect(started.deploymentId).toMatch(/^api-[0-9a-f-]{36}$/);
    expect(started).toMatchObject({
      status: 'RUNNING',
      executionArn: `arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:${started.deploymentId}`,
      statusUrl: `https://abc123.execute-api.eu-west-1.amazonaws.com/dev/deployments/${started.deploymentId}`,
      startedAt: '2025-01-01T00:00:00.000Z',
    });
    const call = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call.stateMachineArn).toBe(DEPLOY);
    expect(call.name).toBe(started.deploymentId);
    // The stack's region is the default; the request arrives with every default applied.
    expect(JSON.parse(call.input!)).toMatchObject({ instanceType: 'g5.xlarge', market: 'spot', region: 'eu-west-1', osType: 'ubuntu-22.04', rootVolumeGiB: 100 });
  });

  test('relaunch on interruption for a region other than the stack\'s: 400 InterruptionRegionUnsupportedError, nothing started', async () => {
    // Act: the stack (the deploy state machine's ARN) is in eu-west-1.
    const response = await startHandler(post({ instanceType: 'g5.xlarge', region: 'us-east-1', onInterruption: 'relaunch' }), context);
    // Assess
    expect(response.statusCode).toBe(400);
    expect(body(response)).toMatchObject({ error: 'InterruptionRegionUnsupportedError', hint: expect.stringContaining('--region us-east-1') });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('an Idempotency-Key header names the execution; a base64 body is decoded', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DEPLOY.replace(':stateMachine:', ':execution:')}:my-key-1`, startDate: new Date() });

    // Act
    const response = await startHandler(
      post(Buffer.from(JSON.stringify({ region: 'us-west-2' })).toString('base64'), { isBase64Encoded: true, headers: { 'Idempotency-Key': 'my-key-1' } }),
      context,
    );

    // Assess
    expect(response.statusCode).toBe(202);
    expect(body(response).deploymentId).toBe('my-key-1');
    expect(JSON.parse(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.input!)).toMatchObject({ region: 'us-west-2' });
  });

  test.each([
    ['an invalid request', { instanceType: 'g5.xlarge', osType: 'windows', market: 'cheap' }, ['osType must be one of', 'market must be one of']],
    ['an unknown field', { instanceType: 'g5.xlarge', gpu: 'A10G' }, ['"gpu" is not a known field']],
    ['a body that is not an object', [1, 2], []],
  ])('%s: 400 with every problem, nothing started', async (_label, request, problems) => {
    // Act
    const response = await startHandler(post(request), context);

    // Assess
    expect(response.statusCode).toBe(400);
    const answer = body(response);
    expect(answer.error).toBe('RequestInvalidError');
    for (const problem of problems) expect(answer.problems).toEqual(expect.arrayContaining([expect.stringContaining(problem)]));
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test.each([
    ['no body', { body: null }],
    ['an empty body', { body: '   ' }],
    ['a body that is not JSON', { body: '{"instanceType": ' }],
    ['a bad Idempotency-Key', { body: '{}', headers: { 'idempotency-key': '../../etc' } }],
  ])('%s: 400, nothing started', async (_label, event) => {
    const response = await startHandler({ ...POST_ROUTE, ...event } as ApiEvent, context);
    expect(response.statusCode).toBe(400);
    expect(['RequestInvalidError', 'DeploymentIdInvalidError']).toContain(body(response).error);
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test.each([
    ['ExecutionAlreadyExists', 409, 'DeploymentAlreadyExistsError'],
    ['ThrottlingException', 503, 'AwsThrottlingError'],
    ['ServiceUnavailable', 503, 'AwsTransientError'],
    ['AccessDeniedException', 500, 'AwsAccessDeniedError'],
    ['StateMachineDoesNotExist', 500, 'AwsRequestError'],
  ])('StartExecution failing with %s: %i %s', async (code, status, error) => {
    // Prepare
    sfnMock.on(StartExecutionCommand).rejects(awsError(code, code === 'ServiceUnavailable' ? 503 : code === 'AccessDeniedException' ? 403 : 400));

    // Act
    const response = await startHandler(post({}), context);

    // Assess
    expect(response.statusCode).toBe(status);
    expect(body(response).error).toBe(error);
    if (status === 503) expect(response.headers['retry-after']).toBe('5');
    if (status === 500) expect(body(response).message).not.toContain(code);
  });

  test('without its environment the function answers 500 and names the configuration error', async () => {
    delete process.env.DEPLOY_STATE_MACHINE_ARN;
    const response = await startHandler(post({}), context);
    expect(response.statusCode).toBe(500);
    expect(body(response).error).toBe('ConfigurationError');
  });
});

describe('GET /deployments/{id}', () => {
  const arn = `${DEPLOY.replace(':stateMachine:', ':execution:')}:api-1`;

  test.each([
    ['RUNNING', { status: 'RUNNING' }, { status: 'RUNNING' }],
    ['SUCCEEDED', { status: 'SUCCEEDED', output: JSON.stringify({ status: 'SUCCEEDED', instanceId: 'i-0abc' }), stopDate: new Date('2025-01-01T00:10:00Z') }, { status: 'SUCCEEDED', result: { status: 'SUCCEEDED', instanceId: 'i-0abc' }, stoppedAt: '2025-01-01T00:10:00.000Z' }],
    ['FAILED', { status: 'FAILED', error: 'InstanceTypeUnknownError', cause: JSON.stringify({ errorMessage: 'No instance type "g5.xlargee". Did you mean g5.xlarge?' }) }, { status: 'FAILED', error: 'InstanceTypeUnknownError', cause: 'No instance type "g5.xlargee". Did you mean g5.xlarge?' }],
    ['FAILED with a plain cause', { status: 'FAILED', error: 'RollbackIncompleteError', cause: 'i-0abc remains' }, { status: 'FAILED', error: 'RollbackIncompleteError', cause: 'i-0abc remains' }],
    ['TIMED_OUT', { status: 'TIMED_OUT' }, { status: 'FAILED', executionStatus: 'TIMED_OUT', error: 'States.Timeout' }],
    ['ABORTED', { status: 'ABORTED' }, { status: 'FAILED', executionStatus: 'ABORTED', error: 'ExecutionAborted' }],
    ['PENDING_REDRIVE', { status: 'PENDING_REDRIVE' }, { status: 'RUNNING' }],
  ])('an execution %s: 200 with the mapped status', async (_label, execution, expected) => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arn, input: '{"instanceType":"g5.xlarge","region":"eu-west-1"}', startDate: new Date('2025-01-01T00:00:00Z'), ...execution } as never);

    // Act
    const response = await statusHandler(path('api-1'), context);

    // Assess
    expect(response.statusCode).toBe(200);
    expect(body(response)).toMatchObject({ deploymentId: 'api-1', executionArn: arn, startedAt: '2025-01-01T00:00:00.000Z', request: { instanceType: 'g5.xlarge' }, ...expected });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: arn });
  });

  test('a succeeded deployment shows what ends it (GET /deployments/{id} lifetime)', async () => {
    const output = { status: 'SUCCEEDED', expiresAt: '2026-12-02T09:30:00Z', idleTeardown: null, lifetime: { schedule: null } };
    sfnMock.on(DescribeExecutionCommand).resolves({ executionArn: arn, status: 'SUCCEEDED', output: JSON.stringify(output), startDate: new Date('2025-01-01T00:00:00Z') } as never);
    const response = await statusHandler(path('api-1'), context);
    expect(body(response).lifetime).toEqual({
      expiresAt: '2026-12-02T09:30:00Z', idleTeardown: null,
      summary: 'expires at 2026-12-02T09:30:00Z (no teardown schedule: the instance shuts itself down 10 minutes later)',
    });
  });

  test('an unknown id: 404', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    const response = await statusHandler(path('api-unknown'), context);
    expect(response.statusCode).toBe(404);
    expect(body(response)).toMatchObject({ error: 'DeploymentNotFoundError', message: 'No deployment api-unknown' });
  });

  test.each([['a path', '../stateMachine:x'], ['a colon', 'a:b'], ['81 characters', 'x'.repeat(81)], ['nothing', undefined]])(
    'an id with %s: 400 before any ARN is built',
    async (_label, id) => {
      const response = await statusHandler(path(id), context);
      expect(response.statusCode).toBe(400);
      expect(body(response).error).toBe('DeploymentIdInvalidError');
      expect(sfnMock.calls()).toHaveLength(0);
    },
  );

  test('DescribeExecution throttled: 503', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ThrottlingException'));
    expect((await statusHandler(path('api-1'), context)).statusCode).toBe(503);
  });
});

describe('DELETE /deployments/{id}', () => {
  test('an ended deployment: teardown started in its region, 202', async () => {
    // Prepare
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: '{"region":"eu-west-1"}', output: '{"region":"us-west-2","instanceId":"i-1"}' });
    sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
      executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
      startDate: new Date('2025-01-01T00:00:00Z'),
    }));

    // Act
    const response = await teardownHandler(path('api-1', 'DELETE'), context);

    // Assess
    expect(response.statusCode).toBe(202);
    const answer = body(response);
    expect(answer).toMatchObject({ status: 'TEARDOWN_STARTED', deploymentId: 'api-1', region: 'us-west-2', deploymentStatus: 'SUCCEEDED' });
    expect(answer.teardownId).toMatch(/^td-[0-9a-z]+-api-1$/);
    const call = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call).toEqual({ stateMachineArn: TEARDOWN, name: answer.teardownId, input: JSON.stringify({ deploymentId: 'api-1', region: 'us-west-2' }) });
  });

  test('a deployment still running: 409, nothing started', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const response = await teardownHandler(path('api-1', 'DELETE'), context);
    expect(response.statusCode).toBe(409);
    expect(body(response).error).toBe('DeploymentInProgressError');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  test('an unknown id: 404; a bad id: 400', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    expect((await teardownHandler(path('nope', 'DELETE'), context)).statusCode).toBe(404);
    expect((await teardownHandler(path('a/b', 'DELETE'), context)).statusCode).toBe(400);
  });

  test('StartExecution of the teardown failing: a named error', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', input: '{}' });
    sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));
    expect((await teardownHandler(path('api-1', 'DELETE'), context)).statusCode).toBe(503);
  });

  test('without TEARDOWN_STATE_MACHINE_ARN: 500 ConfigurationError', async () => {
    delete process.env.TEARDOWN_STATE_MACHINE_ARN;
    const response = await teardownHandler(path('api-1', 'DELETE'), context);
    expect(response.statusCode).toBe(500);
    expect(body(response).error).toBe('ConfigurationError');
  });
});

describe('lib/api helpers', () => {
  test('executionArn builds from a state machine ARN and a checked id only', () => {
    expect(executionArn(DEPLOY, 'api-1')).toBe('arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:api-1');
    expect(() => executionArn('arn:aws:lambda:eu-west-1:123456789012:function:x', 'api-1')).toThrow(GpuDeployError);
    expect(() => executionArn(DEPLOY, 'a:b')).toThrow('not a deployment id');
    expect(checkDeploymentId('A_b-9')).toBe('A_b-9');
    expect(() => checkDeploymentId(42)).toThrow('42 is not a deployment id');
  });

  test('requiredEnv and apiConfig name what is missing', () => {
    expect(() => requiredEnv('NOPE', {})).toThrow('NOPE is not set');
    expect(apiConfig({ DEPLOY_STATE_MACHINE_ARN: DEPLOY })).toEqual({ deployStateMachineArn: DEPLOY, region: 'eu-west-1' });
    expect(() => apiConfig({ DEPLOY_STATE_MACHINE_ARN: DEPLOY }, true)).toThrow('TEARDOWN_STATE_MACHINE_ARN is not set');
    expect(arnRegion(DEPLOY)).toBe('eu-west-1');
  });

  test('deploymentRegion: the result, else the request, else the default', () => {
    const base = { deploymentId: 'x', executionArn: 'x', status: 'FAILED' as const, executionStatus: 'FAILED' };
    expect(deploymentRegion({ ...base, result: { region: 'ap-south-1' }, request: { region: 'eu-west-1' } })).toBe('ap-south-1');
    expect(deploymentRegion({ ...base, request: { region: 'eu-west-1' } })).toBe('eu-west-1');
    expect(deploymentRegion({ ...base, request: { region: 'mars' } })).toBe('us-east-1');
  });

  test('teardownName is a valid, unique-per-call id of at most 80 characters', () => {
    const name = teardownName('x'.repeat(80), new Date(0));
    expect(name).toHaveLength(80);
    expect(checkDeploymentId(name)).toBe(name);
    expect(teardownName('a', new Date(1))).not.toBe(teardownName('a', new Date(2)));
  });

  test('statusUrl without a domain is the path; parseBody refuses an empty body', () => {
    expect(statusUrl({}, 'a b')).toBe('/deployments/a%20b');
    expect(statusUrl({ requestContext: { domainName: 'api.example.com', stage: '$default' } }, 'x')).toBe('https://api.example.com/deployments/x');
    expect(() => parseBody({})).toThrow('The request body is empty');
  });

  test('errorResponse logs an unexpected error and answers 500 without its message', () => {
    const lines: Record<string, unknown>[] = [];
    const response = errorResponse(new TypeError('secret internals'), (level, message, fields) => lines.push({ level, message, ...fields }));
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain('secret');
    expect(lines[0]).toMatchObject({ level: 'error', error: 'TypeError', message: 'secret internals' });
  });
});
