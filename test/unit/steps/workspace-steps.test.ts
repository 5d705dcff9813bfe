/**
 * The workflow's workspace steps with mocked clients: EnsureWorkspace's loop and its bounds, CheckMountTarget's
 * verdicts, Launch with a workspace (zones with a mount target only, the client group, the tag, the UserData, the
 * storage in the estimate) and verification of the mount (WORKSPACE_NOT_MOUNTED) on the real health-check output.
 */
import { CreateSecurityGroupCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, DescribeSubnetsCommand, DescribeVpcAttributeCommand, EC2Client, RunInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateFileSystemCommand, CreateMountTargetCommand, DescribeFileSystemsCommand, DescribeLifecycleConfigurationCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { GetCommandInvocationCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GpuVerificationFailedError, NetworkNotFoundError, WorkspaceMountTargetTimeoutError, WorkspaceUnavailableError } from '../../../lib/errors.js';
import { MOUNT_TARGET_CREATING_SECONDS, checkMountTargetStep } from '../../../lib/steps/check-mount-target.js';
import { WORKSPACE_READY_SECONDS, ensureWorkspaceStep } from '../../../lib/steps/ensure-workspace.js';
import { attemptsWithMountTarget, launchStep } from '../../../lib/steps/launch.js';
import { getHealthCheckStep } from '../../../lib/steps/verify-gpu.js';
import { decodeUserData } from '../../../lib/userdata/index.js';
import { fakeHostEnv } from '../../../lib/verify/fake-host.js';
import { runHealthCheckLocally } from '../../../lib/verify/run-local.js';
import type { WorkspaceState } from '../../../lib/workspace/types.js';
import { ATTEMPTS, after, awsError, LAUNCHED_AT, launchedDoc, plannedDoc } from './fixtures.js';

const efsMock = mockClient(EFSClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { efs: new EFSClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }) };
const TAGS = [{ Key: 'gpu-deploy:workspace', Value: 'ws1' }, { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' }];
const withWorkspace = { workspace: { name: 'ws1' } };

const WORKSPACE: WorkspaceState = {
  name: 'ws1',
  fileSystemId: 'fs-0123abcd',
  fileSystemState: 'available',
  created: false,
  size: { totalBytes: 2 * 1024 ** 3, standardBytes: 2 * 1024 ** 3, iaBytes: 0, archiveBytes: 0 },
  vpcId: 'vpc-1',
  clientGroupId: 'sg-client',
  mountTargetGroupId: 'sg-mt',
  mountTargets: { 'us-east-1a': { mountTargetId: 'fsmt-a', subnetId: 'subnet-a', state: 'creating' } },
  ready: true,
  since: LAUNCHED_AT,
};

beforeEach(() => {
  efsMock.reset();
  ec2Mock.reset();
  ssmMock.reset();
});

/** An account with the file system in `state`, default subnets in both planned zones, DNS on, no groups yet. */
function account(state: string): void {
  efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-0123abcd', LifeCycleState: state, Tags: TAGS, SizeInBytes: { Value: 6144 } }] as never });
  efsMock.on(DescribeLifecycleConfigurationCommand).resolves({ LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }] });
  efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
  efsMock.on(CreateMountTargetCommand).resolves({});
  ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) => {
    const zone = input.Filters?.[0]?.Values?.[0] ?? '';
    return { Subnets: [{ SubnetId: `subnet-${zone.slice(-1)}`, VpcId: 'vpc-1', AvailabilityZone: zone }] };
  });
  ec2Mock.on(DescribeVpcAttributeCommand).resolves({ EnableDnsSupport: { Value: true }, EnableDnsHostnames: { Value: true } });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
  ec2Mock.on(CreateSecurityGroupCommand).resolvesOnce({ GroupId: 'sg-client' }).resolvesOnce({ GroupId: 'sg-mt' });
}

