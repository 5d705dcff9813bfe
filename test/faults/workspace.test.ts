/**
 * EFS as a real account shows it, in front of the emulator (the stand-in's proxy): a new mount target answers
 * `creating` for its first polls (moto makes it available at once), and CreateMountTarget can meet a concurrent
 * deployment's mount target (`MountTargetConflict`, 409). Each deployment still succeeds with one file system, one
 * mount target per zone and exactly one instance.
 */
import { DescribeFileSystemsCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { randomUUID } from 'node:crypto';
import { clearUnavailable } from '../../lib/capacity/unavailable.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import type { Fault, ResponseEdit } from '../../lib/local/standin.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally, type ProgressEvent } from '../../lib/workflow/local-runner.js';
import { WORKSPACE_TAG } from '../../lib/workspace/names.js';
import { deploymentInstances, isLive, terminateBehindTheBack } from './helpers.js';

let cloud: LocalCloud;
let efs: EFSClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: 'us-east-1' });
  efs = new EFSClient({ region: 'us-east-1', endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
}, 90_000);

afterAll(async () => {
  await cloud?.stop();
});

afterEach(async () => {
  cloud.standIn.faults.length = 0;
  cloud.standIn.edits.length = 0;
  await terminateBehindTheBack(cloud, (await cloud.liveInstances()).filter(Boolean));
});

/** What DescribeMountTargets says of a mount target EFS is still making. */
const stillCreating = (times: number): ResponseEdit => ({
  operation: 'elasticfilesystem.DescribeMountTargets',
  times,
  edit: (body) => ({ ...body, MountTargets: ((body.MountTargets as Record<string, unknown>[] | undefined) ?? []).map((t) => ({ ...t, LifeCycleState: 'creating' })) }),
});

async function deploy(workspace: string, faults: Fault[], edits: ResponseEdit[]) {
  clearUnavailable();
  cloud.standIn.faults.push(...faults);
  cloud.standIn.edits.push(...edits);
  const before = cloud.standIn.calls.length;
  const deploymentId = `ws-${randomUUID().slice(0, 8)}`;
  const events: ProgressEvent[] = [];
  const run = await runLocally({
    input: { instanceType: 'g5.xlarge', market: 'on-demand', workspace: { name: workspace } },
    handlers: HANDLERS,
    executionName: deploymentId,
    waitMs: 20,
    retryMs: 10,
    onEvent: (e) => events.push(e),
  });
  const instances = await deploymentInstances(cloud, deploymentId);
  const fileSystems = ((await efs.send(new DescribeFileSystemsCommand({}))).FileSystems ?? []).filter((fs) => fs.Tags?.some((t) => t.Key === WORKSPACE_TAG && t.Value === workspace));
  const targets = fileSystems[0] ? ((await efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystems[0].FileSystemId }))).MountTargets ?? []) : [];
  return {
    run,
    entered: events.filter((e) => e.kind === 'entered').map((e) => e.state),
    calls: cloud.standIn.calls.slice(before),
    created: instances.length,
    live: instances.filter(isLive).map((i) => i.InstanceId),
    fileSystems,
    zones: targets.map((t) => t.AvailabilityZoneName),
  };
}

const count = (list: string[], item: string): number => list.filter((x) => x === item).length;

test('DescribeMountTargets answers creating for the first polls: the instance boots meanwhile, CheckMountTarget waits, one file system, one instance', async () => {
  // Prepare: EnsureWorkspace's two reads and CheckMountTarget's first three see every mount target creating.
  const edit = stillCreating(5);
  // Act
  const outcome = await deploy('wsf', [], [edit]);
  // Assess
  expect(outcome.run).toMatchObject({ status: 'SUCCEEDED', output: { workspace: { fileSystemId: outcome.fileSystems[0]?.FileSystemId, mounted: true } } });
  expect(edit.times).toBe(0);
  expect(outcome.created).toBe(1);
  expect(outcome.live).toEqual([(outcome.run.output as { instanceId: string }).instanceId]);
  expect(outcome.fileSystems).toHaveLength(1);
  expect(new Set(outcome.zones).size).toBe(outcome.zones.length);
  // Launch did not wait for the mount targets: it came before the waits, which came after the instance ran.
  expect(count(outcome.entered, 'EnsureWorkspace')).toBe(1);
  expect(count(outcome.entered, 'WaitForMountTarget')).toBe(3);
  expect(outcome.entered.indexOf('Launch')).toBeLessThan(outcome.entered.indexOf('WaitForMountTarget'));
  expect(count(outcome.calls, 'elasticfilesystem.CreateFileSystem')).toBe(1);
  expect(count(outcome.calls, 'ec2.RunInstances')).toBe(1);
}, 120_000);

test('CreateMountTarget meets a concurrent deployment\'s mount target (MountTargetConflict): EnsureWorkspace looks again and launches once', async () => {
  // Prepare: the exact answer EFS gives when the zone has a mount target already.
  const faults: Fault[] = [{ operation: 'elasticfilesystem.CreateMountTarget', code: 'MountTargetConflict', status: 409, message: 'mount target already exists in this AZ', times: 1 }];
  // Act
  const outcome = await deploy('wsc', faults, []);
  // Assess
  expect(outcome.run.status).toBe('SUCCEEDED');
  expect(faults[0]?.times).toBe(0);
  expect(outcome.created).toBe(1);
  expect(outcome.fileSystems).toHaveLength(1);
  expect(new Set(outcome.zones).size).toBe(outcome.zones.length);
  // The zone the conflict left without a mount target (the emulator made none) is made on the next pass.
  expect(count(outcome.entered, 'EnsureWorkspace')).toBe(2);
  expect(count(outcome.entered, 'WaitForWorkspace')).toBe(1);
  expect(count(outcome.calls, 'ec2.RunInstances')).toBe(1);
}, 120_000);
