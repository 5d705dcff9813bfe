/** `gpu-deploy workspace list` and `plan`'s workspace line: each workspace, its size, what it costs, who uses it. */
import type { EC2Client, Instance } from '@aws-sdk/client-ec2';
import type { EFSClient, FileSystemDescription } from '@aws-sdk/client-efs';
import { managedInstances } from '../deployments/list.js';
import { DEPLOYMENT_TAG, tagMap } from '../launch/tags.js';
import { findWorkspaceFileSystem, listWorkspaceFileSystems, sizeOf, workspaceNameOf, type WorkspaceSize } from './file-system.js';
import { WORKSPACE_TAG } from './names.js';
import { workspaceStorageEstimate, type WorkspaceStorageEstimate } from './price.js';

export interface WorkspaceUser {
  deploymentId: string;
  instanceId: string;
  state: string;
}

export interface WorkspaceRow {
  name: string;
  region: string;
  fileSystemId: string;
  state: string;
  createdAt: string | null;
  mountTargets: number;
  size: WorkspaceSize;
  storage: WorkspaceStorageEstimate;
  /** Live instances (not terminated) that carry the workspace's tag. */
  deployments: WorkspaceUser[];
}

/** The live managed instances of the region that use a workspace, by workspace name. */
export async function workspaceUsers(ec2: EC2Client): Promise<Map<string, WorkspaceUser[]>> {
  const users = new Map<string, WorkspaceUser[]>();
  for (const instance of await managedInstances(ec2)) {
    const tags = tagMap(instance as Instance);
    const name = tags[WORKSPACE_TAG];
    if (!name) continue;
    const user = { deploymentId: tags[DEPLOYMENT_TAG] ?? '', instanceId: instance.InstanceId ?? '', state: instance.State?.Name ?? 'unknown' };
    users.set(name, [...(users.get(name) ?? []), user]);
  }
  return users;
}

const rowOf = (fs: FileSystemDescription, region: string, users: Map<string, WorkspaceUser[]>): WorkspaceRow => {
  const name = workspaceNameOf(fs);
  const size = sizeOf(fs);
  return {
    name,
    region,
    fileSystemId: fs.FileSystemId ?? '',
    state: fs.LifeCycleState ?? 'unknown',
    createdAt: fs.CreationTime ? new Date(fs.CreationTime).toISOString() : null,
    mountTargets: fs.NumberOfMountTargets ?? 0,
    size,
    storage: workspaceStorageEstimate(region, size),
    deployments: users.get(name) ?? [],
  };
};

/** Every workspace of the region, by name, with the deployments that use it. */
export async function listWorkspaces(clients: { efs: EFSClient; ec2: EC2Client }, region: string): Promise<WorkspaceRow[]> {
  const [fileSystems, users] = await Promise.all([listWorkspaceFileSystems(clients.efs), workspaceUsers(clients.ec2)]);
  return fileSystems.map((fs) => rowOf(fs, region, users)).sort((a, b) => a.name.localeCompare(b.name));
}

/** What `plan` says of the request's workspace: there already (its size and cost today), or made at launch. */
export interface WorkspacePlan {
  name: string;
  exists: boolean;
  fileSystemId: string | null;
  storage: WorkspaceStorageEstimate;
}

export async function workspacePlan(efs: EFSClient, region: string, name: string): Promise<WorkspacePlan> {
  const fs = await findWorkspaceFileSystem(efs, name);
  const size = fs ? sizeOf(fs) : { totalBytes: 0, standardBytes: 0, iaBytes: 0, archiveBytes: 0 };
  return { name, exists: fs !== undefined, fileSystemId: fs?.FileSystemId ?? null, storage: workspaceStorageEstimate(region, size) };
}

/** One line: `demo: fs-…, 1.20 GiB (1.20 Standard, 0.00 IA), $0.36/month (EFS price snapshot 2026-12-01)`. */
export function storageLine(storage: WorkspaceStorageEstimate): string {
  return `${storage.storedGiB.toFixed(2)} GiB (${storage.standardGiB.toFixed(2)} Standard, ${storage.iaGiB.toFixed(2)} IA), $${storage.monthly.toFixed(2)}/month at $${storage.prices.standardUsdPerGbMonth.toFixed(2)}/GB-month Standard, $${storage.prices.iaUsdPerGbMonth.toFixed(3)} IA (EFS price snapshot ${storage.asOf})`;
}
