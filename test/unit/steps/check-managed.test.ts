import { DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { InstanceStartFailedError, SsmManagedTimeoutError } from '../../../lib/errors.js';
import { checkManagedStep } from '../../../lib/steps/check-managed.js';
import { after, launchedDoc } from './fixtures.js';

const ssmMock = mockClient(SSMClient);
const ec2Mock = mockClient(EC2Client);
const clients = { ssm: new SSMClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }) };
const instanceIs = (state: string) =>
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: state as never } }] }] });
const TIMEOUTS = { runningSeconds: 600, managedSeconds: 900 };

beforeEach(() => {
  ssmMock.reset();
  ec2Mock.reset();
  instanceIs('running');
});

describe('checkManagedStep', () => {
  test('online', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'Online' }] });
    // Act
    const result = await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(120));
    // Assess
    expect(result).toEqual({ pingStatus: 'Online', online: true });
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0]?.args[0].input.Filters).toEqual([
      { Key: 'InstanceIds', Values: ['i-0123456789abcdef0'] },
    ]);
  });

  test('the clock defaults to now: just launched and not registered is still waiting', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({});
    const doc = launchedDoc({ timeouts: TIMEOUTS }, { launchedAt: new Date().toISOString() });
    // Act + Assess
    expect(await checkManagedStep(doc, clients)).toEqual({ pingStatus: 'NotRegistered', online: false });
  });

  test('online even past the deadline', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'Online' }] });
    expect((await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(100_000))).online).toBe(true);
  });

  test('not registered before the deadline (running + managed seconds): keep waiting', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({});
    // Act
    const result = await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(1500));
    // Assess
    expect(result).toEqual({ pingStatus: 'NotRegistered', online: false });
  });

  test('offline past the deadline → SsmManagedTimeoutError with the last status and a hint', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'ConnectionLost' }] });
    // Act
    const failure = checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(1501));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(SsmManagedTimeoutError);
    await expect(failure).rejects.toMatchObject({
      message: 'SSM never reported instance i-0123456789abcdef0 online (last status ConnectionLost)',
      hint: expect.stringContaining('AmazonSSMManagedInstanceCore'),
    });
  });

  test('online: the instance is not looked at', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'Online' }] });
    await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(120));
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)).toHaveLength(0);
  });

  test.each(['terminated', 'shutting-down', 'stopped', 'stopping'])('not managed and %s: InstanceStartFailedError at once, before the deadline', async (state) => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({});
    instanceIs(state);
    // Act
    const failure = checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), clients, after(60));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(InstanceStartFailedError);
    await expect(failure).rejects.toMatchObject({ details: { state } });
  });
});
