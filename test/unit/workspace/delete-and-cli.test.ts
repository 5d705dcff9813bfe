/**
 * `gpu-deploy workspace`: deleting against AWS's answers while it releases things (FileSystemInUse, a group still
 * held by the mount targets' network interfaces, a mount target already gone), its bound, what it costs per
 * month, and the command line's own mistakes.
 */
import { DeleteSecurityGroupCommand, DescribeInstancesCommand, DescribeSecurityGroupsCommand, EC2Client } from '@aws-sdk/client-ec2';
import { DeleteFileSystemCommand, DeleteMountTargetCommand, DescribeFileSystemsCommand, DescribeMountTargetsCommand, EFSClient } from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { formatWorkspaces } from '../../../lib/cli/workspace.js';
import { main } from '../../../lib/cli/main.js';
import type { Io } from '../../../lib/cli/output.js';
import { WorkspaceDeleteTimeoutError } from '../../../lib/errors.js';
import { deleteWorkspace } from '../../../lib/workspace/delete.js';
import { storageLine, type WorkspaceRow } from '../../../lib/workspace/list.js';
import { workspaceStorageEstimate } from '../../../lib/workspace/price.js';
import { awsError } from '../steps/fixtures.js';

const efsMock = mockClient(EFSClient);
const ec2Mock = mockClient(EC2Client);
const clients = { efs: new EFSClient({ region: 'us-east-1' }), ec2: new EC2Client({ region: 'us-east-1' }) };
const TAGS = [{ Key: 'gpu-deploy:workspace', Value: 'ws1' }, { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' }];
const GB = 1024 ** 3;
const fast = { pollMs: 1, timeoutMs: 200, sleep: async () => undefined };

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

beforeEach(() => {
  efsMock.reset();
  ec2Mock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
    SecurityGroups: [
      { GroupId: 'sg-client', Tags: [...TAGS, { Key: 'gpu-deploy:workspace-role', Value: 'client' }] },
      { GroupId: 'sg-mt', Tags: [...TAGS, { Key: 'gpu-deploy:workspace-role', Value: 'mount-target' }] },
    ],
  });
  efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-1', Tags: TAGS }] as never });
});

