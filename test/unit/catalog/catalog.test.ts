import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  EC2Client,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { describeInstanceType, fromEc2, offeredZones } from '../../../lib/catalog/catalog.js';
import { AwsAccessDeniedError, AwsRequestError, AwsThrottlingError } from '../../../lib/errors.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

const awsError = (name: string, status = 400): Error =>
  Object.assign(new Error(`${name} happened`), { name, $metadata: { httpStatusCode: status } });

/** What DescribeInstanceTypes returns for g5.xlarge (trimmed to the fields we read). */
const G5_XLARGE: Ec2InstanceTypeInfo = {
  InstanceType: 'g5.xlarge',
  VCpuInfo: { DefaultVCpus: 4 },
  MemoryInfo: { SizeInMiB: 16384 },
  ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
  GpuInfo: { Gpus: [{ Name: 'A10G', Manufacturer: 'NVIDIA', Count: 1, MemoryInfo: { SizeInMiB: 24576 } }], TotalGpuMemoryInMiB: 24576 },
};

beforeEach(() => ec2Mock.reset());

describe('fromEc2', () => {
  test('maps a single-GPU record', () => {
    expect(fromEc2(G5_XLARGE)).toEqual({
      instanceType: 'g5.xlarge',
      gpu: { manufacturer: 'NVIDIA', model: 'A10G', count: 1, memoryMiB: 24576 },
      vcpus: 4,
      memoryMiB: 16384,
      architectures: ['x86_64'],
      source: 'ec2',
    });
  });

  test('multi-GPU entries: counts summed over Gpus entries, total memory from TotalGpuMemoryInMiB', () => {
    // Prepare
    const record: Ec2InstanceTypeInfo = {
      InstanceType: 'p4d.24xlarge',
      VCpuInfo: { DefaultVCpus: 96 },
      MemoryInfo: { SizeInMiB: 1179648 },
      ProcessorInfo: { SupportedArchitectures: ['x86_64'] },
      GpuInfo: {
        Gpus: [
          { Name: 'A100', Manufacturer: 'NVIDIA', Count: 6, MemoryInfo: { SizeInMiB: 40960 } },
          { Name: 'A100', Manufacturer: 'NVIDIA', Count: 2, MemoryInfo: { SizeInMiB: 40960 } },
        ],
        TotalGpuMemoryInMiB: 327680,
      },
    };
    // Act
    const info = fromEc2(record);
    // Assess
    expect(info.gpu).toEqual({ manufacturer: 'NVIDIA', model: 'A100', count: 8, memoryMiB: 327680 });
  });

  test('without TotalGpuMemoryInMiB, memory is per-GPU size times count of the first entry', () => {
    // Prepare
    const record: Ec2InstanceTypeInfo = {
      InstanceType: 'g4dn.12xlarge',
      GpuInfo: { Gpus: [{ Name: 'T4', Manufacturer: 'NVIDIA', Count: 4, MemoryInfo: { SizeInMiB: 16384 } }] },
    };
    // Act + Assess
    expect(fromEc2(record).gpu).toEqual({ manufacturer: 'NVIDIA', model: 'T4', count: 4, memoryMiB: 65536 });
  });

  test('missing GPU fields fall back to unknown / 0 / one GPU', () => {
    // Prepare
    const record: Ec2InstanceTypeInfo = { GpuInfo: { Gpus: [{}] } };
    // Act
    const info = fromEc2(record);
    // Assess
    expect(info).toEqual({
      instanceType: 'unknown',
      gpu: { manufacturer: 'unknown', model: 'unknown', count: 0, memoryMiB: 0 },
      vcpus: 0,
      memoryMiB: 0,
      architectures: [],
      source: 'ec2',
    });
  });

  test('no GPU info means gpu null', () => {
    expect(fromEc2({ InstanceType: 'm5.large', ProcessorInfo: { SupportedArchitectures: ['x86_64'] } }).gpu).toBeNull();
    expect(fromEc2({ InstanceType: 'm5.large', GpuInfo: { Gpus: [] } }).gpu).toBeNull();
  });

  test('architectures other than x86_64 and arm64 (i386, x86_64_mac) are dropped', () => {
    // Act
    const info = fromEc2({ InstanceType: 't2.micro', ProcessorInfo: { SupportedArchitectures: ['i386', 'x86_64', 'x86_64_mac', 'arm64_mac'] } });
    // Assess
    expect(info.architectures).toEqual(['x86_64']);
  });
});

