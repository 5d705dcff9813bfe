import { CreateTagsCommand, DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { DescribeExecutionCommand, SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler } from '../../../functions/spot-interruption.js';
import { MAX_RELAUNCHES, decideRelaunch, handleSpotInterruption, relaunchGeneration, type InterruptionDeps, type SpotInterruptionEvent } from '../../../lib/interruptions/spot.js';
import { deploymentTags } from '../../../lib/launch/tags.js';
import { parseRequest } from '../../../lib/request.js';

const ec2Mock = mockClient(EC2Client);
const sfnMock = mockClient(SFNClient);
const ebMock = mockClient(EventBridgeClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const EXECUTIONS = 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy';
const INSTANCE = 'i-0123456789abcdef0';
const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });

const deps = (): InterruptionDeps => ({
  ec2: new EC2Client({ region: 'eu-west-1' }),
  sfn: new SFNClient({ region: 'eu-west-1' }),
  events: new EventBridgeClient({ region: 'eu-west-1' }),
  deployStateMachineArn: DEPLOY,
});

const warning = (action = 'terminate', instanceId: unknown = INSTANCE): SpotInterruptionEvent => ({
  id: '1e5527d7-bb36-4607-3370-4164db56a40e',
  source: 'aws.ec2',
  'detail-type': 'EC2 Spot Instance Interruption Warning',
  region: 'eu-west-1',
  time: '2025-01-01T12:00:00Z',
  detail: { 'instance-id': instanceId as string, 'instance-action': action },
});

function instance(tags: Record<string, string>, lifecycle: Instance['InstanceLifecycle'] = 'spot'): void {
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: INSTANCE, InstanceType: 'g5.xlarge', InstanceLifecycle: lifecycle, Placement: { AvailabilityZone: 'eu-west-1a' }, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }] }],
  });
}
const managed = (deploymentId = 'api-1', extra: Record<string, string> = {}) => ({ 'gpu-deploy:managed-by': 'gpu-deploy', 'gpu-deploy:deployment-id': deploymentId, ...extra });
const original = (request: Record<string, unknown>) => sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: JSON.stringify(parseRequest(request)) });
const published = (): Record<string, any> => JSON.parse(ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.Detail!) as Record<string, any>;

beforeEach(() => {
  ec2Mock.reset();
  sfnMock.reset();
  ebMock.reset();
  ec2Mock.on(CreateTagsCommand).resolves({});
  ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-out' }] });
  sfnMock.on(StartExecutionCommand).callsFake((input: { name: string }) => ({ executionArn: `${EXECUTIONS}:${input.name}`, startDate: new Date() }));
});

describe('decideRelaunch (the market rule)', () => {
  const request = (fields: Record<string, unknown>) => parseRequest({ instanceType: 'g5.xlarge', ...fields });

  test.each([
    ['notify (default)', {}, 'terminate', 'spot', { relaunch: false }],
    ['relaunch, auto, spot reclaimed', { onInterruption: 'relaunch' }, 'terminate', 'spot', { relaunch: true, market: 'on-demand', generation: 1 }],
    ['relaunch, spot only, spot reclaimed', { onInterruption: 'relaunch', market: 'spot' }, 'terminate', 'spot', { relaunch: true, market: 'spot', generation: 1 }],
    ['relaunch, auto, not a spot instance', { onInterruption: 'relaunch' }, 'terminate', undefined, { relaunch: true, market: 'auto' }],
    ['relaunch, stop warning', { onInterruption: 'relaunch' }, 'stop', 'spot', { relaunch: false }],
    ['relaunch, hibernate warning', { onInterruption: 'relaunch' }, 'hibernate', 'spot', { relaunch: false }],
  ])('%s', (_label, fields, action, lifecycle, expected) => {
    expect(decideRelaunch(request(fields), action, lifecycle, 'api-1')).toMatchObject(expected);
  });

  test(`relaunches at most ${MAX_RELAUNCHES} times in a row`, () => {
    const r = request({ onInterruption: 'relaunch' });
    expect(decideRelaunch(r, 'terminate', 'spot', `ri${MAX_RELAUNCHES - 1}-x`)).toMatchObject({ relaunch: true, generation: MAX_RELAUNCHES });
    expect(decideRelaunch(r, 'terminate', 'spot', `ri${MAX_RELAUNCHES}-x`)).toMatchObject({ relaunch: false, reason: expect.stringContaining('already relaunched') });
    expect(relaunchGeneration('api-1')).toBe(0);
    expect(decideRelaunch(undefined, 'terminate', 'spot', 'x')).toMatchObject({ relaunch: false });
  });
});

