import { DescribeInstancesCommand, EC2Client, type Instance } from '@aws-sdk/client-ec2';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { endedReason, handleInstanceEnded, INSTANCE_INITIATED_SHUTDOWN } from '../../../lib/lifetime/instance-ended.js';
import { awsError } from '../steps/fixtures.js';

const ec2Mock = mockClient(EC2Client);
const sfnMock = mockClient(SFNClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const TEARDOWN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown';
const NOW = new Date('2026-12-02T09:00:00Z');
const deps = () => ({ ec2: new EC2Client({ region: 'eu-west-1' }), sfn: new SFNClient({ region: 'eu-west-1' }), deployStateMachineArn: DEPLOY, teardownStateMachineArn: TEARDOWN, now: NOW });
const event = (state = 'terminated', instanceId = 'i-0abc1234def567890') => ({ id: 'evt-1', region: 'eu-west-1', detail: { 'instance-id': instanceId, state } });

const tags = (extra: Record<string, string> = {}) =>
  Object.entries({
    'gpu-deploy:managed-by': 'gpu-deploy',
    'gpu-deploy:deployment-id': 'cli-1',
    'gpu-deploy:execution-arn': 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:cli-1',
    ...extra,
  }).map(([Key, Value]) => ({ Key, Value }));

function instance(fields: Partial<Instance>): void {
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc1234def567890', State: { Name: 'terminated' }, ...fields }] }] });
}

beforeEach(() => {
  ec2Mock.reset();
  sfnMock.reset();
  sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${TEARDOWN.replace(':stateMachine:', ':execution:')}:ended-i-0abc1234def567890` });
});

describe('endedReason', () => {
  const lifetime = { 'gpu-deploy:expires-at': '2026-12-02T08:50:00Z' };
  const idle = { 'gpu-deploy:idle-teardown': 'minutes=30 below=5' };
  test.each([
    ['backstop: shut down from inside after the deadline', INSTANCE_INITIATED_SHUTDOWN, { ...lifetime, ...idle }, 'expired'],
    ['idle guard: shut down from inside before the deadline', INSTANCE_INITIATED_SHUTDOWN, { 'gpu-deploy:expires-at': '2026-12-02T10:00:00Z', ...idle }, 'idle'],
    ['idle guard without a lifetime', INSTANCE_INITIATED_SHUTDOWN, idle, 'idle'],
    ['shut down from inside with no policy (someone ran shutdown)', INSTANCE_INITIATED_SHUTDOWN, {}, null],
    ['console or API termination', 'Client.UserInitiatedShutdown', { ...lifetime, ...idle }, null],
    ['spot reclaim', 'Server.SpotInstanceTermination', idle, null],
  ])('%s: %s', (_name, code, instanceTags, expected) => {
    expect(endedReason(code, instanceTags, NOW)).toBe(expected);
  });
});

describe('handleInstanceEnded', () => {
  test('the idle guard ended an instance of this stack: its teardown starts, named after the instance, saying why', async () => {
    instance({ Tags: tags({ 'gpu-deploy:idle-teardown': 'minutes=30 below=5' }), StateReason: { Code: INSTANCE_INITIATED_SHUTDOWN, Message: 'Client.InstanceInitiatedShutdown: Instance initiated shutdown' } });
    const outcome = await handleInstanceEnded(event(), deps());
    expect(outcome).toMatchObject({ action: 'teardown-started', deploymentId: 'cli-1', reason: 'idle', instanceId: 'i-0abc1234def567890' });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input).toEqual({
      stateMachineArn: TEARDOWN,
      name: 'ended-i-0abc1234def567890',
      input: JSON.stringify({ deploymentId: 'cli-1', region: 'eu-west-1', instanceId: 'i-0abc1234def567890', reason: 'idle' }),
    });
  });

  test('a spot reclaim: the teardown starts without a reason (the security group goes; no extra event)', async () => {
    instance({ Tags: tags(), StateReason: { Code: 'Server.SpotInstanceTermination' } });
    await expect(handleInstanceEnded(event(), deps())).resolves.toMatchObject({ action: 'teardown-started', reason: null });
    expect(JSON.parse(String(sfnMock.commandCalls(StartExecutionCommand)[0]?.args[0].input.input))).not.toHaveProperty('reason');
  });

  test('delivered twice: the second finds the teardown already started', async () => {
    instance({ Tags: tags() });
    sfnMock.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    await expect(handleInstanceEnded(event(), deps())).resolves.toMatchObject({ action: 'teardown-already-started', deploymentId: 'cli-1' });
  });

  test.each([
    ['another state', event('stopped'), undefined, 'state stopped is not terminated'],
    ['no instance id', { region: 'eu-west-1', detail: { state: 'terminated' } }, undefined, 'the event names no instance id'],
    ['an instance gpu-deploy did not launch', event(), [{ Key: 'Name', Value: 'web' }], 'the instance was not launched by gpu-deploy'],
    ['a bad deployment id tag', event(), tags({ 'gpu-deploy:deployment-id': 'a*' }), 'the instance has no valid deployment id tag'],
    ['another stack (stage)', event(), tags({ 'gpu-deploy:execution-arn': 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-prod-deploy:cli-1' }), 'launched by another gpu-deploy stack, or by gpu-deploy run without one'],
  ])('ignored: %s', async (_name, incoming, instanceTags, reason) => {
    if (instanceTags) instance({ Tags: instanceTags });
    await expect(handleInstanceEnded(incoming as never, deps())).resolves.toEqual(expect.objectContaining({ action: 'ignored', reason }));
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('an instance EC2 no longer knows is ignored; other DescribeInstances errors are named', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejectsOnce(awsError('InvalidInstanceID.NotFound')).rejectsOnce(awsError('RequestLimitExceeded', 503));
    await expect(handleInstanceEnded(event(), deps())).resolves.toMatchObject({ action: 'ignored' });
    await expect(handleInstanceEnded(event(), deps())).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  });

  test('StartExecution failing otherwise is a named error (EventBridge retries the delivery)', async () => {
    instance({ Tags: tags() });
    sfnMock.on(StartExecutionCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(handleInstanceEnded(event(), deps())).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
  });
});
