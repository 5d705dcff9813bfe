/**
 * `gpu-deploy workspace delete NAME`: the only way a workspace goes. Refused while any deployment that uses it is
 * not terminated; otherwise its mount targets are deleted and waited for (the file system cannot go before them:
 * `FileSystemInUse`), then the file system, then the mount-target group (it references the client group) and the
 * client group, each retried while AWS still holds them (the mount targets' network interfaces go a moment later).
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { DeleteFileSystemCommand, DeleteMountTargetCommand, type EFSClient } from '@aws-sdk/client-efs';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { deleteSecurityGroup } from '../aws/security-group.js';
import { WorkspaceDeleteTimeoutError, WorkspaceInUseError, WorkspaceNotFoundError } from '../errors.js';
import { findWorkspaceFileSystem } from './file-system.js';
import { findWorkspaceGroups } from './groups.js';
import { workspaceUsers } from './list.js';
import { describeMountTargets } from './mount-targets.js';
import { WORKSPACE_ROLE_TAG } from './names.js';

export interface DeleteOptions {
  /** Pause between looks while AWS finishes (default 5 s). */
  pollMs?: number;
  /** Give up after this long (default 10 minutes). */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
  log?: (line: string) => void;
}

export interface DeletedWorkspace {
  name: string;
  region: string;
  fileSystemId: string | null;
  deletedMountTargets: string[];
  deletedGroups: string[];
}

const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Calls `attempt` until it says done (true), pausing between tries; throws WorkspaceDeleteTimeoutError at the deadline. */
async function until(what: string, attempt: () => Promise<boolean>, options: Required<Pick<DeleteOptions, 'pollMs' | 'timeoutMs' | 'sleep'>>): Promise<void> {
  const deadline = Date.now() + options.timeoutMs;
  while (!(await attempt())) {
    if (Date.now() >= deadline) {
      throw new WorkspaceDeleteTimeoutError(`Gave up waiting for ${what} after ${Math.round(options.timeoutMs / 1000)}s`, {
        hint: 'AWS is still releasing it: run the same workspace delete again in a few minutes (it continues where it stopped)',
      });
    }
    await options.sleep(options.pollMs);
  }
}

/**
 * @throws WorkspaceNotFoundError when the region has neither its file system nor its groups
 * @throws WorkspaceInUseError naming the deployments that still use it (nothing is deleted)
 * @throws WorkspaceDeleteTimeoutError when AWS did not release something in time (run it again)
 */
export async function deleteWorkspace(clients: { efs: EFSClient; ec2: EC2Client }, region: string, name: string, options: DeleteOptions = {}): Promise<DeletedWorkspace> {
  const poll = { pollMs: options.pollMs ?? 5000, timeoutMs: options.timeoutMs ?? 600_000, sleep: options.sleep ?? realSleep };
  const log = options.log ?? (() => undefined);
  const [fileSystem, groups, users] = await Promise.all([findWorkspaceFileSystem(clients.efs, name), findWorkspaceGroups(clients.ec2, name), workspaceUsers(clients.ec2)]);
  if (!fileSystem && groups.length === 0) {
    throw new WorkspaceNotFoundError(`No workspace ${name} in ${region}`, { hint: 'gpu-deploy workspace list --region R shows the workspaces of a region' });
  }
  const using = users.get(name) ?? [];
  if (using.length > 0) {
    throw new WorkspaceInUseError(`Workspace ${name} is in use by ${using.map((u) => `${u.deploymentId} (${u.instanceId}, ${u.state})`).join(', ')}`, {
      hint: `Tear ${using.length === 1 ? 'that deployment' : 'those deployments'} down first (gpu-deploy teardown ID), then delete the workspace`,
      details: { deployments: using },
    });
  }
  const result: DeletedWorkspace = { name, region, fileSystemId: fileSystem?.FileSystemId ?? null, deletedMountTargets: [], deletedGroups: [] };
  if (fileSystem?.FileSystemId) {
    const fileSystemId = fileSystem.FileSystemId;
    for (const target of await describeMountTargets(clients.efs, fileSystemId)) {
      if (!target.MountTargetId) continue;
      log(`Deleting mount target ${target.MountTargetId} (${target.AvailabilityZoneName ?? 'zone unknown'})`);
      try {
        await clients.efs.send(new DeleteMountTargetCommand({ MountTargetId: target.MountTargetId }));
      } catch (error) {
        if (awsErrorCode(error) !== 'MountTargetNotFound') throw toProjectError(error, 'DeleteMountTarget');
      }
      result.deletedMountTargets.push(target.MountTargetId);
    }
    await until(`the mount targets of ${fileSystemId} to go`, async () => (await describeMountTargets(clients.efs, fileSystemId)).length === 0, poll);
    log(`Deleting file system ${fileSystemId}`);
    await until(`file system ${fileSystemId} to be deletable`, async () => {
      try {
        await clients.efs.send(new DeleteFileSystemCommand({ FileSystemId: fileSystemId }));
        return true;
      } catch (error) {
        const code = awsErrorCode(error);
        if (code === 'FileSystemNotFound') return true;
        if (code === 'FileSystemInUse') return false;
        throw toProjectError(error, 'DeleteFileSystem');
      }
    }, poll);
  }
  // The mount-target group first: its rule names the client group, which cannot go while referenced.
  const ordered = [...groups].sort((a, b) => Number(roleIs(b, 'mount-target')) - Number(roleIs(a, 'mount-target')));
  for (const group of ordered) {
    if (!group.GroupId) continue;
    const groupId = group.GroupId;
    log(`Deleting security group ${groupId} (${group.GroupName ?? ''})`);
    await until(`security group ${groupId} to be released`, async () => (await deleteSecurityGroup(clients.ec2, groupId)) !== 'held', poll);
    result.deletedGroups.push(groupId);
  }
  return result;
}

const roleIs = (group: { Tags?: { Key?: string; Value?: string }[] }, role: string): boolean => group.Tags?.some((t) => t.Key === WORKSPACE_ROLE_TAG && t.Value === role) ?? false;