describe('handleSpotInterruption', () => {
  test('notify: records the interruption on the instance and publishes GPU Deployment Interrupted', async () => {
    // Prepare
    instance(managed());
    original({ instanceType: 'g5.xlarge', region: 'eu-west-1' });

    // Act
    const outcome = await handleSpotInterruption(warning(), deps());

    // Assess
    expect(outcome).toMatchObject({ action: 'notified', deploymentId: 'api-1', instanceId: INSTANCE, eventId: 'evt-out' });
    expect(ec2Mock.commandCalls(CreateTagsCommand)[0]!.args[0].input).toEqual({ Resources: [INSTANCE], Tags: [{ Key: 'gpu-deploy:interrupted-at', Value: '2025-01-01T12:00:00Z' }] });
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]!.args[0].input).toEqual({ executionArn: `${EXECUTIONS}:api-1` });
    expect(sfnMock.commandCalls(StartExecutionCommand)).toHaveLength(0);
    expect(ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]).toMatchObject({ Source: 'gpu-deploy', DetailType: 'GPU Deployment Interrupted', Resources: [`${EXECUTIONS}:api-1`] });
    expect(published()).toEqual({
      deploymentId: 'api-1', executionArn: `${EXECUTIONS}:api-1`, instanceId: INSTANCE, instanceType: 'g5.xlarge', region: 'eu-west-1', zone: 'eu-west-1a',
      market: 'spot', instanceAction: 'terminate', interruptedAt: '2025-01-01T12:00:00Z', action: 'notified', reason: expect.stringContaining('notify'), relaunch: null,
    });
  });

  test('relaunch: starts the same request on-demand under a name from the event, found through the execution-arn tag', async () => {
    // Prepare
    instance(managed('api-1', { 'gpu-deploy:execution-arn': `${EXECUTIONS}:api-1` }));
    original({ instanceType: 'g5.xlarge', region: 'eu-west-1', onInterruption: 'relaunch', tags: { team: 'ml' }, workspace: { name: 'ml' } });

    // Act
    const outcome = await handleSpotInterruption(warning(), { ...deps(), busName: 'bus' });

    // Assess
    expect(outcome).toMatchObject({ action: 'relaunched', relaunch: { deploymentId: 'ri1-1e5527d7-bb36-4607-3370-4164db56a40e', market: 'on-demand' } });
    const start = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(start.stateMachineArn).toBe(DEPLOY);
    // The same workspace: the replacement mounts what the reclaimed instance had.
    expect(JSON.parse(start.input!)).toMatchObject({ instanceType: 'g5.xlarge', region: 'eu-west-1', market: 'on-demand', onInterruption: 'relaunch', tags: { team: 'ml' }, workspace: { name: 'ml' } });
    expect(published()).toMatchObject({ action: 'relaunched', relaunch: { market: 'on-demand', executionArn: `${EXECUTIONS}:ri1-1e5527d7-bb36-4607-3370-4164db56a40e` } });
    expect(ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('bus');
  });

  test('the same event delivered again after its relaunch ended: a duplicate, nothing published twice', async () => {
    instance(managed());
    original({ onInterruption: 'relaunch' });
    sfnMock.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    const outcome = await handleSpotInterruption(warning(), deps());
    expect(outcome.action).toBe('duplicate');
    expect(ebMock.calls()).toHaveLength(0);
  });

  test.each([
    ['an instance gpu-deploy did not launch', () => instance({ Name: 'mine' }), 'not launched by gpu-deploy'],
    ['an instance EC2 no longer knows', () => ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound')), 'not launched by gpu-deploy'],
    ['an instance without a valid deployment id', () => instance({ 'gpu-deploy:managed-by': 'gpu-deploy', 'gpu-deploy:deployment-id': 'a:b' }), 'no valid deployment id'],
    ['an instance another stack launched (tag)', () => instance(managed('api-1', { 'gpu-deploy:execution-arn': 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-prod-deploy:api-1' })), 'another gpu-deploy stack'],
  ])('%s is ignored: nothing tagged, started or published', async (_label, arrange, reason) => {
    arrange();
    const outcome = await handleSpotInterruption(warning(), deps());
    expect(outcome).toMatchObject({ action: 'ignored', reason: expect.stringContaining(reason) });
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(ebMock.calls()).toHaveLength(0);
  });

  test('no execution-arn tag and no execution of this stack: ignored (another stack launched it)', async () => {
    instance(managed('api-9'));
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    expect(await handleSpotInterruption(warning(), deps())).toMatchObject({ action: 'ignored', reason: expect.stringContaining('no execution of this stack') });
  });

  test('tagged by this stack but its execution is gone: a named error (EventBridge retries)', async () => {
    instance(managed('api-1', { 'gpu-deploy:execution-arn': `${EXECUTIONS}:api-1` }));
    sfnMock.on(DescribeExecutionCommand).rejects(awsError('ExecutionDoesNotExist'));
    await expect(handleSpotInterruption(warning(), deps())).rejects.toMatchObject({ name: 'DeploymentNotFoundError' });
  });

  test('an unreadable original request: notified, not relaunched', async () => {
    instance(managed());
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', input: '{"osType":"windows"}' });
    expect(await handleSpotInterruption(warning(), deps())).toMatchObject({ action: 'notified', reason: 'the original request could not be read' });
  });

  test('an event without an instance id is ignored; DescribeInstances failing is a named error', async () => {
    expect(await handleSpotInterruption(warning('terminate', 'not-an-id'), deps())).toMatchObject({ action: 'ignored' });
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('UnauthorizedOperation', 403));
    await expect(handleSpotInterruption(warning(), deps())).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
  });

  test('the handler reads the state machine from its environment', async () => {
    // Prepare
    const saved = { ...process.env };
    process.env.DEPLOY_STATE_MACHINE_ARN = DEPLOY;
    process.env.GPU_DEPLOY_EVENT_BUS = 'bus';
    instance({});

    try {
      // Act + Assess
      expect(await handler(warning(), {} as never)).toMatchObject({ action: 'ignored' });
    } finally {
      process.env = saved;
    }
  });
});

describe('deploymentTags with the execution ARN (what the launch step must pass for relaunches)', () => {
  test('adds gpu-deploy:execution-arn only when given', () => {
    expect(deploymentTags('api-1', {}, `${EXECUTIONS}:api-1`)).toContainEqual({ Key: 'gpu-deploy:execution-arn', Value: `${EXECUTIONS}:api-1` });
    expect(deploymentTags('api-1', {}).map((t) => t.Key)).not.toContain('gpu-deploy:execution-arn');
  });
});
