import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  RunInstancesCommand,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { Alternative } from '../../../lib/capacity/suggest.js';
import { clearUnavailable, recentlyUnavailable } from '../../../lib/capacity/unavailable.js';
import { CapacityUnavailableError, InstanceProfileUnavailableError, LaunchFailedError } from '../../../lib/errors.js';
import { lastRecentlyUnavailable, launchStep } from '../../../lib/steps/launch.js';
import { awsError, plannedDoc, PRICES } from './fixtures.js';
import { decodeUserData } from '../../../lib/userdata/index.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
/** What the deployed stack's Launch function has in its environment. */
const STACK_PROFILE = { instanceProfileName: 'gpu-deploy-dev-GpuInstanceProfile' };

const userDataOf = (call: number): string => {
  const input = ec2Mock.commandCalls(RunInstancesCommand)[call]?.args[0].input;
  return decodeUserData(input?.UserData ?? '');
};

beforeEach(() => {
  ec2Mock.reset();
  clearUnavailable();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-b', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1b' }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
});

describe('launchStep', () => {
  test('a DLAMI: UserData for the dlami source, the root volume at least the snapshot size, the spot estimate', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({
      Instances: [{ InstanceId: 'i-1', InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'us-east-1b' }, InstanceLifecycle: 'spot', SubnetId: 'subnet-b' }],
    });
    // Act
    const launch = await launchStep(plannedDoc({ rootVolumeGiB: 50 }, { rootSnapshotGiB: 75 }), ec2, STACK_PROFILE);
    // Assess
    expect(launch).toMatchObject({ instanceId: 'i-1', market: 'spot', zone: 'us-east-1b', reused: false });
    expect(launch.estimate).toMatchObject({ market: 'spot', instance: { hourly: PRICES.spot['us-east-1b']?.usdPerHour }, volume: { gib: 75 } });
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(input?.ImageId).toBe('ami-0abc');
    expect(input?.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize).toBe(75);
    expect(input?.IamInstanceProfile).toEqual({ Name: STACK_PROFILE.instanceProfileName });
    const script = userDataOf(0);
    expect(script.startsWith('#!/bin/bash\n')).toBe(true);
    expect(script).toContain("readonly AMI_SOURCE='dlami'");
    expect(script).toContain("readonly DEPLOYMENT_ID='dep-1'");
    expect(script).toContain("readonly OLLAMA_ENABLED='true'");
  });

  test('a standard AMI (needsDriver): UserData installs the driver (amiSource standard); a bigger request wins over the snapshot', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1', Placement: { AvailabilityZone: 'us-east-1b' } }] });
    // Act
    await launchStep(plannedDoc({ rootVolumeGiB: 200, ollama: { enabled: false } }, { source: 'standard-fallback', needsDriver: true, rootSnapshotGiB: 8 }), ec2, STACK_PROFILE);
    // Assess
    const script = userDataOf(0);
    expect(script).toContain("readonly AMI_SOURCE='standard'");
    expect(script).toContain("readonly OLLAMA_ENABLED='false'");
    expect(ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize).toBe(200);
  });

  test('an Amazon Linux AMI: the root volume mapping uses the image\'s root device (/dev/xvda)', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1', InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'us-east-1b' } }] });
    // Act
    await launchStep(plannedDoc({ osType: 'amazon-linux-2023' }, { rootDeviceName: '/dev/xvda', rootSnapshotGiB: 60 }), ec2, STACK_PROFILE);
    // Assess
    const mappings = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.BlockDeviceMappings;
    expect(mappings).toEqual([{ DeviceName: '/dev/xvda', Ebs: { VolumeSize: 100, VolumeType: 'gp3', Encrypted: true, DeleteOnTermination: true } }]);
  });

  test('no snapshot size known: the request size', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1' }] });
    // Act
    await launchStep(plannedDoc({ rootVolumeGiB: 64 }, { rootSnapshotGiB: undefined }), ec2, STACK_PROFILE);
    // Assess
    expect(ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.BlockDeviceMappings?.[0]?.Ebs?.VolumeSize).toBe(64);
  });

  test('the instance profile, subnet, tags and execution token reach RunInstances', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1' }] });
    const doc = plannedDoc({ subnetId: 'subnet-0123abcd', tags: { team: 'ml' } });
    // Act
    await launchStep(doc, ec2, { instanceProfileName: 'gpu-deploy-instance' });
    // Assess
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(input?.IamInstanceProfile).toEqual({ Name: 'gpu-deploy-instance' });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({ SubnetIds: ['subnet-0123abcd'] });
    expect(input?.TagSpecifications?.[0]?.Tags).toContainEqual({ Key: 'team', Value: 'ml' });
    expect(input?.ClientToken).toMatch(/^gd-[0-9a-f]{48}$/);
  });

  test('no instance profile from the request nor the environment: a named error, and RunInstances is never called', async () => {
    // Act + Assess
    await expect(launchStep(plannedDoc(), ec2, {})).rejects.toBeInstanceOf(InstanceProfileUnavailableError);
    await expect(launchStep(plannedDoc(), ec2, {})).rejects.toMatchObject({ hint: expect.stringContaining('--instance-profile') });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(0);
  });

  test("the request's instanceProfile wins over the stack's, and the planned price is tagged with its source", async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1' }] });
    // Act
    await launchStep(plannedDoc({ instanceProfile: 'team-ssm' }), ec2, STACK_PROFILE);
    // Assess
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(input?.IamInstanceProfile).toEqual({ Name: 'team-ssm' });
    const tags = input?.TagSpecifications?.[0]?.Tags ?? [];
    expect(tags.find((t) => t.Key === 'gpu-deploy:hourly-price')?.Value).toMatch(/^\d+\.\d{4}$/);
    expect(tags.find((t) => t.Key === 'gpu-deploy:price-source')?.Value).toBeDefined();
  });

  test('a capacity error is remembered for the next plan and the next attempt is launched (on-demand estimate)', async () => {
    // Prepare
    ec2Mock
      .on(RunInstancesCommand)
      .rejectsOnce(awsError('InsufficientInstanceCapacity', 500))
      .resolves({ Instances: [{ InstanceId: 'i-2', Placement: { AvailabilityZone: 'us-east-1a' } }] });
    // Act
    const launch = await launchStep(plannedDoc(), ec2, STACK_PROFILE);
    // Assess
    expect(launch).toMatchObject({ instanceId: 'i-2', market: 'on-demand', zone: 'us-east-1a' });
    expect(launch.estimate).toMatchObject({ market: 'on-demand', instance: { hourly: 1.006 } });
    expect([...recentlyUnavailable('us-east-1', 'g5.xlarge', ['us-east-1a', 'us-east-1b'])]).toEqual(['us-east-1b|spot']);
  });

  test('without an on-demand price the launch carries no estimate', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1', InstanceLifecycle: 'spot', Placement: { AvailabilityZone: 'us-east-1b' } }] });
    const { onDemand: _omitted, ...prices } = PRICES;
    // Act
    const launch = await launchStep(plannedDoc({}, {}, { prices }), ec2, STACK_PROFILE);
    // Assess
    expect(launch.instanceId).toBe('i-1');
    // No estimate: absent or null (the ASL's success output reads $.launch.estimate, so it may be kept as null).
    expect(launch.estimate ?? null).toBeNull();
  });

  test('every attempt out of capacity: CapacityUnavailableError listing what was tried and the plan\'s alternatives', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InsufficientInstanceCapacity', 500));
    const alternatives: Alternative[] = [
      { instanceType: 'g6.xlarge', gpu: { model: 'L4', count: 1, memoryGiB: 22 }, vcpus: 4, onDemandHourly: 0.8048, priceSource: 'pricing-api', quota: 'within' },
    ];
    // Act
    const failure = launchStep(plannedDoc({}, {}, { alternatives } as never), ec2, STACK_PROFILE);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(CapacityUnavailableError);
    await expect(failure).rejects.toMatchObject({
      name: 'CapacityUnavailableError',
      message:
        'No capacity for g5.xlarge in any planned zone and market (2 attempts: us-east-1b spot (InsufficientInstanceCapacity), us-east-1a on-demand (InsufficientInstanceCapacity)). ' +
        'Other NVIDIA types offered in us-east-1 that fit: try g6.xlarge ($0.80/h, 1 x L4 22 GiB)',
      details: { tried: [expect.objectContaining({ zone: 'us-east-1b' }), expect.objectContaining({ zone: 'us-east-1a' })], alternatives },
    });
  });

  test('a plan from before alternatives existed: the error has an empty list; other errors pass unchanged', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InsufficientInstanceCapacity', 500));
    // Act + Assess
    await expect(launchStep(plannedDoc(), ec2, STACK_PROFILE)).rejects.toMatchObject({ details: { alternatives: [] } });
    ec2Mock.on(RunInstancesCommand).rejects(awsError('InvalidAMIID.NotFound'));
    await expect(launchStep(plannedDoc(), ec2, STACK_PROFILE)).rejects.toBeInstanceOf(LaunchFailedError);
  });
});

