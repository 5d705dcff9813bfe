import { DescribeInstanceAttributeCommand, DescribeSecurityGroupsCommand } from '@aws-sdk/client-ec2';
import { clearUnavailable } from '../../lib/capacity/unavailable.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { handler as launchHandler } from '../../functions/launch.js';
import { DEPLOYMENT_TAG } from '../../lib/launch/tags.js';
import { OS_TYPES } from '../../lib/types.js';
import { deploy, deploymentInstances, deploymentSecurityGroups, enteredStates, liveDeploymentInstances, motoEc2 } from './helpers.js';
import { decodeUserData } from '../../lib/userdata/index.js';

// The whole deployment over real HTTP: the real ASL in aws-local-stepfunctions, the real handlers and SDK calls,
// moto as the emulator and the project's stand-in for what moto lacks (SSM agent and Run Command, Pricing, spot
// prices, public SSM parameters).
let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: 'us-east-1' });
});

afterAll(async () => {
  await cloud?.stop();
});

beforeEach(() => {
  cloud.standIn.faults.length = 0;
  cloud.standIn.host = {};
  clearUnavailable();
});

describe('a deployment against the emulator', () => {
  test('succeeds: one verified, tagged, locked-down instance and its price', async () => {
    // Act
    const run = await deploy({ instanceType: 'g5.xlarge', region: 'us-east-1' });
    // Assess
    expect({ status: run.status, error: run.error, cause: run.cause }).toEqual({ status: 'SUCCEEDED', error: undefined, cause: undefined });
    const output = run.output as Record<string, any>;
    expect(output).toMatchObject({ status: 'SUCCEEDED', instanceType: 'g5.xlarge', region: 'us-east-1', amiSource: 'ssm-parameter' });
    expect(output.amiName).toBe('Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020');
    expect(output.warnings).toEqual([]);
    expect(output.gpu.healthy).toBe(true);
    expect(output.gpu.gpus).toHaveLength(1);
    expect(output.gpu.gpus[0].name).toBe('NVIDIA A10G');
    expect(output.gpu.docker.defaultRuntime).toBe('nvidia');
    expect(output.gpu.ollama.gpuDetected).toBe(true);
    expect(output.estimate.total.hourly).toBeGreaterThan(0);
    expect(output.estimate.sources.map((s: { what: string }) => s.what)).toContain('on-demand-price');
    const live = await liveDeploymentInstances(cloud, run.deploymentId);
    expect(live.map((i) => i.InstanceId)).toEqual([output.instanceId]);
    const [instance] = live;
    expect(instance?.MetadataOptions?.HttpTokens).toBe('required');
    expect(instance?.Tags).toEqual(expect.arrayContaining([{ Key: DEPLOYMENT_TAG, Value: run.deploymentId }]));
    const groups = await deploymentSecurityGroups(cloud, run.deploymentId);
    expect(groups).toHaveLength(1);
    expect(groups[0]?.IpPermissions ?? []).toEqual([]);
    expect(enteredStates(run.events)).toEqual(
      expect.arrayContaining(['ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'Launch', 'CheckRunning', 'CheckManaged', 'VerifyGpu', 'GetGpuReport', 'Succeeded']),
    );
  });

  test('an unknown instance type fails with a named error and launches nothing', async () => {
    const before = await cloud.liveInstances();
    const run = await deploy({ instanceType: 'foo.bar' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('InstanceTypeUnknownError');
    expect(run.cause).toContain('foo.bar');
    expect(await cloud.liveInstances()).toEqual(before);
    expect(enteredStates(run.events)).not.toContain('Launch');
  });

  test('an arm64-only GPU needs --architecture arm64', async () => {
    const rejected = await deploy({ instanceType: 'g5g.xlarge' });
    expect(rejected.status).toBe('FAILED');
    expect(rejected.error).toBe('ArchitectureMismatchError');
    expect(rejected.cause).toContain('arm64');

    const accepted = await deploy({ instanceType: 'g5g.xlarge', architecture: 'arm64' });
    expect(accepted.status).toBe('SUCCEEDED');
    const output = accepted.output as Record<string, any>;
    expect(output.amiName).toContain('Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04)');
    expect(output.gpu.gpus[0].name).toBe('NVIDIA T4g');
  });

  test('a host without a working driver fails verification, is rolled back, and nothing is left', async () => {
    cloud.standIn.host = { fault: 'no-driver' };
    const run = await deploy({ instanceType: 'g5.xlarge' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('GpuVerificationFailedError');
    expect(run.cause).toContain('DRIVER_NOT_LOADED');
    expect(run.rollback).toMatchObject({ done: true, remainingInstances: [] });
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toEqual([]);
    expect(await deploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
    expect(await deploymentSecurityGroups(cloud, run.deploymentId)).toEqual([]);
  });

  test('a failed UserData stage is reported by name', async () => {
    cloud.standIn.host = { failedStage: 'docker' };
    const run = await deploy({ instanceType: 'g5.xlarge' });
    expect(run.status).toBe('FAILED');
    expect(run.cause).toContain('USERDATA_STAGE_FAILED');
    expect(run.cause).toContain('docker');
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });

  test('while the instance is still setting up, the health check is sent again until set-up is complete', async () => {
    cloud.standIn.host = { setupRunningChecks: 2 };
    const run = await deploy({ instanceType: 'g5.xlarge' });
    expect(run.status).toBe('SUCCEEDED');
    expect(enteredStates(run.events).filter((s) => s === 'VerifyGpu')).toHaveLength(3);
    expect(enteredStates(run.events).filter((s) => s === 'WaitForSetup')).toHaveLength(2);
  });

  test('a set-up that never finishes times out verification and is rolled back', async () => {
    cloud.standIn.host = { setupRunningChecks: 10_000 };
    const run = await deploy({ instanceType: 'g5.xlarge', timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 6 } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('VerificationTimeoutError');
    // The deadline ends either a re-send loop or a check still in progress, whichever comes first on this machine.
    expect(enteredStates(run.events).filter((s) => s === 'VerifyGpu').length).toBeGreaterThanOrEqual(2);
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });

  test('with no capacity in the first two zones it succeeds in the third, with exactly one instance', async () => {
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500, zones: ['us-east-1a', 'us-east-1b'] });
    const run = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' });
    expect(run.status).toBe('SUCCEEDED');
    const output = run.output as Record<string, any>;
    expect(output.zone).toBe('us-east-1c');
    expect(output.launchAttempts.map((a: { zone: string; outcome: string }) => `${a.zone}:${a.outcome}`)).toEqual([
      'us-east-1a:InsufficientInstanceCapacity',
      'us-east-1b:InsufficientInstanceCapacity',
      'us-east-1c:launched',
    ]);
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
  });

  test('spot refused everywhere falls back to on-demand', async () => {
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code: 'MaxSpotInstanceCountExceeded', status: 400, spot: true });
    const run = await deploy({ instanceType: 'g5.xlarge', market: 'auto' });
    expect(run.status).toBe('SUCCEEDED');
    expect((run.output as Record<string, any>).market).toBe('on-demand');
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
  });

  test('no capacity anywhere ends in CapacityUnavailableError and leaves nothing behind', async () => {
    cloud.standIn.faults.push({ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500 });
    const run = await deploy({ instanceType: 'g5.xlarge' });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('CapacityUnavailableError');
    expect(await deploymentInstances(cloud, run.deploymentId)).toEqual([]);
    expect(await deploymentSecurityGroups(cloud, run.deploymentId)).toEqual([]);
  });

  test('throttling is retried with backoff and the deployment still succeeds', async () => {
    cloud.standIn.faults.push({ operation: 'ec2.DescribeInstanceTypes', code: 'RequestLimitExceeded', status: 503, times: 3 });
    const run = await deploy({ instanceType: 'g5.xlarge' });
    expect(run.status).toBe('SUCCEEDED');
    expect(run.events.filter((e) => e.kind === 'retried' && e.state === 'ValidateRequest').length).toBeGreaterThanOrEqual(1);
  });

  test('an SSM agent that never comes online times out and is rolled back', async () => {
    cloud.standIn.host = { agentOffline: true };
    const run = await deploy({ instanceType: 'g5.xlarge', timeouts: { runningSeconds: 1, managedSeconds: 1, verifySeconds: 60 } });
    expect(run.status).toBe('FAILED');
    expect(run.error).toBe('SsmManagedTimeoutError');
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });

  test.each(OS_TYPES)('%s deploys and verifies', async (osType) => {
    const run = await deploy({ instanceType: 'g4dn.xlarge', osType });
    expect(run.status).toBe('SUCCEEDED');
    expect((run.output as Record<string, any>).gpu.gpus[0].name).toBe('NVIDIA T4');
    // One volume, on the image's own root device (Amazon Linux boots from /dev/xvda, Ubuntu from /dev/sda1).
    const [instance] = await liveDeploymentInstances(cloud, run.deploymentId);
    const rootDevice = osType.startsWith('ubuntu') ? '/dev/sda1' : '/dev/xvda';
    expect(instance?.BlockDeviceMappings?.map((m) => m.DeviceName)).toEqual([rootDevice]);
    // Amazon Linux 2 stays deployable, and the result says it is past its end of support.
    const warnings = (run.output as Record<string, any>).warnings as string[];
    if (osType === 'amazon-linux-2') expect(warnings).toEqual([expect.stringMatching(/^Amazon Linux 2 reach(ed|es) its end of support on 2026-06-30/)]);
    else expect(warnings).toEqual([]);
  });
});

describe('a framework type without its DLAMI (TensorFlow on Ubuntu 24.04)', () => {
  const userDataOf = async (instanceId: string): Promise<string> => {
    const out = await motoEc2(cloud).send(new DescribeInstanceAttributeCommand({ InstanceId: instanceId, Attribute: 'userData' }));
    return decodeUserData(out.UserData?.Value ?? '');
  };

  test('is refused by default with AmiNotFoundError naming the combinations that have it; nothing launched', async () => {
    const run = await deploy({ instanceType: 'g5.xlarge', osType: 'ubuntu-24.04', amiType: 'tensorflow' });
    expect({ status: run.status, error: run.error }).toEqual({ status: 'FAILED', error: 'AmiNotFoundError' });
    expect(run.cause).toContain('No tensorflow Deep Learning AMI for ubuntu-24.04 x86_64 in us-east-1');
    expect(run.cause).toContain('combinations with a tensorflow DLAMI in us-east-1: amazon-linux-2023/x86_64/tensorflow, ubuntu-22.04/x86_64/tensorflow');
    expect(enteredStates(run.events)).not.toContain('Launch');
    expect(await deploymentInstances(cloud, run.deploymentId)).toEqual([]);
  });

  test('with amiFallback standard: the plain image with the driver install, and the result says TensorFlow is missing', async () => {
    const run = await deploy({ instanceType: 'g5.xlarge', osType: 'ubuntu-24.04', amiType: 'tensorflow', amiFallback: 'standard' });
    expect(run.status).toBe('SUCCEEDED');
    const output = run.output as Record<string, any>;
    expect(output).toMatchObject({ amiSource: 'standard-fallback', amiName: 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251015' });
    expect(output.warnings).toEqual([expect.stringContaining('but no TensorFlow: the framework is NOT installed')]);
    const live = await liveDeploymentInstances(cloud, run.deploymentId);
    expect(live).toHaveLength(1);
    const userData = await userDataOf(live[0]?.InstanceId ?? '');
    expect(userData).toContain("readonly AMI_SOURCE='standard'");
    expect(userData).toContain('refresh_and_install nvidia-open "$CUDA_TOOLKIT_PACKAGE"');
  });
});

describe('the launch handler', () => {
  test('is idempotent: the same execution launched twice yields one instance', async () => {
    // Prepare: a planned document, as the state machine hands it to Launch.
    const run = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' });
    expect(run.status).toBe('SUCCEEDED');
    const existing = (run.output as Record<string, any>).instanceId as string;
    const doc = {
      deploymentId: run.deploymentId,
      execution: { id: run.executionArn, name: run.deploymentId, startTime: new Date().toISOString() },
      zones: ['us-east-1a', 'us-east-1b', 'us-east-1c'],
      request: { instanceType: 'g5.xlarge', region: 'us-east-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base', market: 'on-demand', rootVolumeGiB: 100, ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' }, timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 }, tags: {} },
      ami: { imageId: (run.output as Record<string, any>).imageId, name: 'x', creationDate: '2025-10-20', architecture: 'x86_64', source: 'cache', needsDriver: false },
      plan: { attempts: [{ zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', reason: 'test' }], prices: { spot: {}, gp3: { usdPerGbMonth: 0.08, source: 'snapshot' } }, estimates: {}, notes: [] },
    };
    // Act: a retried Launch of the same execution.
    const again = await launchHandler.step(doc as never);
    // Assess
    expect(again.instanceId).toBe(existing);
    expect(again.reused).toBe(true);
    expect(await liveDeploymentInstances(cloud, run.deploymentId)).toHaveLength(1);
  });

  test('the security group has no inbound rule at all', async () => {
    const run = await deploy({ instanceType: 'g5.xlarge' });
    const out = await motoEc2(cloud).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${DEPLOYMENT_TAG}`, Values: [run.deploymentId] }] }));
    expect(out.SecurityGroups?.[0]?.IpPermissions ?? []).toHaveLength(0);
  });
});
