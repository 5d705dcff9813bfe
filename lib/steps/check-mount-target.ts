import { DescribeMountTargetsCommand, type EFSClient } from '@aws-sdk/client-efs';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { WorkspaceMountTargetTimeoutError, WorkspaceUnavailableError } from '../errors.js';
import type { MountTargetCheck, WorkspaceState } from '../workspace/types.js';
import type { LaunchedDocument } from '../workflow/document.js';
import { secondsSince } from './time.js';

/**
 * How long a mount target may stay `creating`, from this execution's first look at the workspace. AWS says one
 * typically takes a minute or two and sometimes more than ten.
 */
export const MOUNT_TARGET_CREATING_SECONDS = 1200;

/**
 * CheckMountTarget: whether the mount target of the zone the instance runs in is available yet. The instance boots
 * meanwhile and its UserData retries the mount; the ASL repeats this check after a wait while it is `creating`.
 *
 * @throws WorkspaceMountTargetTimeoutError when it stayed `creating` past {@link MOUNT_TARGET_CREATING_SECONDS}
 * @throws WorkspaceUnavailableError when it is gone or failed (the deployment is rolled back; the workspace stays)
 */
export async function checkMountTargetStep(doc: LaunchedDocument & { workspace: WorkspaceState }, efs: EFSClient, now = new Date()): Promise<MountTargetCheck> {
  const zone = doc.launch.zone;
  const target = doc.workspace.mountTargets[zone];
  if (!target) {
    throw new WorkspaceUnavailableError(`Workspace ${doc.workspace.name} has no mount target in ${zone}, where the instance runs`, {
      hint: 'Deploy again: EnsureWorkspace makes one in every zone Launch may use',
      details: { zone, zones: Object.keys(doc.workspace.mountTargets) },
    });
  }
  let state: string;
  try {
    const out = await efs.send(new DescribeMountTargetsCommand({ MountTargetId: target.mountTargetId }));
    state = out.MountTargets?.[0]?.LifeCycleState ?? 'deleted';
  } catch (error) {
    if (awsErrorCode(error) !== 'MountTargetNotFound') throw toProjectError(error, 'DescribeMountTargets');
    state = 'deleted';
  }
  const check: MountTargetCheck = { zone, mountTargetId: target.mountTargetId, state, available: state === 'available' };
  if (state === 'available') return check;
  if (state === 'creating') {
    const waited = Math.round(secondsSince(doc.workspace.since, now));
    if (waited > MOUNT_TARGET_CREATING_SECONDS) {
      throw new WorkspaceMountTargetTimeoutError(`Mount target ${target.mountTargetId} in ${zone} was still creating after ${waited}s`, {
        hint: 'EFS did not finish the mount target: the instance could not mount the workspace, so it is rolled back (the workspace stays). Deploy again later',
        details: { zone, mountTargetId: target.mountTargetId, waitedSeconds: waited },
      });
    }
    return check;
  }
  throw new WorkspaceUnavailableError(`Mount target ${target.mountTargetId} in ${zone} is ${state}`, {
    hint: 'Someone deleted it or EFS failed it: deploy again (EnsureWorkspace makes a new one)',
    details: { zone, mountTargetId: target.mountTargetId, state },
  });
}