describe('EnsureWorkspace', () => {
  test('a file system still being created: not ready, nothing else touched; the wait counts from the first look', async () => {
    account('creating');
    const first = await ensureWorkspaceStep(plannedDoc(withWorkspace), clients, after(0));
    expect(first).toMatchObject({ ready: false, fileSystemState: 'creating', waitingFor: 'the file system is being created', since: after(0).toISOString() });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
    const later = await ensureWorkspaceStep({ ...plannedDoc(withWorkspace), workspace: first }, clients, after(60));
    expect(later.since).toBe(first.since);
    await expect(ensureWorkspaceStep({ ...plannedDoc(withWorkspace), workspace: first }, clients, after(WORKSPACE_READY_SECONDS + 1))).rejects.toBeInstanceOf(WorkspaceUnavailableError);
  });

  test('available: groups, a mount target in each planned zone, ready with them creating', async () => {
    account('available');
    efsMock.on(DescribeMountTargetsCommand).resolvesOnce({ MountTargets: [] }).resolves({
      MountTargets: [
        { MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a', VpcId: 'vpc-1', LifeCycleState: 'creating' },
        { MountTargetId: 'fsmt-b', AvailabilityZoneName: 'us-east-1b', VpcId: 'vpc-1', LifeCycleState: 'creating' },
      ] as never,
    });
    const state = await ensureWorkspaceStep(plannedDoc(withWorkspace), clients, after(0));
    expect(state).toMatchObject({ ready: true, vpcId: 'vpc-1', clientGroupId: 'sg-client', mountTargetGroupId: 'sg-mt', size: { totalBytes: 6144 } });
    expect(Object.keys(state.mountTargets).sort()).toEqual(['us-east-1a', 'us-east-1b']);
    expect(efsMock.commandCalls(CreateMountTargetCommand).map((c) => c.args[0].input.SubnetId)).toEqual(['subnet-b', 'subnet-a']);
    expect(efsMock.commandCalls(CreateFileSystemCommand)).toHaveLength(0);
  });

  test('a zone whose mount target is being deleted: not ready, named in what it waits for', async () => {
    account('available');
    efsMock.on(DescribeMountTargetsCommand).resolves({
      MountTargets: [
        { MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a', VpcId: 'vpc-1', LifeCycleState: 'available' },
        { MountTargetId: 'fsmt-b', AvailabilityZoneName: 'us-east-1b', VpcId: 'vpc-1', LifeCycleState: 'deleting' },
      ] as never,
    });
    expect(await ensureWorkspaceStep(plannedDoc(withWorkspace), clients, after(0))).toMatchObject({ ready: false, waitingFor: 'mount targets us-east-1b: deleting' });
  });

  test.each(['deleting', 'error'])('a file system that is %s: WorkspaceUnavailableError, nothing made', async (state) => {
    account(state);
    await expect(ensureWorkspaceStep(plannedDoc(withWorkspace), clients)).rejects.toMatchObject({ name: 'WorkspaceUnavailableError', details: { fileSystemState: state } });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  });

  test('zones without a default subnet are left out (Launch skips them too); none at all is NetworkNotFoundError; no workspace asked is a bug, named', async () => {
    account('available');
    ec2Mock.on(DescribeSubnetsCommand).callsFake((input: { Filters?: { Values?: string[] }[] }) =>
      input.Filters?.[0]?.Values?.[0] === 'us-east-1a' ? { Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1a' }] } : { Subnets: [] },
    );
    efsMock.on(DescribeMountTargetsCommand).resolvesOnce({ MountTargets: [] }).resolves({ MountTargets: [{ MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a', VpcId: 'vpc-1', LifeCycleState: 'creating' }] as never });
    expect(Object.keys((await ensureWorkspaceStep(plannedDoc(withWorkspace), clients)).mountTargets)).toEqual(['us-east-1a']);
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    await expect(ensureWorkspaceStep(plannedDoc(withWorkspace), clients)).rejects.toBeInstanceOf(NetworkNotFoundError);
    await expect(ensureWorkspaceStep(plannedDoc(), clients)).rejects.toBeInstanceOf(WorkspaceUnavailableError);
  });
});

describe('CheckMountTarget', () => {
  const doc = (state: Partial<WorkspaceState> = {}) => ({ ...launchedDoc(withWorkspace, { zone: 'us-east-1a' }), workspace: { ...WORKSPACE, ...state } });

  test('available: go on; creating within the bound: wait; past it: WorkspaceMountTargetTimeoutError', async () => {
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [{ MountTargetId: 'fsmt-a', LifeCycleState: 'available' }] as never });
    expect(await checkMountTargetStep(doc(), clients.efs, after(30))).toEqual({ zone: 'us-east-1a', mountTargetId: 'fsmt-a', state: 'available', available: true });
    expect(efsMock.commandCalls(DescribeMountTargetsCommand)[0]?.args[0].input).toEqual({ MountTargetId: 'fsmt-a' });
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [{ MountTargetId: 'fsmt-a', LifeCycleState: 'creating' }] as never });
    expect(await checkMountTargetStep(doc(), clients.efs, after(MOUNT_TARGET_CREATING_SECONDS))).toMatchObject({ state: 'creating', available: false });
    const late = await checkMountTargetStep(doc(), clients.efs, after(MOUNT_TARGET_CREATING_SECONDS + 1)).catch((e: unknown) => e);
    expect(late).toBeInstanceOf(WorkspaceMountTargetTimeoutError);
    expect(late).toMatchObject({ details: { zone: 'us-east-1a', mountTargetId: 'fsmt-a', waitedSeconds: MOUNT_TARGET_CREATING_SECONDS + 1 } });
  });

  test('gone (MountTargetNotFound), deleting, or none in the zone: WorkspaceUnavailableError; other errors keep their class', async () => {
    efsMock.on(DescribeMountTargetsCommand).rejects(awsError('MountTargetNotFound', 404));
    await expect(checkMountTargetStep(doc(), clients.efs)).rejects.toMatchObject({ name: 'WorkspaceUnavailableError', details: { state: 'deleted' } });
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [{ MountTargetId: 'fsmt-a', LifeCycleState: 'deleting' }] as never });
    await expect(checkMountTargetStep(doc(), clients.efs)).rejects.toMatchObject({ name: 'WorkspaceUnavailableError', details: { state: 'deleting' } });
    await expect(checkMountTargetStep(doc({ mountTargets: {} }), clients.efs)).rejects.toMatchObject({ name: 'WorkspaceUnavailableError', details: { zone: 'us-east-1a' } });
    efsMock.on(DescribeMountTargetsCommand).rejects(awsError('ThrottlingException', 429));
    await expect(checkMountTargetStep(doc(), clients.efs)).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  });
});

describe('Launch with a workspace', () => {
  test('only zones with a mount target are tried; the instance gets the client group, the workspace tag and UserData that mounts it; the estimate adds the storage', async () => {
    // Prepare: the plan tries us-east-1b first, which has no mount target.
    ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1a' }] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-own' }] });
    ec2Mock.on(RunInstancesCommand).resolves({ Instances: [{ InstanceId: 'i-1', InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'us-east-1a' }, SubnetId: 'subnet-a' }] });
    // Act
    const launch = await launchStep({ ...plannedDoc(withWorkspace), workspace: WORKSPACE }, clients.ec2, { instanceProfileName: 'p' });
    // Assess
    const input = ec2Mock.commandCalls(RunInstancesCommand)[0]?.args[0].input;
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
    expect(input?.SecurityGroupIds).toEqual(['sg-own', 'sg-client']);
    expect(input?.TagSpecifications?.[0]?.Tags).toContainEqual({ Key: 'gpu-deploy:workspace', Value: 'ws1' });
    const script = decodeUserData(input?.UserData ?? '');
    expect(script).toContain("readonly WORKSPACE_FILE_SYSTEM_ID='fs-0123abcd'");
    expect(script).toContain("readonly WORKSPACE_REGION='us-east-1'");
    expect(launch).toMatchObject({ zone: 'us-east-1a', workspace: { name: 'ws1', fileSystemId: 'fs-0123abcd', path: '/workspace' } });
    expect(launch.estimate?.workspace).toMatchObject({ storedGiB: 2, monthly: 0.6, source: 'snapshot' });
    expect(launch.estimate?.total.monthly).toBe(launch.estimate ? launch.estimate.volume.monthly + launch.estimate.instance.onDemandHourly * 730 : -1);
  });

  test('no planned zone has a mount target: WorkspaceUnavailableError before anything is launched', () => {
    expect(() => attemptsWithMountTarget(ATTEMPTS, { ...WORKSPACE, mountTargets: { 'us-east-1f': { mountTargetId: 'x', subnetId: 's', state: 'available' } } })).toThrow(WorkspaceUnavailableError);
    expect(attemptsWithMountTarget(ATTEMPTS, undefined)).toEqual(ATTEMPTS);
  });
});

