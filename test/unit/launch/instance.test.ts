import {
  CreateSecurityGroupCommand,
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  type Instance,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { CAPACITY_ERROR_CODES } from '../../../lib/aws/classify.js';
import type { LaunchAttempt } from '../../../lib/capacity/plan.js';
import { AwsThrottlingError, AwsTransientError, CapacityUnavailableError, LaunchFailedError, NetworkNotFoundError } from '../../../lib/errors.js';
import { findDeploymentInstances, launchInstance, runInstancesInput, type LaunchInput } from '../../../lib/launch/instance.js';
import { clientToken } from '../../../lib/launch/tags.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

const INPUT: LaunchInput = {
  deploymentId: 'dep-1',
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:deploy:dep-1',
  imageId: 'ami-0abc',
  rootVolumeGiB: 100,
  userDataBase64: 'IyEvYmluL2Jhc2gK',
  tags: { team: 'ml' },
};
const SPOT_A: LaunchAttempt = { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', maxPrice: 1.006, expectedHourly: 0.4, reason: 'spot' };
const SPOT_B: LaunchAttempt = { zone: 'us-east-1b', market: 'spot', instanceType: 'g5.xlarge', maxPrice: 1.006, expectedHourly: 0.42, reason: 'spot' };
const OD_A: LaunchAttempt = { zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', expectedHourly: 1.006, reason: 'od' };
const NETWORK = { subnetId: 'subnet-1', securityGroupId: 'sg-1' };
const TAGS = [
  { Key: 'team', Value: 'ml' },
  // The planned price of the attempt (no source given in INPUT): `list` reads it instead of calling Pricing.
  { Key: 'gpu-deploy:hourly-price', Value: '1.0060' },
  { Key: 'Name', Value: 'gpu-deploy-dep-1' },
  { Key: 'gpu-deploy:deployment-id', Value: 'dep-1' },
  { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' },
  // The spot-interruption handler finds the original request through the execution.
  { Key: 'gpu-deploy:execution-arn', Value: 'arn:aws:states:us-east-1:123456789012:execution:deploy:dep-1' },
];

const sdkError = (name: string, status = 400): EC2ServiceException =>
  new EC2ServiceException({ name, $fault: status >= 500 ? 'server' : 'client', $metadata: { httpStatusCode: status }, message: `${name} message` });

const launched = (overrides: Partial<Instance> = {}): Instance => ({
  InstanceId: 'i-0123',
  InstanceType: 'g5.xlarge',
  Placement: { AvailabilityZone: 'us-east-1a' },
  SubnetId: 'subnet-a',
  SecurityGroups: [{ GroupId: 'sg-1' }],
  LaunchTime: new Date('2025-06-01T12:00:00Z'),
  ...overrides,
});

/** A default VPC with a default subnet in every zone, and the deployment's security group already there. */
function network(): void {
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Name?: string; Values?: string[] }[] }) => {
    const zone = input.Filters?.[0]?.Values?.[0] ?? 'us-east-1a';
    return { Subnets: [{ SubnetId: `subnet-${zone.slice(-1)}`, VpcId: 'vpc-1', AvailabilityZone: zone }] };
  });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
}

beforeEach(() => ec2Mock.reset());

