import { CreateScheduleCommand, DeleteScheduleCommand, GetScheduleCommand, SchedulerClient, UpdateScheduleCommand } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { deleteTeardownSchedule, findTeardownSchedule, putTeardownSchedule, teardownScheduleInput } from '../../../lib/lifetime/schedule.js';
import { scheduleTargetFromEnv, scheduleTeardownStep } from '../../../lib/steps/schedule-teardown.js';
import { awsError } from '../steps/fixtures.js';

const schedulerMock = mockClient(SchedulerClient);
const scheduler = new SchedulerClient({ region: 'eu-west-1' });
const TARGET = { groupName: 'gpu-deploy-dev', roleArn: 'arn:aws:iam::123456789012:role/sched', teardownStateMachineArn: 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown' };

beforeEach(() => schedulerMock.reset());

describe('teardownScheduleInput', () => {
  test('one-time at() in UTC, flexible window off, deleted after completion, the teardown with the deployment', () => {
    expect(teardownScheduleInput('cli-1', 'us-west-2', '2026-12-02T09:30:00Z', TARGET)).toEqual({
      Name: 'teardown-cli-1',
      GroupName: 'gpu-deploy-dev',
      Description: 'gpu-deploy: tear down cli-1 (us-west-2) at its lifetime\'s end',
      ScheduleExpression: 'at(2026-12-02T09:30:00)',
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: { Arn: TARGET.teardownStateMachineArn, RoleArn: TARGET.roleArn, Input: '{"deploymentId":"cli-1","region":"us-west-2","reason":"expired"}' },
    });
  });
});

describe('putTeardownSchedule', () => {
  test('creates the schedule', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:sched' });
    await expect(putTeardownSchedule(scheduler, 'cli-1', 'eu-west-1', '2026-12-02T09:30:00Z', TARGET)).resolves.toEqual({ name: 'teardown-cli-1', arn: 'arn:sched', action: 'created' });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)).toHaveLength(0);
  });

  test('an existing one (ConflictException: a retried step, or extend) is moved with UpdateSchedule', async () => {
    schedulerMock.on(CreateScheduleCommand).rejects(awsError('ConflictException', 409));
    schedulerMock.on(UpdateScheduleCommand).resolves({ ScheduleArn: 'arn:sched' });
    await expect(putTeardownSchedule(scheduler, 'cli-1', 'eu-west-1', '2026-12-02T10:30:00Z', TARGET)).resolves.toMatchObject({ action: 'updated' });
    expect(schedulerMock.commandCalls(UpdateScheduleCommand)[0]?.args[0].input).toMatchObject({ Name: 'teardown-cli-1', ScheduleExpression: 'at(2026-12-02T10:30:00)', ActionAfterCompletion: 'DELETE' });
  });

  test.each([
    ['ThrottlingException', 400, 'AwsThrottlingError'],
    ['AccessDeniedException', 403, 'AwsAccessDeniedError'],
    ['ValidationException', 400, 'AwsRequestError'],
    ['InternalServerException', 500, 'AwsTransientError'],
  ])('%s is classified by code as %s', async (code, status, name) => {
    schedulerMock.on(CreateScheduleCommand).rejects(awsError(code, status));
    await expect(putTeardownSchedule(scheduler, 'cli-1', 'eu-west-1', '2026-12-02T09:30:00Z', TARGET)).rejects.toMatchObject({ name });
  });
});

describe('deleteTeardownSchedule and findTeardownSchedule', () => {
  test('deleted, or absent when Scheduler has none', async () => {
    schedulerMock.on(DeleteScheduleCommand).resolvesOnce({}).rejectsOnce(awsError('ResourceNotFoundException', 404));
    await expect(deleteTeardownSchedule(scheduler, 'cli-1', 'gpu-deploy-dev')).resolves.toBe('deleted');
    await expect(deleteTeardownSchedule(scheduler, 'cli-1', 'gpu-deploy-dev')).resolves.toBe('absent');
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({ Name: 'teardown-cli-1', GroupName: 'gpu-deploy-dev' });
  });

  test('other errors stop the rollback step by name (the ASL retries them)', async () => {
    schedulerMock.on(DeleteScheduleCommand).rejects(awsError('ThrottlingException'));
    await expect(deleteTeardownSchedule(scheduler, 'cli-1', 'gpu-deploy-dev')).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  });

  test('find: the pending expression, undefined when none, errors named', async () => {
    schedulerMock.on(GetScheduleCommand).resolvesOnce({ ScheduleExpression: 'at(2026-12-02T09:30:00)' }).rejectsOnce(awsError('ResourceNotFoundException', 404)).rejectsOnce(awsError('AccessDeniedException', 403));
    await expect(findTeardownSchedule(scheduler, 'cli-1', 'g')).resolves.toBe('at(2026-12-02T09:30:00)');
    await expect(findTeardownSchedule(scheduler, 'cli-1', 'g')).resolves.toBeUndefined();
    await expect(findTeardownSchedule(scheduler, 'cli-1', 'g')).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
  });
});

describe('scheduleTeardownStep', () => {
  const now = new Date('2026-12-02T08:00:00Z');
  const input = { deploymentId: 'cli-1', region: 'eu-west-1', expiresAt: '2026-12-02T09:30:00Z', idleTeardown: null };

  test('with a lifetime and the stack: the schedule at the deadline', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:sched' });
    const result = await scheduleTeardownStep(input, scheduler, TARGET, now);
    expect(result).toMatchObject({ expiresAt: input.expiresAt, schedule: { name: 'teardown-cli-1', action: 'created', at: '2026-12-02T09:30:00Z' } });
    expect(result.summary).toContain('expires at 2026-12-02T09:30:00Z');
  });

  test('a deadline already passed (set-up outlasted the lifetime) is scheduled a minute from now, never in the past', async () => {
    schedulerMock.on(CreateScheduleCommand).resolves({});
    const result = await scheduleTeardownStep({ ...input, expiresAt: '2026-12-02T07:00:00Z' }, scheduler, TARGET, now);
    expect(result.schedule?.at).toBe('2026-12-02T08:01:00Z');
    expect(schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input.ScheduleExpression).toBe('at(2026-12-02T08:01:00)');
  });

  test('without a lifetime: nothing is scheduled, whatever the stack', async () => {
    await expect(scheduleTeardownStep({ ...input, expiresAt: null }, scheduler, TARGET, now)).resolves.toEqual({
      expiresAt: null, idleTeardown: null, summary: 'no lifetime: runs until you tear it down', schedule: null,
    });
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  test('without the stack (gpu-deploy run): no schedule, and the note says the backstop holds the lifetime', async () => {
    const result = await scheduleTeardownStep(input, undefined, undefined, now);
    expect(result.schedule).toBeNull();
    expect(result.note).toContain('the instance shuts itself down at the deadline plus the grace');
  });

  test('the target comes from the environment only when complete', () => {
    const env = { GPU_DEPLOY_SCHEDULE_GROUP: 'g', GPU_DEPLOY_SCHEDULER_ROLE_ARN: 'r', TEARDOWN_STATE_MACHINE_ARN: 't' };
    expect(scheduleTargetFromEnv(env)).toEqual({ groupName: 'g', roleArn: 'r', teardownStateMachineArn: 't' });
    expect(scheduleTargetFromEnv({ ...env, GPU_DEPLOY_SCHEDULER_ROLE_ARN: '' })).toBeUndefined();
    expect(scheduleTargetFromEnv({})).toBeUndefined();
  });
});