describe('verification of the mount', () => {
  let scratch: string;
  let mountedStdout = '';
  let unmountedStdout = '';
  beforeAll(async () => {
    scratch = mkdtempSync(join(tmpdir(), 'ws-verify-'));
    const statusFile = join(scratch, 'status.json');
    writeFileSync(statusFile, JSON.stringify({ stage: 'complete', outcome: 'succeeded', message: 'done', updatedAt: '2025-06-01T12:00:00Z' }));
    writeFileSync(join(scratch, 'workspace.json'), JSON.stringify({ fileSystemId: 'fs-0123abcd', transit: 'tls', path: '/workspace' }));
    mkdirSync(join(scratch, 'mnt'));
    const [mounted, unmounted] = await Promise.all([
      runHealthCheckLocally({ env: fakeHostEnv({ statusFile, workspaceDir: join(scratch, 'mnt') }) }),
      runHealthCheckLocally({ env: fakeHostEnv({ statusFile }) }),
    ]);
    mountedStdout = mounted.stdout;
    unmountedStdout = unmounted.stdout;
  });
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));

  const verifying = () => ({ ...launchedDoc(withWorkspace), workspace: WORKSPACE, verify: { commandId: 'cmd-1', sentAt: LAUNCHED_AT } });
  const answer = (stdout: string) => ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: stdout });

  test('mounted and writable: done, with the workspace in the result (transit tls)', async () => {
    answer(mountedStdout);
    const verify = await getHealthCheckStep(verifying(), new SSMClient({ region: 'us-east-1' }), after(60));
    expect(verify).toMatchObject({ status: 'done', workspace: { name: 'ws1', fileSystemId: 'fs-0123abcd', path: '/workspace', mounted: true, transit: 'tls', writable: true } });
  });

  test('not mounted: GpuVerificationFailedError with WORKSPACE_NOT_MOUNTED (the deployment is rolled back)', async () => {
    answer(unmountedStdout);
    const error = await getHealthCheckStep(verifying(), new SSMClient({ region: 'us-east-1' }), after(60)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GpuVerificationFailedError);
    expect((error as Error).message).toBe('WORKSPACE_NOT_MOUNTED: the workspace fs-0123abcd is not mounted at /workspace (see the workspace stage in /var/log/gpu-deploy/setup.log)');
  });

  test('without a workspace asked for, nothing mounted is fine and the result says workspace null', async () => {
    answer(unmountedStdout);
    const verify = await getHealthCheckStep({ ...launchedDoc(), verify: { commandId: 'cmd-1', sentAt: LAUNCHED_AT } }, new SSMClient({ region: 'us-east-1' }), after(60));
    expect(verify).toMatchObject({ status: 'done', workspace: null });
  });
});
