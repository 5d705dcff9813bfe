/**
 * The workspace end to end, as a user runs it against moto over HTTP (`run --aws` with AWS_ENDPOINT_URL; no
 * GPU_DEPLOY_* variable set by hand): two deployments with --workspace ws1, the first ended in between (its instance
 * terminated, as the idle guard or a spot reclaim ends it, then torn down as the terminated-instance rule does),
 * make exactly one file system, a mount target in each zone used and the two groups; both instances carry the
 * client group and UserData that mounts it. Teardowns and a rollback (WORKSPACE_NOT_MOUNTED) leave it; `workspace
 * delete` refuses while a deployment runs, and afterwards leaves nothing.
 */
import { DescribeInstanceAttributeCommand, DescribeSecurityGroupsCommand, TerminateInstancesCommand, type SecurityGroup } from '@aws-sdk/client-ec2';
import { DescribeFileSystemsCommand, DescribeLifecycleConfigurationCommand, DescribeMountTargetsCommand, DescribeMountTargetSecurityGroupsCommand, EFSClient } from '@aws-sdk/client-efs';
import { mkdirSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { main } from '../../lib/cli/main.js';
import type { Io } from '../../lib/cli/output.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { decodeUserData } from '../../lib/userdata/index.js';
import { TEARDOWN_DEFINITION_PATH, readDefinition } from '../../lib/workflow/definition.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally } from '../../lib/workflow/local-runner.js';
import { WORKSPACE_TAG } from '../../lib/workspace/names.js';
import { deploymentInstances, deploymentSecurityGroups, motoEc2 } from './helpers.js';

const REGION = 'us-east-1';
let cloud: LocalCloud;
let efs: EFSClient;

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

interface Result {
  status: string;
  deploymentId: string;
  instanceId: string;
  zone: string;
  workspace: { name: string; fileSystemId: string; path: string; mounted: boolean; transit: string; writable: boolean };
  estimate: { workspace: { monthly: number; source: string; asOf: string } };
  error?: string;
  cause?: string;
}

/** `gpu-deploy ARGS --json` in this process: its exit code and its one JSON document. */
async function cli(args: string[]): Promise<{ code: number; json: Record<string, unknown>; stderr: string }> {
  const io = capture();
  const code = await main([...args, '--json'], io);
  return { code, json: JSON.parse(io.stdout() || '{}') as Record<string, unknown>, stderr: io.stderr() };
}

const deploy = async (): Promise<Result> => (await cli(['run', '--aws', '--workspace', 'ws1', '--wait-ms', '20'])).json as unknown as Result;

/** What the terminated-instance rule starts: the teardown state machine, in this process. */
async function tearDown(deploymentId: string): Promise<void> {
  const run = await runLocally({ input: { deploymentId, region: REGION }, handlers: HANDLERS, definition: readDefinition(TEARDOWN_DEFINITION_PATH), stateMachineName: 'gpu-deploy-teardown', waitMs: 20, retryMs: 10 });
  expect(run.status).toBe('SUCCEEDED');
}

const workspaceFileSystems = async () => ((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).filter((fs) => fs.Tags?.some((t) => t.Key === WORKSPACE_TAG && t.Value === 'ws1'));
const workspaceGroups = async (): Promise<SecurityGroup[]> =>
  (await motoEc2(cloud).send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: `tag:${WORKSPACE_TAG}`, Values: ['ws1'] }] }))).SecurityGroups ?? [];
const role = (group: SecurityGroup): string | undefined => group.Tags?.find((t) => t.Key === 'gpu-deploy:workspace-role')?.Value;

async function instanceOf(result: Result) {
  const instance = (await deploymentInstances(cloud, result.deploymentId))[0];
  const attribute = await motoEc2(cloud).send(new DescribeInstanceAttributeCommand({ InstanceId: result.instanceId, Attribute: 'userData' }));
  return { groups: (instance?.SecurityGroups ?? []).map((g) => g.GroupId), tags: instance?.Tags ?? [], userData: decodeUserData(attribute.UserData?.Value ?? '') };
}

