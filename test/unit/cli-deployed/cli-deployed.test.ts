/**
 * `gpu-deploy start | status | teardown` as a user runs them (through main), against mocked CloudFormation and
 * Step Functions clients.
 */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { DescribeExecutionCommand, GetExecutionHistoryCommand, SFNClient, StartExecutionCommand, type HistoryEvent } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { progressFromHistory } from '../../../lib/api/follow.js';
import { main } from '../../../lib/cli/main.js';
import { stackRegionFrom } from '../../../lib/cli/stack-options.js';

const cfnMock = mockClient(CloudFormationClient);
const sfnMock = mockClient(SFNClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const TEARDOWN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown';
const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
const FAST = ['--poll-seconds', '0.001'];

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; json: Record<string, any> }> {
  let out = '';
  let err = '';
  const code = await main(argv, { out: (t) => (out += t), err: (t) => (err += t) });
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(out) as Record<string, any>;
  } catch {
    // not JSON (usage text)
  }
  return { code, out, err, json };
}

const stack = (outputs: Record<string, string> = { DeployStateMachineArn: DEPLOY, TeardownStateMachineArn: TEARDOWN, ServiceEndpoint: 'https://x.execute-api.eu-west-1.amazonaws.com/dev' }) =>
  cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'gpu-deploy-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })) }] });

const at = (s: number) => new Date(Date.UTC(2025, 0, 1, 0, 0, s));
const HISTORY: HistoryEvent[] = [
  { id: 1, type: 'ExecutionStarted', timestamp: at(0) },
  { id: 2, type: 'TaskStateEntered', timestamp: at(0), stateEnteredEventDetails: { name: 'ValidateRequest' } },
  { id: 3, type: 'LambdaFunctionFailed', timestamp: at(1), lambdaFunctionFailedEventDetails: { error: 'AwsThrottlingError', cause: 'Rate exceeded' } },
  { id: 4, type: 'TaskStateExited', timestamp: at(2), stateExitedEventDetails: { name: 'ValidateRequest' } },
  { id: 5, type: 'WaitStateEntered', timestamp: at(2), stateEnteredEventDetails: { name: 'WaitUntilRunning' } },
  { id: 6, type: 'SucceedStateEntered', timestamp: at(3), stateEnteredEventDetails: { name: 'Succeeded' } },
];

const saved = { ...process.env };
beforeEach(() => {
  cfnMock.reset();
  sfnMock.reset();
  process.env.AWS_REGION = 'eu-west-1';
  sfnMock.on(StartExecutionCommand).callsFake((input: { stateMachineArn: string; name: string }) => ({
    executionArn: `${input.stateMachineArn.replace(':stateMachine:', ':execution:')}:${input.name}`,
    startDate: at(0),
  }));
  sfnMock.on(GetExecutionHistoryCommand).resolves({ events: HISTORY });
});
afterAll(() => {
  process.env = saved;
});

