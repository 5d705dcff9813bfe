import type { MountTargetInZone } from './mount-targets.js';
import type { WorkspaceSize } from './file-system.js';

/** What EnsureWorkspace leaves in the document (`$.workspace`): the file system, the groups, a mount target per zone. */
export interface WorkspaceState {
  name: string;
  fileSystemId: string;
  fileSystemState: string;
  /** Whether this deployment created the file system (else it was there from an earlier one). */
  created: boolean;
  size: WorkspaceSize;
  /** Set once the file system is available and the groups and mount targets are ensured. */
  vpcId?: string;
  clientGroupId?: string;
  mountTargetGroupId?: string;
  /** Zone -> its mount target: Launch tries only these zones. */
  mountTargets: Record<string, MountTargetInZone>;
  /** True when Launch may start: the file system is available and every planned zone has a mount target. */
  ready: boolean;
  /** What the loop still waits for, while not ready. */
  waitingFor?: string;
  /** This execution's first look at the workspace: the bounds of its waits count from here. */
  since: string;
}

/** What CheckMountTarget leaves in the document (`$.mountTarget`): the launch zone's mount target. */
export interface MountTargetCheck {
  zone: string;
  mountTargetId: string;
  state: string;
  available: boolean;
}