describe('runInstancesInput', () => {
  test('on-demand: every security default', () => {
    // Act
    const input = runInstancesInput(INPUT, OD_A, NETWORK);
    // Assess
    expect(input).toEqual({
      ClientToken: clientToken(INPUT.executionId, OD_A),
      ImageId: 'ami-0abc',
      InstanceType: 'g5.xlarge',
      MinCount: 1,
      MaxCount: 1,
      SubnetId: 'subnet-1',
      SecurityGroupIds: ['sg-1'],
      UserData: 'IyEvYmluL2Jhc2gK',
      // The idle guard and the lifetime backstop shut the instance down: that must terminate it.
      InstanceInitiatedShutdownBehavior: 'terminate',
      MetadataOptions: { HttpTokens: 'required', HttpPutResponseHopLimit: 2, HttpEndpoint: 'enabled' },
      BlockDeviceMappings: [
        { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 100, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } },
      ],
      TagSpecifications: [
        { ResourceType: 'instance', Tags: TAGS },
        { ResourceType: 'volume', Tags: TAGS },
      ],
    });
    expect(input).not.toHaveProperty('InstanceMarketOptions');
    expect(input).not.toHaveProperty('IamInstanceProfile');
  });

  test('spot: one-time, terminate on interruption, MaxPrice as a 4-decimal string', () => {
    // Act
    const input = runInstancesInput(INPUT, { ...SPOT_A, maxPrice: 0.5 }, NETWORK);
    // Assess
    expect(input.InstanceMarketOptions).toEqual({
      MarketType: 'spot',
      SpotOptions: { SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate', MaxPrice: '0.5000' },
    });
  });

  test('spot without a max price leaves MaxPrice to AWS (the on-demand price)', () => {
    // Act
    const input = runInstancesInput(INPUT, { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', reason: 'spot' }, NETWORK);
    // Assess
    expect(input.InstanceMarketOptions?.SpotOptions).toEqual({ SpotInstanceType: 'one-time', InstanceInterruptionBehavior: 'terminate' });
  });

  test('a ClientToken per attempt (zone, market, type), stable across retries of the same attempt', () => {
    // Act
    const tokens = [OD_A, SPOT_A, SPOT_B, OD_A].map((attempt) => runInstancesInput(INPUT, attempt, NETWORK).ClientToken);
    // Assess
    expect(new Set(tokens).size).toBe(3);
    expect(tokens[0]).toBe(tokens[3]);
  });

  test('the instance profile and the AMI root device name are used when given', () => {
    // Act
    const input = runInstancesInput({ ...INPUT, instanceProfileName: 'gpu-deploy-instance', rootDeviceName: '/dev/xvda', rootVolumeGiB: 250 }, OD_A, NETWORK);
    // Assess
    expect(input.IamInstanceProfile).toEqual({ Name: 'gpu-deploy-instance' });
    expect(input.BlockDeviceMappings?.[0]).toEqual({
      DeviceName: '/dev/xvda',
      Ebs: { VolumeSize: 250, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true },
    });
  });
});

describe('findDeploymentInstances', () => {
  test('finds live instances by the deployment tag across reservations', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({
      Reservations: [{ Instances: [{ InstanceId: 'i-1' }] }, {}, { Instances: [{ InstanceId: 'i-2' }] }],
    });
    // Act
    const instances = await findDeploymentInstances(ec2, 'dep-1');
    // Assess
    expect(instances.map((i) => i.InstanceId)).toEqual(['i-1', 'i-2']);
    expect(ec2Mock.commandCalls(DescribeInstancesCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'tag:gpu-deploy:deployment-id', Values: ['dep-1'] },
        { Name: 'instance-state-name', Values: ['pending', 'running', 'stopping', 'stopped', 'shutting-down'] },
      ],
    });
  });

  test('no reservations → none', async () => {
    ec2Mock.on(DescribeInstancesCommand).resolves({});
    expect(await findDeploymentInstances(ec2, 'dep-1')).toEqual([]);
  });
});

