import { DeleteSecurityGroupCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client, TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { DeleteScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { mockClient } from 'aws-sdk-client-mock';
import { RollbackIncompleteError } from '../../../lib/errors.js';
import { ROLLBACK_DEADLINE_SECONDS, rollbackStep } from '../../../lib/steps/rollback.js';
import { after, awsError, LAUNCHED_AT } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const DOC = { deploymentId: 'dep-1', request: { region: 'us-east-1' } };

function stillRunning(): void {
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
}

beforeEach(() => ec2Mock.reset());

describe('rollbackStep', () => {
  test('everything gone: done, and the first call records when rollback started', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'running' } }] }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    const now = after(0);
    // Act
    const status = await rollbackStep(DOC, ec2, now);
    // Assess
    expect(status).toMatchObject({ remainingInstances: ['i-1'], done: false, startedAt: now.toISOString() });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-1'] });
  });

  test('done: instances terminated and group deleted', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'terminated' } }] }] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    // Act
    const status = await rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(60));
    // Assess
    expect(status).toEqual({
      remainingInstances: [],
      terminatedInstances: ['i-1'],
      deletedSecurityGroups: ['sg-1'],
      remainingSecurityGroups: [],
      done: true,
      startedAt: LAUNCHED_AT,
    });
  });

  test('not done before the deadline keeps the original startedAt', async () => {
    // Prepare
    stillRunning();
    // Act
    const status = await rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(ROLLBACK_DEADLINE_SECONDS));
    // Assess
    expect(status).toMatchObject({ done: false, startedAt: LAUNCHED_AT, remainingInstances: ['i-1'], remainingSecurityGroups: ['sg-1'] });
  });

  test('not done after the deadline → RollbackIncompleteError naming what remains', async () => {
    // Prepare
    stillRunning();
    // Act
    const failure = rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(ROLLBACK_DEADLINE_SECONDS + 1));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(RollbackIncompleteError);
    await expect(failure).rejects.toMatchObject({
      message: 'Rollback of dep-1 did not finish: instances i-1, security groups sg-1 remain',
      hint: 'Run gpu-deploy teardown dep-1, or delete resources tagged gpu-deploy:deployment-id=dep-1',
      details: { remainingInstances: ['i-1'], remainingSecurityGroups: ['sg-1'], done: false },
    });
  });

  test('past the deadline with only a group held by an ENI: the message says no instances', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'));
    // Act + Assess
    await expect(rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(ROLLBACK_DEADLINE_SECONDS + 1))).rejects.toThrow(
      'Rollback of dep-1 did not finish: instances none, security groups sg-1 remain',
    );
  });

  test('past the deadline with only an instance left: the message says no security groups', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'shutting-down' } }] }] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    // Act + Assess
    await expect(rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(ROLLBACK_DEADLINE_SECONDS + 1))).rejects.toThrow(
      'Rollback of dep-1 did not finish: instances i-1, security groups none remain',
    );
  });

  test('the clock defaults to now: a first call starts the rollback now', async () => {
    // Prepare
    stillRunning();
    const before = Date.now();
    // Act
    const status = await rollbackStep(DOC, ec2);
    // Assess
    expect(Date.parse(status.startedAt)).toBeGreaterThanOrEqual(before);
    expect(status.done).toBe(false);
  });

  test('done after the deadline is still done', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    // Act
    const status = await rollbackStep({ ...DOC, rollback: { startedAt: LAUNCHED_AT } }, ec2, after(10 * ROLLBACK_DEADLINE_SECONDS));
    // Assess
    expect(status.done).toBe(true);
  });
});

describe('rollbackStep with the stack schedules', () => {
  const schedulerMock = mockClient(SchedulerClient);
  const scheduler = new SchedulerClient({ region: 'us-east-1' });
  beforeEach(() => {
    schedulerMock.reset();
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
  });

  test("deletes the deployment's pending schedule, and says when there was none", async () => {
    schedulerMock.on(DeleteScheduleCommand).resolvesOnce({}).rejectsOnce(awsError('ResourceNotFoundException', 404));
    await expect(rollbackStep(DOC, ec2, after(0), { scheduler, groupName: 'gpu-deploy-dev' })).resolves.toMatchObject({ done: true, schedule: 'deleted' });
    await expect(rollbackStep(DOC, ec2, after(0), { scheduler, groupName: 'gpu-deploy-dev' })).resolves.toMatchObject({ done: true, schedule: 'absent' });
    expect(schedulerMock.commandCalls(DeleteScheduleCommand)[0]?.args[0].input).toEqual({ Name: 'teardown-dep-1', GroupName: 'gpu-deploy-dev' });
  });

  test('an id that is not one is refused before any schedule name is made from it', async () => {
    await expect(rollbackStep({ ...DOC, deploymentId: 'dep-*' }, ec2, after(0), { scheduler, groupName: 'g' })).rejects.toMatchObject({ name: 'RequestInvalidError' });
    expect(schedulerMock.calls()).toHaveLength(0);
  });

  test('without the stack (gpu-deploy run) Scheduler is not asked', async () => {
    const status = await rollbackStep(DOC, ec2, after(0));
    expect(status).not.toHaveProperty('schedule');
  });
});
