import { EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { resetClients } from '../../../lib/aws/clients.js';

// As the Lambda runtime sets them, before the logger is created: Powertools reads the initialization type for
// cold_start, and the logger (silent outside Lambda) speaks when a log level is asked for.
process.env.AWS_LAMBDA_INITIALIZATION_TYPE = 'on-demand';
process.env.POWERTOOLS_LOG_LEVEL = 'INFO';
const { deploymentKeys, lambdaLog } = await import('../../../lib/middleware/logger.js');
const { handler: apiStatus } = await import('../../../functions/api-status.js');
const { handler: launch } = await import('../../../functions/launch.js');
const { handler: validateRequest } = await import('../../../functions/validate-request.js');

const ARN = 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:cli-1234';
const ec2 = mockClient(EC2Client);

/** A Lambda context as the runtime passes it (the fields Powertools reads). */
const lambdaContext = (awsRequestId: string) =>
  ({
    functionName: 'gpu-deploy-dev-validateRequest',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:123456789012:function:gpu-deploy-dev-validateRequest',
    memoryLimitInMB: '1024',
    awsRequestId,
    getRemainingTimeInMillis: () => 60_000,
  }) as never;

/** What the logger writes (JSON lines on stdout and stderr) while `work` runs, parsed. */
async function logLines(work: () => Promise<unknown>): Promise<Record<string, unknown>[]> {
  const written: string[] = [];
  const out = process.stdout.write;
  const err = process.stderr.write;
  const capture = ((chunk: string | Uint8Array) => written.push(String(chunk)) > 0) as typeof process.stdout.write;
  process.stdout.write = capture;
  process.stderr.write = capture;
  try {
    await work().catch(() => undefined);
  } finally {
    process.stdout.write = out;
    process.stderr.write = err;
  }
  return written.flatMap((chunk) => chunk.split('\n').filter((line) => line.startsWith('{'))).map((line) => JSON.parse(line) as Record<string, unknown>);
}

beforeAll(() => {
  process.env.AWS_REGION = 'us-east-1';
  resetClients();
});
afterAll(() => {
  delete process.env.POWERTOOLS_LOG_LEVEL;
  delete process.env.AWS_LAMBDA_INITIALIZATION_TYPE;
});

describe('Powertools logger in the Lambdas', () => {
  test('a ValidateRequest log line carries deploymentId, executionArn, cold_start and the request id', async () => {
    // Act: a bad request fails before any AWS call; the failure is logged by the handler's middleware.
    const first = await logLines(() => validateRequest({ request: { osType: 'windows' }, execution: { id: ARN, name: 'cli-1234', startTime: '2026-01-01T00:00:00Z' } } as never, lambdaContext('req-first')));
    const second = await logLines(() => validateRequest({ request: { market: 'cheap' }, execution: { id: `${ARN}x`, name: 'cli-1234x', startTime: '2026-01-01T00:00:00Z' } } as never, lambdaContext('req-second')));

    // Assess
    expect(first).toHaveLength(1);
    expect(first[0]).toMatchObject({
      level: 'ERROR',
      service: 'gpu-deploy',
      deploymentId: 'cli-1234',
      executionArn: ARN,
      cold_start: true,
      function_name: 'gpu-deploy-dev-validateRequest',
      function_request_id: 'req-first',
      function: 'validateRequest',
      error: 'RequestInvalidError',
    });
    expect(String(first[0]!.message)).toContain('osType must be one of');
    // The next invocation is warm and carries its own keys, not the previous one's.
    expect(second[0]).toMatchObject({ cold_start: false, function_request_id: 'req-second', deploymentId: 'cli-1234x', executionArn: `${ARN}x` });
  });

  test('a later step (Launch) takes the keys from the workflow document', async () => {
    // Prepare: RunInstances fails with an error nobody classifies, so the middleware logs it.
    ec2.reset();
    ec2.on(RunInstancesCommand).rejects(new Error('boom'));

    // Act
    const lines = await logLines(() => launch({ deploymentId: 'cli-77', execution: { id: ARN, name: 'cli-77' } } as never, lambdaContext('req-launch')));

    // Assess
    expect(lines.at(-1)).toMatchObject({ level: 'ERROR', deploymentId: 'cli-77', executionArn: ARN, function_request_id: 'req-launch', function: 'launch' });
  });

  test('an API handler takes the deployment id from its path', async () => {
    // Act: no state machine configured, so the handler answers 500 and logs why.
    const saved = process.env.DEPLOY_STATE_MACHINE_ARN;
    delete process.env.DEPLOY_STATE_MACHINE_ARN;
    const lines = await logLines(() => apiStatus({ httpMethod: 'GET', path: '/deployments/api-9', resource: '/deployments/{id}', pathParameters: { id: 'api-9' } } as never, lambdaContext('req-api')));
    if (saved !== undefined) process.env.DEPLOY_STATE_MACHINE_ARN = saved;

    // Assess
    expect(lines.at(-1)).toMatchObject({ level: 'ERROR', deploymentId: 'api-9', function_request_id: 'req-api' });
    expect(lines.at(-1)).not.toHaveProperty('executionArn');
  });

  test('lambdaLog writes through the same logger at the level asked', async () => {
    const lines = await logLines(async () => lambdaLog('warn', 'request rejected', { eventId: 'e-1' }));
    expect(lines).toEqual([expect.objectContaining({ level: 'WARN', message: 'request rejected', eventId: 'e-1', service: 'gpu-deploy' })]);
  });
});

describe('deploymentKeys', () => {
  test.each<[string, unknown, Record<string, string>]>([
    ['a workflow document', { deploymentId: 'd-1', execution: { id: ARN, name: 'd-1' } }, { deploymentId: 'd-1', executionArn: ARN }],
    ['ValidateRequest input (execution only)', { request: {}, execution: { id: ARN, name: 'run-1' } }, { deploymentId: 'run-1', executionArn: ARN }],
    ['an API path', { pathParameters: { id: 'api-1' } }, { deploymentId: 'api-1' }],
    ['an EventBridge detail', { detail: { deploymentId: 'evt-1', executionArn: ARN } }, { deploymentId: 'evt-1', executionArn: ARN }],
    ['an executionArn that is not an ARN', { deploymentId: 'd', executionArn: 'nope' }, { deploymentId: 'd' }],
    ['an event without either', { source: 'aws.ec2' }, {}],
    ['not an object', 'text', {}],
  ])('%s', (_what, event, keys) => {
    expect(deploymentKeys(event)).toEqual(keys);
  });
});
