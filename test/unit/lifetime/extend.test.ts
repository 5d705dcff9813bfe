import { CreateTagsCommand, DeleteTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateScheduleCommand, DeleteScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient, type GetCommandInvocationCommandOutput } from '@aws-sdk/client-ssm';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mockClient } from 'aws-sdk-client-mock';
import { backstopCommands } from '../../../lib/lifetime/backstop-command.js';
import { extendLifetime, type ExtendDeps } from '../../../lib/lifetime/extend.js';
import { awsError } from '../steps/fixtures.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const schedulerMock = mockClient(SchedulerClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const TARGET = { groupName: 'gpu-deploy-dev', roleArn: 'arn:aws:iam::123456789012:role/sched', teardownStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown' };
const NOW = new Date('2026-12-02T09:00:00Z');
const OPTIONS = { deploymentId: 'cli-1', region: 'eu-west-1', minutes: 60 };

const deps = (withStack = true): ExtendDeps => ({
  ec2: new EC2Client({ region: 'eu-west-1' }),
  ssm: new SSMClient({ region: 'eu-west-1' }),
  ...(withStack ? { schedules: { scheduler: new SchedulerClient({ region: 'eu-west-1' }), target: TARGET, deployStateMachineArn: DEPLOY } } : { noSchedulesReason: 'no stack gpu-deploy-dev in eu-west-1' }),
  now: () => NOW,
  sleep: async () => undefined,
  pollMs: 0,
  timeoutMs: 50,
});

function instance(tags: Record<string, string>): void {
  const Tags = Object.entries({ 'gpu-deploy:deployment-id': 'cli-1', 'gpu-deploy:execution-arn': `${DEPLOY.replace(':stateMachine:', ':execution:')}:cli-1`, ...tags }).map(([Key, Value]) => ({ Key, Value }));
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'running' }, Tags }] }] });
}

beforeEach(() => {
  for (const mock of [ec2Mock, ssmMock, schedulerMock]) mock.reset();
  ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
  ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: 'backstop: moved\n' });
  schedulerMock.on(CreateScheduleCommand).rejects(awsError('ConflictException', 409));
  schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:sched' });
});

