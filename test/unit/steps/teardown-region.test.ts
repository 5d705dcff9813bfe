import { DescribeExecutionCommand, SFNClient, SFNServiceException } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { RequestInvalidError } from '../../../lib/errors.js';
import { rollbackRegion } from '../../../lib/steps/rollback.js';
import { deploymentRegion } from '../../../lib/steps/teardown-region.js';

const sfnMock = mockClient(SFNClient);
const clientRegions: string[] = [];
const sfn = (region: string): SFNClient => {
  clientRegions.push(region);
  return new SFNClient({ region });
};
const ARN = 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:dep-7';

beforeEach(() => {
  sfnMock.reset();
  clientRegions.length = 0;
});

describe('deploymentRegion (the safety net\'s teardown)', () => {
  test('the region of the execution\'s own input, asked in the region of the execution (the stack\'s)', async () => {
    // Prepare: a stack in us-east-1 that deployed to eu-west-1.
    sfnMock.on(DescribeExecutionCommand).resolves({ input: JSON.stringify({ instanceType: 'g5.xlarge', region: 'eu-west-1' }) });
    // Act
    const region = await deploymentRegion(sfn, ARN);
    // Assess
    expect(region).toBe('eu-west-1');
    expect(clientRegions).toEqual(['us-east-1']);
    expect(sfnMock.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({ executionArn: ARN });
  });

  test('an input without a region deployed to the request default', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ input: '{"instanceType":"g5.xlarge"}' });
    await expect(deploymentRegion(sfn, ARN)).resolves.toBe('us-east-1');
  });

  test('anything that is not an execution ARN → RequestInvalidError, no AWS call', async () => {
    await expect(deploymentRegion(sfn, undefined)).rejects.toBeInstanceOf(RequestInvalidError);
    await expect(deploymentRegion(sfn, 'arn:aws:states:us-east-1:123456789012:stateMachine:gpu-deploy-dev-deploy')).rejects.toMatchObject({
      name: 'RequestInvalidError',
      hint: expect.stringContaining('executionArn'),
    });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('an execution Step Functions does not know → DeploymentNotFoundError', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(new SFNServiceException({ name: 'ExecutionDoesNotExist', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'Execution Does Not Exist' }));
    await expect(deploymentRegion(sfn, ARN)).rejects.toMatchObject({ name: 'DeploymentNotFoundError' });
  });

  test('a denied DescribeExecution fails by name (the teardown state machine retries it)', async () => {
    sfnMock.on(DescribeExecutionCommand).rejects(
      new SFNServiceException({ name: 'AccessDeniedException', $fault: 'client', $metadata: { httpStatusCode: 400 }, message: 'not authorized to perform: states:DescribeExecution' }),
    );
    await expect(deploymentRegion(sfn, ARN)).rejects.toMatchObject({ name: 'AwsAccessDeniedError', details: { operation: 'DescribeExecution' } });
  });
});

describe('the region read from the input', () => {
  test.each([
    ['{"region":"ap-south-1"}', 'ap-south-1'],
    ['{"region":"us-gov-west-1"}', 'us-gov-west-1'],
    ['{"region":"not a region"}', 'us-east-1'],
    ['{"region":42}', 'us-east-1'],
    ['[1,2]', 'us-east-1'],
    ['not json', 'us-east-1'],
    [undefined, 'us-east-1'],
  ])('%s → %s', async (input, region) => {
    sfnMock.on(DescribeExecutionCommand).resolves({ status: 'FAILED', ...(input === undefined ? {} : { input }) });
    await expect(deploymentRegion(sfn, ARN)).resolves.toBe(region);
  });
});

describe('rollbackRegion', () => {
  test('the request\'s region first, then the one an earlier step found: no AWS call', async () => {
    await expect(rollbackRegion({ deploymentId: 'd', request: { region: 'eu-north-1' } }, sfn)).resolves.toBe('eu-north-1');
    await expect(rollbackRegion({ deploymentId: 'd', request: {}, executionArn: ARN, rollback: { region: 'eu-west-2' } }, sfn)).resolves.toBe('eu-west-2');
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('else the execution\'s input', async () => {
    sfnMock.on(DescribeExecutionCommand).resolves({ input: '{"region":"eu-west-1"}' });
    await expect(rollbackRegion({ deploymentId: 'd', request: {}, executionArn: ARN }, sfn)).resolves.toBe('eu-west-1');
  });
});