describe('launchInstance', () => {
  test('launches the first attempt and describes it', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [launched({ InstanceLifecycle: 'spot' })] });
    // Act
    const result = await launchInstance(ec2, INPUT, [SPOT_A, OD_A]);
    // Assess
    expect(result).toEqual({
      instanceId: 'i-0123',
      instanceType: 'g5.xlarge',
      zone: 'us-east-1a',
      market: 'spot',
      subnetId: 'subnet-a',
      securityGroupId: 'sg-1',
      launchedAt: '2025-06-01T12:00:00.000Z',
      reused: false,
      attempts: [{ zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', outcome: 'launched' }],
    });
    const run = ec2Mock.commandCalls(RunInstancesCommand);
    expect(run).toHaveLength(1);
    expect(run[0]?.args[0].input).toMatchObject({ SubnetId: 'subnet-a', SecurityGroupIds: ['sg-1'], ClientToken: clientToken(INPUT.executionId, SPOT_A) });
  });

  test('reuses an instance already tagged with the deployment, without RunInstances', async () => {
    // Prepare
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [launched({ InstanceId: 'i-existing', SecurityGroups: [] })] }] });
    // Act
    const result = await launchInstance(ec2, INPUT, [SPOT_A]);
    // Assess
    expect(result).toMatchObject({ instanceId: 'i-existing', reused: true, attempts: [], market: 'on-demand', securityGroupId: '' });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)).toHaveLength(0);
  });

  test.each([...CAPACITY_ERROR_CODES])('%s moves on to the next attempt and is reported to onCapacityError', async (code) => {
    // Prepare
    network();
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(sdkError(code, code === 'InsufficientInstanceCapacity' ? 500 : 400))
      .resolves({ Instances: [launched({ Placement: { AvailabilityZone: 'us-east-1b' } })] });
    const capacityErrors: LaunchAttempt[] = [];
    // Act
    const result = await launchInstance(ec2, INPUT, [SPOT_A, SPOT_B], (attempt) => capacityErrors.push(attempt));
    // Assess
    expect(result.zone).toBe('us-east-1b');
    expect(result.attempts).toEqual([
      { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', outcome: code },
      { zone: 'us-east-1b', market: 'spot', instanceType: 'g5.xlarge', outcome: 'launched' },
    ]);
    expect(capacityErrors).toEqual([SPOT_A]);
    const tokens = ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input.ClientToken);
    expect(tokens).toEqual([clientToken(INPUT.executionId, SPOT_A), clientToken(INPUT.executionId, SPOT_B)]);
  });

  test('each attempt looks up the subnet of its own zone', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).rejectsOnce(sdkError('InsufficientInstanceCapacity', 500)).resolves({ Instances: [launched()] });
    // Act
    await launchInstance(ec2, INPUT, [SPOT_A, SPOT_B]);
    // Assess
    const zones = ec2Mock.commandCalls(DescribeSubnetsCommand).map((c) => c.args[0].input.Filters?.[0]?.Values?.[0]);
    expect(zones).toEqual(['us-east-1a', 'us-east-1b']);
    expect(ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input.SubnetId)).toEqual(['subnet-a', 'subnet-b']);
  });

  test('every attempt out of capacity → CapacityUnavailableError listing what was tried', async () => {
    // Prepare
    network();
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(sdkError('InsufficientInstanceCapacity', 500))
      .rejectsOnce(sdkError('SpotMaxPriceTooLow'))
      .rejectsOnce(sdkError('InsufficientInstanceCapacity', 500));
    const onCapacityError = jestLikeCounter();
    // Act
    const failure = launchInstance(ec2, INPUT, [SPOT_A, SPOT_B, OD_A], onCapacityError.fn);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(CapacityUnavailableError);
    await expect(failure).rejects.toMatchObject({
      message: 'No capacity for g5.xlarge in any planned zone and market (3 attempts: us-east-1a spot (InsufficientInstanceCapacity), us-east-1b spot (SpotMaxPriceTooLow), us-east-1a on-demand (InsufficientInstanceCapacity))',
      hint: expect.stringContaining('--market auto'),
      details: {
        tried: [
          { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', outcome: 'InsufficientInstanceCapacity' },
          { zone: 'us-east-1b', market: 'spot', instanceType: 'g5.xlarge', outcome: 'SpotMaxPriceTooLow' },
          { zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', outcome: 'InsufficientInstanceCapacity' },
        ],
      },
    });
    expect(onCapacityError.count()).toBe(3);
  });

  test('no attempts at all → CapacityUnavailableError without calling RunInstances', async () => {
    // Prepare
    network();
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [])).rejects.toMatchObject({
      name: 'CapacityUnavailableError',
      message: 'No capacity for the instance type in any planned zone and market (0 attempts)',
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  test('a non-capacity AWS error stops the walk → LaunchFailedError with the code', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).rejects(sdkError('InvalidAMIID.NotFound'));
    // Act
    const failure = launchInstance(ec2, INPUT, [SPOT_A, OD_A]);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(LaunchFailedError);
    await expect(failure).rejects.toMatchObject({
      message: 'RunInstances failed in us-east-1a (spot): InvalidAMIID.NotFound',
      details: { code: 'InvalidAMIID.NotFound', attempt: SPOT_A, tried: [] },
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  test('an error without an AWS code → LaunchFailedError with code Unknown', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).rejects(new Error('socket hang up'));
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [OD_A])).rejects.toMatchObject({
      name: 'LaunchFailedError',
      message: 'RunInstances failed in us-east-1a (on-demand): Unknown',
      details: { code: 'Unknown' },
    });
  });

  test('throttling is not walked: AwsThrottlingError after the first call', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).rejects(sdkError('RequestLimitExceeded', 503));
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [SPOT_A, OD_A])).rejects.toBeInstanceOf(AwsThrottlingError);
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  test('a transient 5xx fault is not walked either: AwsTransientError', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).rejects(sdkError('InternalError', 500));
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [SPOT_A, OD_A])).rejects.toBeInstanceOf(AwsTransientError);
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  test('RunInstances answering without an instance → LaunchFailedError', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [] });
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [SPOT_A, OD_A])).rejects.toThrow(new LaunchFailedError('RunInstances returned no instance'));
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  test('a sparse instance record is described with empty fields and the group just ensured', async () => {
    // Prepare
    network();
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-sparse' }] });
    // Act
    const before = Date.now();
    const result = await launchInstance(ec2, INPUT, [OD_A]);
    // Assess
    expect(result).toMatchObject({ instanceId: 'i-sparse', instanceType: '', zone: '', subnetId: '', market: 'on-demand', securityGroupId: 'sg-1' });
    expect(Date.parse(result.launchedAt)).toBeGreaterThanOrEqual(before - 1000);
  });
});

