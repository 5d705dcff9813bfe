import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { InstanceStartFailedError, InstanceStartTimeoutError } from '../../../lib/errors.js';
import { checkRunningStep } from '../../../lib/steps/check-running.js';
import { after, awsError, launchedDoc } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

const state = (Name: string, reason?: string): void => {
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: Name as never }, ...(reason ? { StateReason: { Message: reason } } : {}) }] }],
  });
};

beforeEach(() => ec2Mock.reset());

describe('checkRunningStep', () => {
  test('running', async () => {
    // Prepare
    state('running');
    // Act + Assess
    expect(await checkRunningStep(launchedDoc(), ec2, after(30))).toEqual({ state: 'running' });
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({ InstanceIds: ['i-0123456789abcdef0'] });
  });

  test('the clock defaults to now: a long-pending instance launched an hour ago has timed out', async () => {
    // Prepare
    state('pending');
    const doc = launchedDoc({}, { launchedAt: new Date(Date.now() - 3_600_000).toISOString() });
    // Act + Assess
    await expect(checkRunningStep(doc, ec2)).rejects.toBeInstanceOf(InstanceStartTimeoutError);
  });

  test('running after the deadline is still fine', async () => {
    state('running');
    expect(await checkRunningStep(launchedDoc(), ec2, after(10_000))).toEqual({ state: 'running' });
  });

  test('pending before the deadline: keep waiting', async () => {
    // Prepare
    state('pending');
    // Act + Assess
    expect(await checkRunningStep(launchedDoc({ timeouts: { runningSeconds: 600 } }), ec2, after(600))).toEqual({ state: 'pending' });
  });

  test('pending past the deadline → InstanceStartTimeoutError', async () => {
    // Prepare
    state('pending');
    // Act
    const failure = checkRunningStep(launchedDoc({ timeouts: { runningSeconds: 600 } }), ec2, after(601));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(InstanceStartTimeoutError);
    await expect(failure).rejects.toMatchObject({
      message: 'Instance i-0123456789abcdef0 was still pending after 600s',
      hint: 'Raise timeouts.runningSeconds or try another zone',
    });
  });

  test.each(['terminated', 'shutting-down', 'stopped', 'stopping'])('%s → InstanceStartFailedError', async (name) => {
    // Prepare
    state(name, 'Server.SpotInstanceTermination: Spot instance termination');
    // Act
    const failure = checkRunningStep(launchedDoc(), ec2, after(5));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(InstanceStartFailedError);
    await expect(failure).rejects.toMatchObject({
      message: `Instance i-0123456789abcdef0 is ${name} instead of running: Server.SpotInstanceTermination: Spot instance termination`,
      details: { instanceId: 'i-0123456789abcdef0', state: name },
    });
  });

  test('an instance EC2 does not know moments after launch is still coming (eventual consistency): pending', async () => {
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    expect(await checkRunningStep(launchedDoc(), ec2, after(5))).toEqual({ state: 'pending' });
  });

  test('an instance EC2 does not know two minutes after launch → InstanceStartFailedError with that reason', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).rejects(awsError('InvalidInstanceID.NotFound'));
    // Act + Assess
    await expect(checkRunningStep(launchedDoc(), ec2, after(121))).rejects.toThrow(
      'Instance i-0123456789abcdef0 is terminated instead of running: EC2 does not know the instance',
    );
  });

  test('terminated without a reason: the message ends at the state', async () => {
    // Prepare
    state('terminated');
    // Act + Assess
    await expect(checkRunningStep(launchedDoc(), ec2, after(5))).rejects.toThrow(/^Instance i-0123456789abcdef0 is terminated instead of running$/);
  });
});