describe('extendLifetime', () => {
  test('--minutes 60: an hour past the current deadline, backstop first, then the tag, then the schedule', async () => {
    instance({ 'gpu-deploy:expires-at': '2026-12-02T09:30:00Z', 'gpu-deploy:idle-teardown': 'minutes=30 below=5' });
    const result = await extendLifetime(deps(), OPTIONS);
    expect(result).toMatchObject({
      instanceId: 'i-0abc', previousExpiresAt: '2026-12-02T09:30:00Z', expiresAt: '2026-12-02T10:30:00Z',
      backstop: { commandId: 'cmd-1', output: 'backstop: moved' }, schedule: { action: 'updated', name: 'teardown-cli-1' },
    });
    expect(result.summary).toContain('idle teardown after 30 idle minutes');
    expect(ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input.Parameters?.commands).toEqual(backstopCommands('2026-12-02T10:30:00Z'));
    expect(ec2Mock.commandCalls(CreateTagsCommand)[0]?.args[0].input).toEqual({ Resources: ['i-0abc'], Tags: [{ Key: 'gpu-deploy:expires-at', Value: '2026-12-02T10:30:00Z' }] });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe('at(2026-12-02T10:30:00)');
  });

  test('--none: the backstop file, the tag and the schedule go', async () => {
    instance({ 'gpu-deploy:expires-at': '2026-12-02T09:30:00Z' });
    schedulerMock.on(DeleteScheduleCommand).resolves({});
    const result = await extendLifetime(deps(), { ...OPTIONS, minutes: null });
    expect(result).toMatchObject({ expiresAt: null, schedule: { action: 'deleted' }, summary: 'no lifetime: runs until you tear it down' });
    expect(ec2Mock.commandCalls(DeleteTagsCommand)[0]?.args[0].input).toEqual({ Resources: ['i-0abc'], Tags: [{ Key: 'gpu-deploy:expires-at' }] });
  });

  test('no stack: tag and backstop move, the schedule is skipped with the reason', async () => {
    instance({});
    const result = await extendLifetime(deps(false), OPTIONS);
    expect(result).toMatchObject({ previousExpiresAt: null, expiresAt: '2026-12-02T10:00:00Z', schedule: { action: 'skipped', reason: 'no stack gpu-deploy-dev in eu-west-1' } });
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  test("an instance another stack launched: its schedule is not this stack's to move", async () => {
    instance({ 'gpu-deploy:execution-arn': 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-prod-deploy:cli-1' });
    await expect(extendLifetime(deps(), OPTIONS)).resolves.toMatchObject({ schedule: { action: 'skipped', reason: 'the deployed stack did not launch this instance' } });
  });

  test('no running instance: LifetimeInstanceNotFoundError with a hint', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'stopping' } }] }] });
    await expect(extendLifetime(deps(), OPTIONS)).rejects.toMatchObject({ name: 'LifetimeInstanceNotFoundError', hint: expect.stringContaining('--region') });
  });

  test.each<[string, GetCommandInvocationCommandOutput, RegExp]>([
    ['the command failed', { Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardErrorContent: 'no gpu-deploy state directory', $metadata: {} }, /could not be moved: Failed \(exit 3\) no gpu-deploy state directory/],
    ['the command never finished', { Status: 'InProgress', $metadata: {} }, /did not run the backstop update within 0 s/],
  ])('backstop not moved (%s): LifetimeBackstopFailedError, and nothing else changed', async (_name, invocation, message) => {
    instance({ 'gpu-deploy:expires-at': '2026-12-02T09:30:00Z' });
    ssmMock.on(GetCommandInvocationCommand).resolves(invocation);
    await expect(extendLifetime(deps(), OPTIONS)).rejects.toMatchObject({ name: 'LifetimeBackstopFailedError', message: expect.stringMatching(message) });
    expect(ec2Mock.commandCalls(CreateTagsCommand)).toHaveLength(0);
    expect(schedulerMock.calls()).toHaveLength(0);
  });
});

describe('the backstop command on the instance', () => {
  const run = (commands: string[], env: Record<string, string>) =>
    spawnSync('/bin/bash', ['-c', commands.join('\n')], { encoding: 'utf8', env: { PATH: '/usr/bin:/bin', ...env } });

  test('rewrites the deadline the guard reads, and --none removes it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'gpu-deploy-backstop-'));
    try {
      const env = { GPU_DEPLOY_STATUS_FILE: join(dir, 'status.json') };
      const moved = run(backstopCommands('2026-12-02T10:30:00Z'), env);
      expect(moved.status).toBe(0);
      expect(moved.stdout).toBe(`backstop: shutdown at epoch ${Date.parse('2026-12-02T10:30:00Z') / 1000} plus 600 s\n`);
      expect(readFileSync(join(dir, 'expires-at'), 'utf8')).toBe(`${Date.parse('2026-12-02T10:30:00Z') / 1000}\n`);
      const removed = run(backstopCommands(null), env);
      expect(removed.stdout).toBe('backstop: no deadline\n');
      expect(existsSync(join(dir, 'expires-at'))).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('on a host that gpu-deploy did not set up it changes nothing and fails', () => {
    const result = run(backstopCommands('2026-12-02T10:30:00Z'), { GPU_DEPLOY_STATUS_FILE: '/nonexistent/gpu-deploy/status.json' });
    expect(result.status).toBe(3);
    expect(result.stderr).toContain('no gpu-deploy state directory');
  });

  test('a deadline that is not one is refused before anything is sent', () => {
    expect(() => backstopCommands('soon')).toThrow(RangeError);
  });
});