describe('lastRecentlyUnavailable', () => {
  test('moves the offerings that just ran out of capacity last, keeping the order otherwise', () => {
    const a = { zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', reason: '' } as const;
    const b = { ...a, zone: 'us-east-1b' };
    const c = { ...a, zone: 'us-east-1a', market: 'on-demand' } as const;
    expect(lastRecentlyUnavailable([a, b, c], new Set(['us-east-1a|spot']))).toEqual([b, c, a]);
    expect(lastRecentlyUnavailable([a, b, c], new Set())).toEqual([a, b, c]);
  });
});

describe('launchStep: the lifetime and the idle policy', () => {
  const launched = { Instances: [{ InstanceId: 'i-1', Placement: { AvailabilityZone: 'us-east-1b' } }] };

  test('written at launch: the tags, the deadline counted from the execution start, and the guard settings in UserData', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).resolves(launched);
    // Act
    const launch = await launchStep(plannedDoc({ maxLifetimeMinutes: 120, idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } }), ec2, STACK_PROFILE);
    // Assess: the execution started at 2025-06-01T12:00:00.000Z.
    expect(launch).toMatchObject({ expiresAt: '2025-06-01T14:00:00Z', idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(input?.InstanceInitiatedShutdownBehavior).toBe('terminate');
    const tags = input?.TagSpecifications?.[0]?.Tags ?? [];
    expect(tags).toEqual(expect.arrayContaining([
      { Key: 'gpu-deploy:expires-at', Value: '2025-06-01T14:00:00Z' },
      { Key: 'gpu-deploy:idle-teardown', Value: 'minutes=30 below=5' },
    ]));
    const script = userDataOf(0);
    expect(script).toContain(`readonly EXPIRES_AT_EPOCH='${Date.parse('2025-06-01T14:00:00Z') / 1000}'`);
    expect(script).toContain("readonly IDLE_MINUTES='30'");
    expect(script).toContain("readonly IDLE_BELOW_PERCENT='5'");
    expect(script).toContain('systemctl enable --now gpu-deploy-guard.timer');
  });

  test('a retried Launch sends the same deadline (the ClientToken demands identical parameters)', async () => {
    ec2Mock.on(RunInstancesCommand).resolves(launched);
    const doc = plannedDoc({ maxLifetimeMinutes: 60 });
    await launchStep(doc, ec2, STACK_PROFILE);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    await launchStep(doc, ec2, STACK_PROFILE);
    const [first, second] = ec2Mock.commandCalls(RunInstancesCommand).map((call) => call.args[0].input);
    expect(second?.ClientToken).toBe(first?.ClientToken);
    expect(second?.UserData).toBe(first?.UserData);
    expect(second?.TagSpecifications).toEqual(first?.TagSpecifications);
  });

  test('neither: no lifetime tags, empty guard settings, nulls in the result', async () => {
    ec2Mock.on(RunInstancesCommand).resolves(launched);
    const launch = await launchStep(plannedDoc(), ec2, STACK_PROFILE);
    expect(launch).toMatchObject({ expiresAt: null, idleTeardown: null });
    const keys = (ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input.TagSpecifications?.[0]?.Tags ?? []).map((t) => t.Key);
    expect(keys).not.toContain('gpu-deploy:expires-at');
    expect(keys).not.toContain('gpu-deploy:idle-teardown');
    expect(userDataOf(0)).toContain("readonly EXPIRES_AT_EPOCH=''");
  });
});
