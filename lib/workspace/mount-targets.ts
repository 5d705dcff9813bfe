/**
 * Mount targets: one per zone the deployment may launch into. The file system's DNS name resolves only in a zone
 * with a mount target, so no instance is ever launched into a zone without one. A new mount target starts
 * `creating` (typically a minute or two): it is not waited for here; the instance boots meanwhile and its UserData
 * retries the mount, while the workflow's CheckMountTarget bounds the wait.
 */
import { CreateMountTargetCommand, DescribeMountTargetsCommand, type EFSClient, type MountTargetDescription } from '@aws-sdk/client-efs';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { AwsTransientError, WorkspaceNetworkError } from '../errors.js';
import type { Placement } from '../launch/network.js';

export interface MountTargetInZone {
  mountTargetId: string;
  subnetId: string;
  state: string;
}

/** States an instance can be launched against: `creating` becomes `available` while it boots. */
export const USABLE_MOUNT_TARGET_STATES: ReadonlySet<string> = new Set(['creating', 'available', 'updating']);

/** Every mount target of the file system (all pages). */
export async function describeMountTargets(efs: EFSClient, fileSystemId: string): Promise<MountTargetDescription[]> {
  const found: MountTargetDescription[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws('DescribeMountTargets', () => efs.send(new DescribeMountTargetsCommand({ FileSystemId: fileSystemId, ...(marker ? { Marker: marker } : {}) })));
    found.push(...(page.MountTargets ?? []));
    marker = page.NextMarker;
  } while (marker);
  return found;
}

const byZone = (targets: readonly MountTargetDescription[]): Map<string, MountTargetDescription> =>
  new Map(targets.filter((t) => t.AvailabilityZoneName).map((t) => [t.AvailabilityZoneName as string, t]));

// A mount target's creation can fail for a moment after the file system or the group was made (EFS has not seen
// them yet): worth a retry by the state machine, not a failed deployment.
const NOT_YET_VISIBLE = new Set(['IncorrectFileSystemLifeCycleState', 'SecurityGroupNotFound', 'FileSystemNotFound']);

async function createMountTarget(efs: EFSClient, fileSystemId: string, placement: Placement, groupId: string): Promise<void> {
  try {
    await efs.send(new CreateMountTargetCommand({ FileSystemId: fileSystemId, SubnetId: placement.subnetId, SecurityGroups: [groupId] }));
  } catch (error) {
    const code = awsErrorCode(error) ?? 'Unknown';
    // MountTargetConflict: the zone has one already (a concurrent deployment made it): read back below.
    if (code === 'MountTargetConflict') return;
    if (NOT_YET_VISIBLE.has(code)) {
      throw new AwsTransientError(`CreateMountTarget in ${placement.zone} failed: ${code} (not visible to EFS yet); retried`, { cause: error, details: { code } });
    }
    throw toProjectError(error, 'CreateMountTarget');
  }
}

/**
 * A mount target in each zone of `placements` (their subnets, the mount-target group), created where missing.
 *
 * @returns the mount target of each zone with its state, as DescribeMountTargets reads after the creations
 * @throws WorkspaceNetworkError when the file system's mount targets are in another VPC (EFS allows one VPC)
 */
export async function ensureMountTargets(
  efs: EFSClient,
  fileSystemId: string,
  placements: readonly Placement[],
  mountTargetGroupId: string,
): Promise<Record<string, MountTargetInZone>> {
  const vpcId = placements[0]?.vpcId;
  const existing = await describeMountTargets(efs, fileSystemId);
  const elsewhere = existing.find((t) => t.VpcId && t.VpcId !== vpcId);
  if (elsewhere) {
    throw new WorkspaceNetworkError(`The workspace's mount targets are in ${elsewhere.VpcId}, this deployment launches into ${vpcId}: EFS serves one VPC per file system`, {
      hint: 'Launch into a subnet of that VPC (subnetId), or use another workspace name',
      details: { fileSystemId, mountTargetVpc: elsewhere.VpcId, vpcId },
    });
  }
  const have = byZone(existing);
  const missing = placements.filter((p) => !have.has(p.zone));
  for (const placement of missing) await createMountTarget(efs, fileSystemId, placement, mountTargetGroupId);
  const now = missing.length > 0 ? byZone(await describeMountTargets(efs, fileSystemId)) : have;
  const result: Record<string, MountTargetInZone> = {};
  for (const placement of placements) {
    const target = now.get(placement.zone);
    if (target?.MountTargetId) result[placement.zone] = { mountTargetId: target.MountTargetId, subnetId: target.SubnetId ?? placement.subnetId, state: target.LifeCycleState ?? 'unknown' };
  }
  return result;
}