let first: Result;
let second: Result;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REGION });
  // As a user's shell has it: the endpoint, region and credentials; no instance profile set anywhere.
  delete process.env.GPU_DEPLOY_INSTANCE_PROFILE;
  efs = new EFSClient({ region: REGION, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 90_000);

afterAll(async () => {
  await cloud?.stop();
});

test('the first deployment makes one encrypted, elastic, tagged file system with its lifecycle, a mount target per zone used and the two groups', async () => {
  // Prepare: plan says what a new workspace costs and which zones the launch may try.
  const plan = await cli(['plan', '--workspace', 'ws1']);
  expect(plan.json).toMatchObject({ workspace: { name: 'ws1', exists: false, fileSystemId: null, storage: { monthly: 0, source: 'snapshot' } } });
  const planned = new Set((plan.json as { attempts: { zone: string }[] }).attempts.map((a) => a.zone));
  // Act
  first = await deploy();
  // Assess: the result
  expect(first).toMatchObject({ status: 'SUCCEEDED', workspace: { name: 'ws1', path: '/workspace', mounted: true, transit: 'tls', writable: true } });
  expect(first.estimate.workspace).toMatchObject({ monthly: 0, source: 'snapshot', asOf: '2026-12-01' });
  // The file system
  const [fileSystem, ...others] = await workspaceFileSystems();
  expect(others).toEqual([]);
  expect(fileSystem).toMatchObject({ FileSystemId: first.workspace.fileSystemId, Encrypted: true, ThroughputMode: 'elastic', CreationToken: 'gpu-deploy-ws-ws1' });
  expect(fileSystem?.Tags).toEqual(expect.arrayContaining([{ Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' }, { Key: 'Name', Value: 'gpu-deploy-ws-ws1' }]));
  const lifecycle = await efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: first.workspace.fileSystemId }));
  expect(lifecycle.LifecyclePolicies).toEqual([{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }]);
  // The groups: the client group has no rules in; the mount targets' only rule is NFS from the client group.
  const groups = await workspaceGroups();
  expect(groups.map(role).sort()).toEqual(['client', 'mount-target']);
  const client = groups.find((g) => role(g) === 'client') as SecurityGroup;
  const mountTargetGroup = groups.find((g) => role(g) === 'mount-target') as SecurityGroup;
  expect(client.IpPermissions).toEqual([]);
  expect(mountTargetGroup.IpPermissions).toHaveLength(1);
  expect(mountTargetGroup.IpPermissions?.[0]).toMatchObject({ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, IpRanges: [], UserIdGroupPairs: [expect.objectContaining({ GroupId: client.GroupId })] });
  // A mount target in each zone the plan's attempts use (the zone launched in among them), in the mount-target group.
  const targets = (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: first.workspace.fileSystemId }))).MountTargets ?? [];
  const zones = targets.map((t) => t.AvailabilityZoneName);
  expect([...zones].sort()).toEqual([...planned].sort());
  expect(zones).toContain(first.zone);
  for (const target of targets) {
    const sgs = await efs.send(new DescribeMountTargetSecurityGroupsCommand({ MountTargetId: target.MountTargetId }));
    expect(sgs.SecurityGroups).toEqual([mountTargetGroup.GroupId]);
  }
  // The instance: its own group and the client group, the workspace tag, UserData that mounts this file system.
  const instance = await instanceOf(first);
  expect(instance.groups).toEqual(expect.arrayContaining([client.GroupId]));
  expect(instance.groups).toHaveLength(2);
  expect(instance.tags).toContainEqual({ Key: WORKSPACE_TAG, Value: 'ws1' });
  expect(instance.userData).toContain(`readonly WORKSPACE_FILE_SYSTEM_ID='${first.workspace.fileSystemId}'`);
  expect(instance.userData).toContain('run_stage workspace stage_workspace');
  expect(instance.userData).toContain('mount_cmd=(mount -t efs -o tls "$WORKSPACE_FILE_SYSTEM_ID:/" "$dir")');
}, 120_000);

test('its instance ends (idle guard, spot reclaim) and is torn down: the file system, its mount targets and both groups stay', async () => {
  // Prepare: what the user left on the workspace: the simulated mount holds their files (10 GiB, sparse).
  const dir = join(cloud.standIn.workspaceRoot, first.workspace.fileSystemId, 'notebooks');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'results.bin'), '');
  truncateSync(join(dir, 'results.bin'), 10 * 1024 ** 3);
  const targetsBefore = (await efs.send(new DescribeMountTargetsCommand({ FileSystemId: first.workspace.fileSystemId }))).MountTargets?.length;
  // Act
  await motoEc2(cloud).send(new TerminateInstancesCommand({ InstanceIds: [first.instanceId] }));
  await tearDown(first.deploymentId);
  // Assess
  expect(await deploymentSecurityGroups(cloud, first.deploymentId)).toEqual([]);
  expect((await workspaceFileSystems()).map((fs) => fs.FileSystemId)).toEqual([first.workspace.fileSystemId]);
  expect((await efs.send(new DescribeMountTargetsCommand({ FileSystemId: first.workspace.fileSystemId }))).MountTargets).toHaveLength(targetsBefore ?? -1);
  expect((await workspaceGroups()).length).toBe(2);
}, 60_000);