/** A tiny call counter (no jest.fn needed under ESM). */
function jestLikeCounter(): { fn: () => void; count: () => number } {
  let n = 0;
  return { fn: () => void (n += 1), count: () => n };
}

test('the deployment security group is created when the VPC has none yet', async () => {
  // Prepare
  ec2Mock.on(DescribeInstancesCommand).resolves({});
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1' }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
  ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
  ec2Mock.on(RunInstancesCommand).resolves({ Instances: [launched({ SecurityGroups: undefined })] });
  // Act
  const result = await launchInstance(ec2, INPUT, [OD_A]);
  // Assess
  expect(result.securityGroupId).toBe('sg-new');
  expect(ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.SecurityGroupIds).toEqual(['sg-new']);
});

describe('launchInstance: zones without a default subnet', () => {
  test('an attempt whose zone has no default subnet is skipped, the next one launches', async () => {
    // Prepare: the default VPC has no subnet in us-east-1a.
    network();
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) => {
      const zone = input.Filters?.[0]?.Values?.[0] ?? '';
      return zone === 'us-east-1a' ? { Subnets: [] } : { Subnets: [{ SubnetId: 'subnet-b', VpcId: 'vpc-1', AvailabilityZone: zone }] };
    });
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [launched({ Placement: { AvailabilityZone: 'us-east-1b' } })] });
    // Act
    const result = await launchInstance(ec2, INPUT, [SPOT_A, SPOT_B]);
    // Assess
    expect(result.attempts.map((a) => `${a.zone}:${a.outcome}`)).toEqual(['us-east-1a:NoDefaultSubnet', 'us-east-1b:launched']);
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });

  test('no default subnet in any planned zone is a NetworkNotFoundError naming the zones', async () => {
    // Prepare
    network();
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    // Act
    const error = await launchInstance(ec2, INPUT, [SPOT_A, SPOT_B]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(NetworkNotFoundError);
    expect((error as Error).message).toContain('us-east-1a, us-east-1b');
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  test('a subnet the request named is never skipped', async () => {
    // Prepare
    network();
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    // Act
    const error = await launchInstance(ec2, { ...INPUT, subnetId: 'subnet-0123abcd' }, [SPOT_A, SPOT_B]).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(NetworkNotFoundError);
    expect((error as Error).message).toBe('Subnet subnet-0123abcd was not found');
  });
});
