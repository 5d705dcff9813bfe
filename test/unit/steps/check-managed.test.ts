import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { SsmManagedTimeoutError } from '../../../lib/errors.js';
import { checkManagedStep } from '../../../lib/steps/check-managed.js';
import { after, launchedDoc } from './fixtures.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });
const TIMEOUTS = { runningSeconds: 600, managedSeconds: 900 };

beforeEach(() => ssmMock.reset());

describe('checkManagedStep', () => {
  test('online', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'Online' }] });
    // Act
    const result = await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), ssm, after(120));
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
    expect(await checkManagedStep(doc, ssm)).toEqual({ pingStatus: 'NotRegistered', online: false });
  });

  test('online even past the deadline', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'Online' }] });
    expect((await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), ssm, after(100_000))).online).toBe(true);
  });

  test('not registered before the deadline (running + managed seconds): keep waiting', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({});
    // Act
    const result = await checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), ssm, after(1500));
    // Assess
    expect(result).toEqual({ pingStatus: 'NotRegistered', online: false });
  });

  test('offline past the deadline → SsmManagedTimeoutError with the last status and a hint', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'ConnectionLost' }] });
    // Act
    const failure = checkManagedStep(launchedDoc({ timeouts: TIMEOUTS }), ssm, after(1501));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(SsmManagedTimeoutError);
    await expect(failure).rejects.toMatchObject({
      message: 'SSM never reported instance i-0123456789abcdef0 online (last status ConnectionLost)',
      hint: expect.stringContaining('AmazonSSMManagedInstanceCore'),
    });
  });
});