describe('gpu-deploy start', () => {
  test('finds the stack, starts the deploy state machine with the validated request, prints the id', async () => {
    // Prepare
    stack();

    // Act
    const run = await cli('start', '--instance-type', 'g5.2xlarge', '--market', 'spot', '--json');

    // Assess
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'RUNNING', stackName: 'gpu-deploy-dev', deploymentId: expect.stringMatching(/^cli-/) });
    expect(run.json.next).toBe(`gpu-deploy status ${run.json.deploymentId}`);
    expect(cfnMock.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'gpu-deploy-dev' });
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(DEPLOY);
    expect(JSON.parse(start.input!)).toMatchObject({ instanceType: 'g5.2xlarge', market: 'spot', region: 'eu-west-1' });
    expect(run.err).toContain(`Started deployment ${run.json.deploymentId}`);
  });

  test('--stage names the stack', async () => {
    stack();
    await cli('start', '--stage', 'prod');
    expect(cfnMock.commandCalls(DescribeStacksCommand)[0]!.args[0].input).toEqual({ StackName: 'gpu-deploy-prod' });
  });

  test('a stack that is not deployed: a named error that says to deploy it', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError'));

    // Act
    const run = await cli('start', '--json', '--stack-region', 'ap-south-1');

    // Assess
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ status: 'FAILED', error: 'StackNotDeployedError', message: 'The stack gpu-deploy-dev is not deployed in ap-south-1', hint: expect.stringContaining('npx serverless deploy --stage dev --region ap-south-1') });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test.each([
    ['a deleted stack', () => cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'gpu-deploy-dev', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() }] }), 'StackNotDeployedError'],
    ['a stack without the teardown output (older version)', () => stack({ DeployStateMachineArn: DEPLOY }), 'StackOutputMissingError'],
    ['CloudFormation denied', () => cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 403)), 'AwsAccessDeniedError'],
  ])('%s: %s', async (_label, arrange, error) => {
    arrange();
    const run = await cli('start', '--json');
    expect(run.code).toBe(1);
    expect(run.json.error).toBe(error);
  });

  test('a bad request fails before any AWS call', async () => {
    const run = await cli('start', '--os-type', 'windows', '--json');
    expect(run.code).toBe(1);
    expect(run.json.error).toBe('RequestInvalidError');
    expect(cfnMock.calls()).toHaveLength(0);
  });

  test('--wait follows the states on stderr and prints the result', async () => {
    // Prepare
    stack();
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'RUNNING' }).resolves({ status: 'SUCCEEDED', startDate: at(0), stopDate: at(3), input: '{}', output: JSON.stringify({ status: 'SUCCEEDED', instanceId: 'i-0abc' }) });

    // Act
    const run = await cli('start', '--wait', '--json', ...FAST);

    // Assess
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'SUCCEEDED', result: { instanceId: 'i-0abc' } });
    expect(run.err).toContain('→ ValidateRequest');
    expect(run.err).toContain('✓ ValidateRequest');
    expect(run.err).toContain('… WaitUntilRunning');
    expect(run.err).toContain('✓ Succeeded');
    expect(run.err).toContain('AwsThrottlingError');
    // Each history event is reported once, however often it is fetched.
    expect(run.err.match(/→ ValidateRequest/g)).toHaveLength(1);
  });

  test('--wait on a failed deployment: exit 1 with the named error', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', error: 'CapacityUnavailableError', cause: 'No capacity' });
    const run = await cli('start', '--wait', ...FAST);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ status: 'FAILED', error: 'CapacityUnavailableError', cause: 'No capacity' });
    expect(run.err).toContain('FAILED: CapacityUnavailableError: No capacity');
  });

  test('--wait gives up after --timeout-seconds with a named error', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const run = await cli('start', '--wait', '--json', '--poll-seconds', '0.01', '--timeout-seconds', '0.05');
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ error: 'WaitTimeoutError', hint: expect.stringContaining('gpu-deploy status cli-') });
  });

  test('a bad --poll-seconds is a usage error', async () => {
    const run = await cli('start', '--poll-seconds', 'soon', '--json');
    expect(run.code).toBe(2);
    expect(run.json.error).toBe('UsageError');
  });
});

describe('gpu-deploy status', () => {
  test('prints the status; exit 0 when it succeeded', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', output: '{"instanceId":"i-1"}' });
    const run = await cli('status', 'api-1', '--region', 'eu-west-1');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ deploymentId: 'api-1', status: 'SUCCEEDED', result: { instanceId: 'i-1' } });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:api-1' });
  });

  test('shows the lifetime: the deadline and idle policy as deployed, or the clear line for neither', async () => {
    stack();
    const output = { instanceId: 'i-1', expiresAt: '2026-12-02T09:30:00Z', idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 }, lifetime: { schedule: { name: 'teardown-api-1' } } };
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'SUCCEEDED', output: JSON.stringify(output) }).resolvesOnce({ status: 'SUCCEEDED', output: '{"instanceId":"i-1"}' });
    const run = await cli('status', 'api-1');
    expect(run.json.lifetime).toMatchObject({ expiresAt: '2026-12-02T09:30:00Z', idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    expect(run.err).toContain('Lifetime: expires at 2026-12-02T09:30:00Z (its schedule tears it down then;');
    expect(run.err).toContain('idle teardown after 30 idle minutes');
    const plain = await cli('status', 'api-1');
    expect(plain.json.lifetime).toEqual({ expiresAt: null, idleTeardown: null, summary: 'no lifetime: runs until you tear it down' });
    expect(plain.err).toContain('Lifetime: no lifetime: runs until you tear it down');
  });

  test('exit 1 when the deployment failed; DeploymentNotFoundError for an unknown id', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'FAILED', error: 'X' }).rejects(awsError('ExecutionDoesNotExist'));
    expect((await cli('status', 'api-1')).code).toBe(1);
    const unknown = await cli('status', 'api-2', '--json');
    expect(unknown.code).toBe(1);
    expect(unknown.json.error).toBe('DeploymentNotFoundError');
  });

  test('with no stack, status and teardown say which flag fits a deployment made with gpu-deploy run', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError'));
    const saved = process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
    process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = '/nonexistent/local-cloud.json';
    // Act
    const status = await cli('status', 'run-1', '--region', 'eu-west-1', '--json');
    const teardown = await cli('teardown', 'run-1', '--json');
    if (saved === undefined) delete process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE;
    else process.env.GPU_DEPLOY_LOCAL_CLOUD_FILE = saved;
    // Assess
    expect(status.code).toBe(1);
    expect(status.json).toMatchObject({
      error: 'StackNotDeployedError',
      message: 'The stack gpu-deploy-dev is not deployed in eu-west-1, and without --aws or --local gpu-deploy status asks the stack',
      hint: expect.stringMatching(/^Use gpu-deploy status run-1 --aws --region eu-west-1 \(a deployment made with gpu-deploy run --aws\), or gpu-deploy status run-1 --local/),
    });
    expect(teardown.json.hint).toContain('gpu-deploy teardown run-1 --aws --region eu-west-1');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('an invalid id fails before any AWS call; a missing id is a usage error', async () => {
    const bad = await cli('status', '../x', '--json');
    expect(bad.json.error).toBe('DeploymentIdInvalidError');
    expect(cfnMock.calls()).toHaveLength(0);
    const missing = await cli('status', '--json');
    expect(missing.code).toBe(2);
    expect(missing.json.error).toBe('UsageError');
  });
});

