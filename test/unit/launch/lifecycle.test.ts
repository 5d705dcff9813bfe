import {
  DeleteSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  EC2Client,
  TerminateInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAccessDeniedError, AwsThrottlingError } from '../../../lib/errors.js';
import { cleanupDeployment, instanceState } from '../../../lib/launch/lifecycle.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const TAG_FILTER = { Name: 'tag:gpu-deploy:deployment-id', Values: ['dep-1'] };

const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
const inState = (InstanceId: string, state: string): Instance => ({ InstanceId, State: { Name: state as never } });

beforeEach(() => ec2Mock.reset());

describe('instanceState', () => {
  test('the state of the instance, with EC2 reason when there is one', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1', State: { Name: 'terminated' }, StateReason: { Message: 'Server.SpotInstanceTermination' } }] }],
    });
    // Act
    const state = await instanceState(ec2, 'i-1');
    // Assess
    expect(state).toEqual({ state: 'terminated', reason: 'Server.SpotInstanceTermination' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-1'] });
  });

  test('running without a reason has no reason key', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inState('i-1', 'running')] }] });
    // Act + Assess
    expect(await instanceState(ec2, 'i-1')).toEqual({ state: 'running' });
  });

  test('an empty answer means EC2 does not know it: terminated, marked notFound', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    expect(await instanceState(ec2, 'i-1')).toEqual({ state: 'terminated', reason: 'EC2 does not know the instance', notFound: true });
  });

  test('InvalidInstanceID.NotFound → terminated with a reason', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    // Act + Assess
    expect(await instanceState(ec2, 'i-gone')).toEqual({ state: 'terminated', reason: 'EC2 does not know the instance', notFound: true });
  });

  test('other failures are converted', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('RequestLimitExceeded', 503));
    // Act + Assess
    await expect(instanceState(ec2, 'i-1')).rejects.toMatchObject({ name: 'AwsThrottlingError', details: { operation: 'DescribeInstances' } });
  });
});

describe('cleanupDeployment', () => {
  test('terminates live instances and keeps the security group while they live', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [inState('i-run', 'running'), inState('i-pend', 'pending'), inState('i-old', 'terminated')] }],
    });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(status).toEqual({
      remainingInstances: ['i-run', 'i-pend'],
      terminatedInstances: ['i-old'],
      deletedSecurityGroups: [],
      remainingSecurityGroups: ['sg-1'],
      done: false,
    });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({ Filters: [TAG_FILTER] });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-run', 'i-pend'] });
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({ Filters: [TAG_FILTER] });
    expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand)).toHaveLength(0);
  });

  test('shutting-down instances are not terminated again but still count as live', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inState('i-1', 'shutting-down')] }] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(status).toMatchObject({ remainingInstances: ['i-1'], remainingSecurityGroups: ['sg-1'], done: false });
  });

  test('no live instance: deletes the groups and is done', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inState('i-old', 'terminated'), { State: { Name: 'terminated' } }] }] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }, { GroupName: 'no-id' }, { GroupId: 'sg-2' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(status).toEqual({
      remainingInstances: [],
      terminatedInstances: ['i-old'],
      deletedSecurityGroups: ['sg-1', 'sg-2'],
      remainingSecurityGroups: [],
      done: true,
    });
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand).map((c) => c.args[0].input)).toEqual([{ GroupId: 'sg-1' }, { GroupId: 'sg-2' }]);
  });

  test('an instance record without a state is treated as live and terminated; one without an id is skipped', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-nostate' }, { State: { Name: 'running' } }] }] });
    ec2Mock.on(TerminateInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(ec2Mock.commandCalls(TerminateInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-nostate'] });
    expect(status).toMatchObject({ remainingInstances: ['i-nostate'], done: false });
  });

  test('nothing tagged at all: done at once', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    // Act + Assess
    expect(await cleanupDeployment(ec2, 'dep-1')).toEqual({
      remainingInstances: [],
      terminatedInstances: [],
      deletedSecurityGroups: [],
      remainingSecurityGroups: [],
      done: true,
    });
  });

  test('DependencyViolation keeps the group remaining (an ENI still holds it); not done', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError('DependencyViolation'));
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(status).toMatchObject({ deletedSecurityGroups: [], remainingSecurityGroups: ['sg-1'], done: false });
  });

  test('InvalidGroup.NotFound is ignored (already gone)', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError('InvalidGroup.NotFound'));
    // Act
    const status = await cleanupDeployment(ec2, 'dep-1');
    // Assess
    expect(status).toMatchObject({ deletedSecurityGroups: [], remainingSecurityGroups: [], done: true });
  });

  test('other DeleteSecurityGroup errors are converted', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError('UnauthorizedOperation', 403));
    // Act
    const failure = cleanupDeployment(ec2, 'dep-1');
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(failure).rejects.toMatchObject({ details: { operation: 'DeleteSecurityGroup' } });
  });

  test('a failing TerminateInstances is converted', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [inState('i-1', 'running')] }] });
    ec2Mock.on(TerminateInstancesCommand).rejects(awsError('RequestLimitExceeded', 503));
    // Act + Assess
    await expect(cleanupDeployment(ec2, 'dep-1')).rejects.toBeInstanceOf(AwsThrottlingError);
  });
});

describe('cleanupDeployment: the deployment id', () => {
  test.each(['api-*', 'a?c', '', 'x'.repeat(81), 'id with spaces'])('%p is refused before any EC2 call (tag filters treat * and ? as wildcards)', async (id) => {
    const failure = cleanupDeployment(new EC2Client({ region: 'us-east-1' }), id);
    await expect(failure).rejects.toMatchObject({ name: 'RequestInvalidError' });
  });
});
