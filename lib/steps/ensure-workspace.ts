import type { EC2Client } from '@aws-sdk/client-ec2';
import type { EFSClient } from '@aws-sdk/client-efs';
import { NetworkNotFoundError, WorkspaceUnavailableError } from '../errors.js';
import { findSubnet, type Placement } from '../launch/network.js';
import { ensureFileSystem, ensureLifecycle, sizeOf } from '../workspace/file-system.js';
import { ensureWorkspaceGroups } from '../workspace/groups.js';
import { ensureMountTargets, USABLE_MOUNT_TARGET_STATES } from '../workspace/mount-targets.js';
import type { WorkspaceState } from '../workspace/types.js';
import { assertVpcDns } from '../workspace/vpc-dns.js';
import type { PlannedDocument } from '../workflow/document.js';
import { secondsSince } from './time.js';

/** How long the loop before Launch waits for a new file system to become available (seconds from the first look). */
export const WORKSPACE_READY_SECONDS = 600;

/** The subnets Launch would use, one per zone of the planned attempts (zones without a default subnet are left out, as Launch skips them). */
async function placementsFor(doc: PlannedDocument, ec2: EC2Client): Promise<Placement[]> {
  const placements = new Map<string, Placement>();
  for (const zone of [...new Set(doc.plan.attempts.map((a) => a.zone))]) {
    try {
      const placement = await findSubnet(ec2, zone, doc.request.subnetId);
      if (!placements.has(placement.zone)) placements.set(placement.zone, placement);
    } catch (error) {
      if (!(error instanceof NetworkNotFoundError) || doc.request.subnetId) throw error;
    }
  }
  if (placements.size === 0) {
    throw new NetworkNotFoundError('The default VPC has no subnet in any planned zone', {
      hint: 'Set subnetId to a subnet in a zone that offers the type, or create a default VPC (aws ec2 create-default-vpc)',
    });
  }
  return [...placements.values()];
}

const notReady = (state: WorkspaceState, waitingFor: string, now: Date): WorkspaceState => {
  if (secondsSince(state.since, now) > WORKSPACE_READY_SECONDS) {
    throw new WorkspaceUnavailableError(`Workspace ${state.name} (${state.fileSystemId}) was still not ready after ${WORKSPACE_READY_SECONDS}s: ${waitingFor}`, {
      hint: 'Look at the file system in the EFS console; deploy again later, or use another workspace name',
      details: { fileSystemId: state.fileSystemId, waitingFor },
    });
  }
  return { ...state, ready: false, waitingFor };
};

/**
 * EnsureWorkspace: the workspace's file system (found by tag or created once), then, when it is available, its
 * lifecycle policy, the two groups in the launch VPC and a mount target in every zone Launch may try. The ASL
 * repeats it after a wait until `ready`; mount targets still `creating` count as ready (the instance boots while
 * they finish, and CheckMountTarget bounds that wait).
 *
 * @throws WorkspaceUnavailableError when the file system is being deleted or failed, or not ready in time
 * @throws WorkspaceNetworkError when the launch VPC cannot resolve the file system or holds none of its mount targets
 */
export async function ensureWorkspaceStep(
  doc: PlannedDocument & { workspace?: WorkspaceState },
  clients: { efs: EFSClient; ec2: EC2Client },
  now = new Date(),
): Promise<WorkspaceState> {
  const name = doc.request.workspace?.name;
  if (!name) throw new WorkspaceUnavailableError('EnsureWorkspace ran for a request without a workspace');
  const { fileSystem, created } = await ensureFileSystem(clients.efs, name);
  const fileSystemState = fileSystem.LifeCycleState ?? 'unknown';
  const state: WorkspaceState = {
    name,
    fileSystemId: fileSystem.FileSystemId ?? '',
    fileSystemState,
    created: created || doc.workspace?.created === true,
    size: sizeOf(fileSystem),
    mountTargets: {},
    ready: false,
    since: doc.workspace?.since ?? now.toISOString(),
  };
  if (fileSystemState === 'creating') return notReady(state, 'the file system is being created', now);
  if (fileSystemState !== 'available' && fileSystemState !== 'updating') {
    throw new WorkspaceUnavailableError(`Workspace ${name} (${state.fileSystemId}) is ${fileSystemState}`, {
      hint: fileSystemState === 'error' ? 'Delete it (gpu-deploy workspace delete NAME) and deploy again' : 'It is being deleted: wait until it is gone, then deploy again to make a new one',
      details: { fileSystemId: state.fileSystemId, fileSystemState },
    });
  }
  await ensureLifecycle(clients.efs, state.fileSystemId);
  const placements = await placementsFor(doc, clients.ec2);
  const vpcId = (placements[0] as Placement).vpcId;
  await assertVpcDns(clients.ec2, vpcId);
  const groups = await ensureWorkspaceGroups(clients.ec2, vpcId, name);
  const mountTargets = await ensureMountTargets(clients.efs, state.fileSystemId, placements, groups.mountTargetGroupId);
  const ensured: WorkspaceState = { ...state, vpcId, ...groups, mountTargets };
  const pending = placements.filter((p) => !USABLE_MOUNT_TARGET_STATES.has(mountTargets[p.zone]?.state ?? 'missing'));
  if (pending.length > 0) {
    const what = pending.map((p) => `${p.zone}: ${mountTargets[p.zone]?.state ?? 'no mount target yet'}`).join(', ');
    return notReady(ensured, `mount targets ${what}`, now);
  }
  return { ...ensured, ready: true };
}
