import { DescribeInstanceInformationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { ssmPingStatus } from '../../../lib/ssm/managed.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });

beforeEach(() => ssmMock.reset());

describe('ssmPingStatus', () => {
  test('the ping status of the instance, asked by instance id', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ InstanceId: 'i-1', PingStatus: 'Online' }] });
    // Act
    const status = await ssmPingStatus(ssm, 'i-1');
    // Assess
    expect(status).toBe('Online');
    expect(ssmMock.commandCalls(DescribeInstanceInformationCommand)[0]?.args[0].input).toEqual({
      Filters: [{ Key: 'InstanceIds', Values: ['i-1'] }],
    });
  });

  test('ConnectionLost is passed through', async () => {
    ssmMock.on(DescribeInstanceInformationCommand).resolves({ InstanceInformationList: [{ PingStatus: 'ConnectionLost' }] });
    expect(await ssmPingStatus(ssm, 'i-1')).toBe('ConnectionLost');
  });

  test.each([[{}], [{ InstanceInformationList: [] }], [{ InstanceInformationList: [{ InstanceId: 'i-1' }] }]])(
    'not registered yet (%j) → NotRegistered',
    async (answer) => {
      ssmMock.on(DescribeInstanceInformationCommand).resolves(answer);
      expect(await ssmPingStatus(ssm, 'i-1')).toBe('NotRegistered');
    },
  );

  test('failures are converted with the operation', async () => {
    // Prepare
    ssmMock.on(DescribeInstanceInformationCommand).rejects(Object.assign(new Error('no'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    // Act + Assess
    await expect(ssmPingStatus(ssm, 'i-1')).rejects.toMatchObject({
      name: 'AwsAccessDeniedError',
      details: { operation: 'DescribeInstanceInformation', code: 'AccessDeniedException' },
    });
  });
});