describe('describeInstanceType', () => {
  test('asks EC2 for the one type and maps the answer', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [G5_XLARGE] });
    // Act
    const info = await describeInstanceType(ec2, 'g5.xlarge');
    // Assess
    expect(info?.source).toBe('ec2');
    expect(info?.gpu?.model).toBe('A10G');
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)[0]?.args[0].input).toEqual({ InstanceTypes: ['g5.xlarge'] });
  });

  test('an empty answer means the type does not exist', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({});
    // Act + Assess
    expect(await describeInstanceType(ec2, 'g5.xlarge')).toBeUndefined();
  });

  test('InvalidInstanceType → undefined, even for a type the offline table knows', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('InvalidInstanceType'));
    // Act + Assess
    expect(await describeInstanceType(ec2, 'g5.xlarge')).toBeUndefined();
  });

  test('another failure falls back to the offline table, marked as such', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('ECONNREFUSED'));
    // Act
    const info = await describeInstanceType(ec2, 'g5.xlarge');
    // Assess
    expect(info).toMatchObject({ instanceType: 'g5.xlarge', source: 'offline-table', gpu: { model: 'A10G' } });
  });

  test('another failure and no table row → the converted AWS error', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('UnauthorizedOperation', 403));
    // Act
    const failure = describeInstanceType(ec2, 'm5.large');
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(failure).rejects.toMatchObject({ details: { code: 'UnauthorizedOperation', operation: 'DescribeInstanceTypes' } });
  });

  test('throttling is not masked by the offline table: AwsThrottlingError even for a known type', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('RequestLimitExceeded', 503));
    // Act + Assess
    await expect(describeInstanceType(ec2, 'g5.xlarge')).rejects.toBeInstanceOf(AwsThrottlingError);
  });

  test('throttling with no table row → AwsThrottlingError', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('RequestLimitExceeded', 503));
    // Act + Assess
    await expect(describeInstanceType(ec2, 'x9.huge')).rejects.toBeInstanceOf(AwsThrottlingError);
  });

  test('an unclassified code with no table row → AwsRequestError with the code', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(awsError('InvalidParameterValue'));
    // Act + Assess
    await expect(describeInstanceType(ec2, 'x9.huge')).rejects.toEqual(expect.any(AwsRequestError));
  });
});

describe('offeredZones', () => {
  test('asks by availability zone for the type, follows NextToken, dedupes and sorts', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstanceTypeOfferingsCommand)
      .resolvesOnce({
        InstanceTypeOfferings: [{ Location: 'us-east-1d' }, { Location: 'us-east-1a' }, {}],
        NextToken: 'page-2',
      })
      .resolvesOnce({ InstanceTypeOfferings: [{ Location: 'us-east-1b' }, { Location: 'us-east-1a' }] });
    // Act
    const zones = await offeredZones(ec2, 'g5.xlarge');
    // Assess
    expect(zones).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1d']);
    const calls = ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input).toEqual({
      LocationType: 'availability-zone',
      Filters: [{ Name: 'instance-type', Values: ['g5.xlarge'] }],
      NextToken: undefined,
    });
    expect(calls[1]?.args[0].input.NextToken).toBe('page-2');
  });

  test('no offerings → empty list', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({});
    // Act + Assess
    expect(await offeredZones(ec2, 'p5.48xlarge')).toEqual([]);
  });

  test('a failure is converted at the boundary', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).rejects(awsError('AuthFailure', 401));
    // Act + Assess
    await expect(offeredZones(ec2, 'g5.xlarge')).rejects.toMatchObject({
      name: 'AwsAccessDeniedError',
      details: { code: 'AuthFailure', operation: 'DescribeInstanceTypeOfferings' },
    });
  });
});