describe('deleteWorkspace', () => {
  test('waits while AWS releases: mount targets go, FileSystemInUse until then, the groups (mount-target group first) while still held', async () => {
    // Prepare
    efsMock.on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [{ MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a' }, { MountTargetId: 'fsmt-b' }] as never })
      .resolvesOnce({ MountTargets: [{ MountTargetId: 'fsmt-a', LifeCycleState: 'deleting' }] as never })
      .resolves({ MountTargets: [] });
    efsMock.on(DeleteMountTargetCommand, { MountTargetId: 'fsmt-b' }).rejects(awsError('MountTargetNotFound', 404));
    efsMock.on(DeleteFileSystemCommand).rejectsOnce(awsError('FileSystemInUse', 409)).resolves({});
    ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-mt' }).rejectsOnce(awsError('DependencyViolation')).resolves({});
    ec2Mock.on(DeleteSecurityGroupCommand, { GroupId: 'sg-client' }).rejects(awsError('InvalidGroup.NotFound'));
    const lines: string[] = [];
    // Act
    const deleted = await deleteWorkspace(clients, 'us-east-1', 'ws1', { ...fast, log: (l) => lines.push(l) });
    // Assess
    expect(deleted).toEqual({ name: 'ws1', region: 'us-east-1', fileSystemId: 'fs-1', deletedMountTargets: ['fsmt-a', 'fsmt-b'], deletedGroups: ['sg-mt', 'sg-client'] });
    expect(efsMock.commandCalls(DeleteFileSystemCommand)).toHaveLength(2);
    expect(ec2Mock.commandCalls(DeleteSecurityGroupCommand).map((c) => c.args[0].input.GroupId)).toEqual(['sg-mt', 'sg-mt', 'sg-client']);
    expect(lines[0]).toBe('Deleting mount target fsmt-a (us-east-1a)');
  });

  test('a file system already gone: only the groups are left to delete; nothing of the name at all: WorkspaceNotFoundError', async () => {
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    ec2Mock.on(DeleteSecurityGroupCommand).resolves({});
    expect(await deleteWorkspace(clients, 'us-east-1', 'ws1', fast)).toMatchObject({ fileSystemId: null, deletedMountTargets: [], deletedGroups: ['sg-mt', 'sg-client'] });
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    await expect(deleteWorkspace(clients, 'us-east-1', 'ws1', fast)).rejects.toMatchObject({ name: 'WorkspaceNotFoundError' });
  });

  test('what AWS does not release in time: WorkspaceDeleteTimeoutError saying to run it again; other errors keep their names', async () => {
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
    efsMock.on(DeleteFileSystemCommand).rejects(awsError('FileSystemInUse', 409));
    const error = await deleteWorkspace(clients, 'us-east-1', 'ws1', fast).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceDeleteTimeoutError);
    expect((error as WorkspaceDeleteTimeoutError).hint).toContain('run the same workspace delete again');
    efsMock.on(DeleteFileSystemCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(deleteWorkspace(clients, 'us-east-1', 'ws1', fast)).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
    efsMock.on(DeleteFileSystemCommand).resolves({});
    ec2Mock.on(DeleteSecurityGroupCommand).rejects(awsError('UnauthorizedOperation', 403));
    await expect(deleteWorkspace(clients, 'us-east-1', 'ws1', fast)).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
  });
});

describe('storage per month', () => {
  test('per class at the snapshot price; a region not in the snapshot takes us-east-1\'s and says so', () => {
    const size = { totalBytes: 110 * GB, standardBytes: 10 * GB, iaBytes: 100 * GB, archiveBytes: 0 };
    expect(workspaceStorageEstimate('us-east-1', size)).toMatchObject({ storedGiB: 110, standardGiB: 10, iaGiB: 100, monthly: 4.6, source: 'snapshot', asOf: '2026-12-01' });
    expect(workspaceStorageEstimate('us-east-1', size).note).toMatch(/^billed while the workspace exists/);
    expect(workspaceStorageEstimate('ap-south-1', size).note).toMatch(/^no snapshot price for ap-south-1: us-east-1's; billed/);
    expect(storageLine(workspaceStorageEstimate('us-east-1', size))).toBe('110.00 GiB (10.00 Standard, 100.00 IA), $4.60/month at $0.30/GB-month Standard, $0.016 IA (EFS price snapshot 2026-12-01)');
  });
});

describe('gpu-deploy workspace on the command line', () => {
  test.each([
    [['workspace']],
    [['workspace', 'frob']],
    [['workspace', 'delete']],
    [['workspace', 'delete', 'a', 'b']],
    [['workspace', 'delete', 'Bad_Name']],
    [['workspace', 'delete', 'ws1', '--all-regions']],
    [['workspace', 'list', 'extra']],
    [['workspace', 'list', '--region', 'us-east-1', '--all-regions']],
    [['workspace', 'list', '--nope']],
  ])('%j is a usage error (exit 2) that says what to change', async (args) => {
    const io = capture();
    expect(await main(args, io)).toBe(2);
    expect(io.stderr()).toMatch(/workspace|region|option/i);
  });

  test('a region that does not exist is refused by name before any AWS call (as on every command with --region)', async () => {
    const io = capture();
    expect(await main(['workspace', 'list', '--region', 'Mars', '--json'], io)).toBe(1);
    expect(JSON.parse(io.stdout())).toMatchObject({ error: 'RequestInvalidError' });
  });

  test('the table: each workspace, its cost and users, and the total; none in the region says so', () => {
    const row: WorkspaceRow = {
      name: 'ws1',
      region: 'us-east-1',
      fileSystemId: 'fs-1',
      state: 'available',
      createdAt: null,
      mountTargets: 2,
      size: { totalBytes: 10 * GB, standardBytes: 10 * GB, iaBytes: 0, archiveBytes: 0 },
      storage: workspaceStorageEstimate('us-east-1', { totalBytes: 10 * GB, standardBytes: 10 * GB, iaBytes: 0, archiveBytes: 0 }),
      deployments: [{ deploymentId: 'dep-1', instanceId: 'i-1', state: 'running' }],
    };
    expect(formatWorkspaces([row], ['us-east-1'])).toBe(
      'ws1  us-east-1  fs-1 (available, 2 mount targets)\n' +
        '  10.00 GiB (10.00 Standard, 0.00 IA), $3.00/month at $0.30/GB-month Standard, $0.016 IA (EFS price snapshot 2026-12-01)\n' +
        '  used by: dep-1 (running)\n\n' +
        "1 workspace, $3.00/month of storage at today's sizes (kept until you delete them: gpu-deploy workspace delete NAME)\n",
    );
    expect(formatWorkspaces([], ['eu-west-1'])).toBe('No gpu-deploy workspaces in eu-west-1\n');
  });
});