test('the second deployment mounts the same file system: still one, no second mount target in a zone, the same client group', async () => {
  // Act
  second = await deploy();
  // Assess
  expect(second).toMatchObject({ status: 'SUCCEEDED', workspace: { fileSystemId: first.workspace.fileSystemId, mounted: true } });
  expect(second.estimate.workspace.monthly).toBe(3);
  expect(await workspaceFileSystems()).toHaveLength(1);
  const zones = ((await efs.send(new DescribeMountTargetsCommand({ FileSystemId: first.workspace.fileSystemId }))).MountTargets ?? []).map((t) => t.AvailabilityZoneName);
  expect(new Set(zones).size).toBe(zones.length);
  expect(zones).toContain(second.zone);
  const client = (await workspaceGroups()).find((g) => role(g) === 'client');
  const instance = await instanceOf(second);
  expect(instance.groups).toContain(client?.GroupId);
  expect(instance.userData).toContain(`readonly WORKSPACE_FILE_SYSTEM_ID='${first.workspace.fileSystemId}'`);
}, 120_000);

test('list shows the running deployment with its workspace; workspace delete meanwhile is refused by name, and deletes nothing', async () => {
  const listed = await cli(['list']);
  expect((listed.json as { deployments: { deploymentId: string; workspace: string | null }[] }).deployments).toContainEqual(
    expect.objectContaining({ deploymentId: second.deploymentId, workspace: 'ws1' }),
  );
  const table = capture();
  expect(await main(['workspace', 'list'], table)).toBe(0);
  expect(table.stdout()).toContain(`used by: ${second.deploymentId} (running)`);
  const refused = await cli(['workspace', 'delete', 'ws1']);
  expect(refused.code).toBe(1);
  expect(refused.json).toMatchObject({ error: 'WorkspaceInUseError', message: expect.stringContaining(second.deploymentId) });
  expect(await workspaceFileSystems()).toHaveLength(1);
  expect((await workspaceGroups()).length).toBe(2);
}, 60_000);

test('a deployment whose workspace is not mounted fails verification by WORKSPACE_NOT_MOUNTED, is rolled back, and the workspace survives', async () => {
  // Prepare: the simulated host finishes set-up without the mount.
  await tearDown(second.deploymentId);
  cloud.standIn.host = { workspaceUnmounted: true };
  // Act
  const failed = await deploy();
  cloud.standIn.host = {};
  // Assess
  expect(failed).toMatchObject({ status: 'FAILED', error: 'GpuVerificationFailedError' });
  expect(failed.cause).toMatch(/^WORKSPACE_NOT_MOUNTED: the workspace fs-[0-9a-f]+ is not mounted at \/workspace/);
  const deploymentId = /execution:[^:]+:(.+)$/.exec(String((failed as unknown as { execution: { arn: string } }).execution.arn))?.[1] ?? '';
  expect((await deploymentInstances(cloud, deploymentId)).map((i) => i.State?.Name)).toEqual(['terminated']);
  expect((await workspaceFileSystems()).map((fs) => fs.FileSystemId)).toEqual([first.workspace.fileSystemId]);
  expect((await workspaceGroups()).length).toBe(2);
}, 120_000);

test('workspace list --json shows ws1 with its size, monthly cost and no deployment', async () => {
  const listed = await cli(['workspace', 'list']);
  expect(listed.code).toBe(0);
  const rows = (listed.json as { workspaces: Record<string, unknown>[] }).workspaces;
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({
    name: 'ws1',
    region: REGION,
    fileSystemId: first.workspace.fileSystemId,
    state: 'available',
    size: { totalBytes: 10 * 1024 ** 3, standardBytes: 10 * 1024 ** 3, iaBytes: 0 },
    storage: { storedGiB: 10, monthly: 3, source: 'snapshot', prices: { standardUsdPerGbMonth: 0.3 } },
    deployments: [],
  });
}, 60_000);

test('workspace delete, once nothing uses it, leaves no file system, mount target or workspace group', async () => {
  // Act
  const deleted = await cli(['workspace', 'delete', 'ws1']);
  // Assess
  expect(deleted.code).toBe(0);
  expect(deleted.json).toMatchObject({ status: 'DELETED', name: 'ws1', fileSystemId: first.workspace.fileSystemId });
  expect((deleted.json as { deletedGroups: string[] }).deletedGroups).toHaveLength(2);
  expect(await workspaceFileSystems()).toEqual([]);
  await expect(efs.send(new DescribeMountTargetsCommand({ FileSystemId: first.workspace.fileSystemId }))).rejects.toMatchObject({ name: 'FileSystemNotFound' });
  expect(await workspaceGroups()).toEqual([]);
  // And once more: nothing of that name is left.
  expect(await cli(['workspace', 'delete', 'ws1'])).toMatchObject({ code: 1, json: { error: 'WorkspaceNotFoundError' } });
}, 120_000);
