import { DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { InstanceTypeNotOfferedError, InstanceTypeUnknownError, RequestInvalidError } from '../../../lib/errors.js';
import { validateStep } from '../../../lib/steps/validate-request.js';
import { awsError, EXECUTION } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const client = new EC2Client({ region: 'eu-west-1' });

function factory(): { ec2: (region: string) => EC2Client; regions: string[] } {
  const regions: string[] = [];
  return { ec2: (region) => (regions.push(region), client), regions };
}

beforeEach(() => ec2Mock.reset());

describe('validateStep', () => {
  test('a valid request: parsed, checked against EC2 in its region, with zones and the deployment id', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({
      InstanceTypes: [
        {
          InstanceType: 'g5.xlarge',
          VCpuInfo: { DefaultVCpus: 4 },
          MemoryInfo: { SizeInMiB: 16384 },
          ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
          GpuInfo: { Gpus: [{ Name: 'A10G', Manufacturer: 'NVIDIA', Count: 1 }], TotalGpuMemoryInMiB: 24576 },
        },
      ],
    });
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [{ Location: 'eu-west-1b' }, { Location: 'eu-west-1a' }] });
    const { ec2, regions } = factory();
    // Act
    const doc = await validateStep({ request: { region: 'eu-west-1', amiType: 'pytorch' }, execution: { ...EXECUTION, name: 'run:1' } }, ec2);
    // Assess
    expect(regions).toEqual(['eu-west-1']);
    expect(doc.deploymentId).toBe('run-1');
    expect(doc.execution).toEqual({ ...EXECUTION, name: 'run:1' });
    expect(doc.request).toMatchObject({ region: 'eu-west-1', amiType: 'pytorch', instanceType: 'g5.xlarge' });
    expect(doc.instanceType).toMatchObject({ instanceType: 'g5.xlarge', gpu: { model: 'A10G', count: 1 }, source: 'ec2' });
    expect(doc.zones).toEqual(['eu-west-1a', 'eu-west-1b']);
  });

  test.each([
    [{ id: '', name: 'x', startTime: '' }],
    [{ id: 'arn', name: '', startTime: '' }],
    [undefined],
  ])('no execution context (%j) → RequestInvalidError before any AWS call', async (execution) => {
    // Prepare
    const { ec2, regions } = factory();
    // Act
    const failure = validateStep({ request: {}, execution: execution as never }, ec2);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(RequestInvalidError);
    await expect(failure).rejects.toMatchObject({ message: 'The state machine passed no execution context' });
    expect(regions).toEqual([]);
  });

  test('an invalid request → RequestInvalidError naming the field, before any AWS call', async () => {
    // Prepare
    const { ec2, regions } = factory();
    // Act
    const failure = validateStep({ request: { market: '$(reboot)' }, execution: EXECUTION }, ec2);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(RequestInvalidError);
    await expect(failure).rejects.toThrow(/market must be one of/);
    expect(regions).toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });

  test('an unknown instance type → InstanceTypeUnknownError with suggestions', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('InvalidInstanceType'));
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({});
    // Act
    const failure = validateStep({ request: { instanceType: 'g5.xlarg' }, execution: EXECUTION }, factory().ec2);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(InstanceTypeUnknownError);
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining('g5.xlarge') });
  });

  test('EC2 unreachable: the offline table answers, but no zone offers it → InstanceTypeNotOfferedError', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('ECONNREFUSED'));
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [] });
    // Act + Assess
    await expect(validateStep({ request: {}, execution: EXECUTION }, factory().ec2)).rejects.toBeInstanceOf(InstanceTypeNotOfferedError);
  });

  test('relaunch on interruption for a region other than the stack\'s is refused before any AWS call', async () => {
    // Prepare
    const { ec2, regions } = factory();
    // Act + Assess
    await expect(
      validateStep({ request: { region: 'eu-west-1', onInterruption: 'relaunch' }, execution: EXECUTION }, ec2, 'us-east-1'),
    ).rejects.toMatchObject({ name: 'InterruptionRegionUnsupportedError', details: { region: 'eu-west-1', stackRegion: 'us-east-1' } });
    expect(regions).toEqual([]);
    expect(ec2Mock.calls()).toHaveLength(0);
  });
});