describe('gpu-deploy teardown', () => {
  test('starts the teardown state machine for the deployment, in its region', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: '{"region":"us-west-2"}' });
    const run = await cli('teardown', 'api-1', '--json');
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'TEARDOWN_STARTED', deploymentId: 'api-1', region: 'us-west-2', teardownId: expect.stringMatching(/^td-.+-api-1$/) });
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start).toMatchObject({ stateMachineArn: TEARDOWN, input: JSON.stringify({ deploymentId: 'api-1', region: 'us-west-2' }) });
  });

  test('--wait follows the teardown and prints what it removed', async () => {
    // Prepare
    stack();
    sfnMock
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'SUCCEEDED', input: '{"region":"eu-west-1"}' })
      .resolvesOnce({ status: 'RUNNING' })
      .resolves({ status: 'SUCCEEDED', output: JSON.stringify({ status: 'TORN_DOWN', terminatedInstances: ['i-1'] }) });

    // Act
    const run = await cli('teardown', 'api-1', '--wait', ...FAST);

    // Assess
    expect(run.code).toBe(0);
    expect(run.json).toMatchObject({ status: 'TORN_DOWN', teardown: { status: 'SUCCEEDED', result: { terminatedInstances: ['i-1'] } } });
    expect(run.err).toContain('Teardown of api-1 SUCCEEDED');
  });

  test('--wait on a failed teardown: exit 1', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolvesOnce({ status: 'FAILED', input: '{}' }).resolves({ status: 'FAILED', error: 'RollbackIncompleteError', cause: 'sg-1 remains' });
    const run = await cli('teardown', 'api-1', '--wait', ...FAST);
    expect(run.code).toBe(1);
    expect(run.json).toMatchObject({ status: 'FAILED', teardown: { error: 'RollbackIncompleteError' } });
  });

  test('a deployment still running is refused by name', async () => {
    stack();
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' });
    const run = await cli('teardown', 'api-1', '--json');
    expect(run.code).toBe(1);
    expect(run.json.error).toBe('DeploymentInProgressError');
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });
});

describe('helpers', () => {
  test('stackRegionFrom: explicit, then AWS_REGION, AWS_DEFAULT_REGION, the fallback, us-east-1', () => {
    expect(stackRegionFrom('a', 'b', { AWS_REGION: 'c' })).toBe('a');
    expect(stackRegionFrom(undefined, 'b', { AWS_REGION: 'c' })).toBe('c');
    expect(stackRegionFrom(undefined, 'b', { AWS_DEFAULT_REGION: 'd' })).toBe('d');
    expect(stackRegionFrom(undefined, 'b', {})).toBe('b');
    expect(stackRegionFrom(undefined, undefined, {})).toBe('us-east-1');
  });

  test('progressFromHistory: entered, exited with duration, failed', () => {
    expect(progressFromHistory(HISTORY)).toEqual([
      { kind: 'entered', state: 'ValidateRequest', type: 'Task' },
      { kind: 'failed', state: 'Task', type: 'Task', error: 'AwsThrottlingError', cause: 'Rate exceeded' },
      { kind: 'exited', state: 'ValidateRequest', type: 'Task', durationMs: 2000 },
      { kind: 'entered', state: 'WaitUntilRunning', type: 'Wait' },
      { kind: 'entered', state: 'Succeeded', type: 'Succeed' },
    ]);
  });

  test('the usage text lists start, status and teardown', async () => {
    const run = await cli('--help');
    for (const command of ['gpu-deploy start', 'gpu-deploy status ID', 'gpu-deploy teardown ID']) expect(run.out).toContain(command);
  });
});
