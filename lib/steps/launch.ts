import type { EC2Client } from '@aws-sdk/client-ec2';
import type { LaunchAttempt } from '../capacity/plan.js';
import { estimateFor } from '../capacity/estimate.js';
import type { CapacityFacts } from '../capacity/facts.js';
import { withAlternatives } from '../capacity/suggest.js';
import { markUnavailable, recentlyUnavailable } from '../capacity/unavailable.js';
import { CapacityUnavailableError, InstanceProfileUnavailableError, WorkspaceUnavailableError } from '../errors.js';
import { launchInstance } from '../launch/instance.js';
import { lifecycleOf } from '../lifetime/lifecycle-tags.js';
import { renderUserData, toBase64UserData } from '../userdata/index.js';
import type { LaunchedDocument, LaunchedWorkspace, PlannedDocument } from '../workflow/document.js';
import { stepNote } from '../workflow/step-notes.js';
import { WORKSPACE_MOUNT_PATH, WORKSPACE_TAG } from '../workspace/names.js';
import { workspaceStorageEstimate } from '../workspace/price.js';
import type { WorkspaceState } from '../workspace/types.js';

/**
 * The plan's attempts with the offerings this warm Lambda just saw run out of capacity moved last. PlanCapacity runs
 * in another Lambda and cannot see them; the token of each attempt does not depend on its position.
 */
export function lastRecentlyUnavailable(attempts: readonly LaunchAttempt[], recent: ReadonlySet<string>): LaunchAttempt[] {
  const isRecent = (a: LaunchAttempt): boolean => recent.has(`${a.zone}|${a.market}`);
  return [...attempts.filter((a) => !isRecent(a)), ...attempts.filter(isRecent)];
}

/**
 * With a workspace, only the zones that have its mount target: the file system's DNS name resolves nowhere else.
 *
 * @throws WorkspaceUnavailableError when no planned zone has one
 */
export function attemptsWithMountTarget(attempts: readonly LaunchAttempt[], workspace: WorkspaceState | undefined): LaunchAttempt[] {
  if (!workspace) return [...attempts];
  const kept = attempts.filter((a) => workspace.mountTargets[a.zone] !== undefined);
  if (kept.length === 0) {
    throw new WorkspaceUnavailableError(`Workspace ${workspace.name} has no mount target in any planned zone (${[...new Set(attempts.map((a) => a.zone))].join(', ')})`, {
      hint: 'Deploy again: EnsureWorkspace makes one in every zone Launch may use',
      details: { zones: Object.keys(workspace.mountTargets) },
    });
  }
  return kept;
}

/**
 * Launch: UserData rendered for the AMI, then the planned attempts walked in order, with the request's instance
 * profile, else the stack's (the Launch function's environment).
 *
 * @throws CapacityUnavailableError when every attempt ran out of capacity, suggesting the plan's alternatives
 * @throws InstanceProfileUnavailableError when neither names a profile (RunInstances is not called)
 */
export async function launchStep(
  doc: PlannedDocument & { workspace?: WorkspaceState },
  ec2: EC2Client,
  env: { instanceProfileName?: string },
): Promise<LaunchedDocument['launch']> {
  const { request, ami, deploymentId, plan, workspace } = doc;
  const lifecycle = lifecycleOf(request, doc.execution.startTime);
  const attempts = attemptsWithMountTarget(plan.attempts, workspace);
  const userData = renderUserData({
    deploymentId,
    osType: request.osType,
    architecture: request.architecture,
    amiSource: ami.needsDriver ? 'standard' : 'dlami',
    ollama: request.ollama,
    ...lifecycle.userData,
    ...(workspace ? { workspace: { fileSystemId: workspace.fileSystemId, region: request.region } } : {}),
  });
  // Without a profile the SSM agent never registers and verification can only time out: refuse before launching.
  const instanceProfileName = request.instanceProfile ?? env.instanceProfileName;
  if (!instanceProfileName) {
    throw new InstanceProfileUnavailableError('No instance profile for the instance: the request names none and GPU_DEPLOY_INSTANCE_PROFILE is not set', {
      hint: 'Set instanceProfile (--instance-profile NAME) to a profile with AmazonSSMManagedInstanceCore, or run through the deployed stack, whose Launch function has one',
    });
  }
  const alternatives = (plan as PlannedDocument['plan'] & Partial<CapacityFacts>).alternatives ?? [];
  const launched = await launchInstance(
    ec2,
    {
      deploymentId,
      executionId: doc.execution.id,
      imageId: ami.imageId,
      rootVolumeGiB: Math.max(request.rootVolumeGiB, ami.rootSnapshotGiB ?? 0),
      ...(ami.rootDeviceName ? { rootDeviceName: ami.rootDeviceName } : {}),
      userDataBase64: toBase64UserData(userData),
      instanceProfileName,
      ...(request.subnetId ? { subnetId: request.subnetId } : {}),
      ...(workspace?.clientGroupId ? { extraSecurityGroupIds: [workspace.clientGroupId] } : {}),
      tags: { ...request.tags, ...lifecycle.tags, ...(workspace ? { [WORKSPACE_TAG]: workspace.name } : {}) },
      priceSources: { spot: 'describe-spot-price-history', ...(plan.prices.onDemand ? { onDemand: plan.prices.onDemand.source } : {}) },
    },
    lastRecentlyUnavailable(attempts, recentlyUnavailable(request.region, request.instanceType, doc.zones)),
    (attempt, code) => {
      markUnavailable(request.region, attempt);
      // Shown as it happens by a caller that follows the run (the CLI's progress), so a long walk is not silent.
      stepNote(`${attempt.zone} ${attempt.market}: refused (${code}), trying the next attempt`);
    },
  ).catch((error: unknown) => {
    throw error instanceof CapacityUnavailableError ? withAlternatives(error, alternatives, request.region) : error;
  });
  // Always present (null when a price is unknown): the ASL's success output reads $.launch.estimate.
  const instanceEstimate = estimateFor(doc, plan.prices, launched.market, launched.zone) ?? null;
  const estimate = instanceEstimate && workspace ? { ...instanceEstimate, workspace: workspaceStorageEstimate(request.region, workspace.size) } : instanceEstimate;
  const launchedWorkspace: LaunchedWorkspace | null = workspace ? { name: workspace.name, fileSystemId: workspace.fileSystemId, path: WORKSPACE_MOUNT_PATH } : null;
  // expiresAt, idleTeardown and workspace always present (null when unset): the ASL's success output reads them.
  return { ...launched, estimate, expiresAt: lifecycle.expiresAt, idleTeardown: lifecycle.idleTeardown, workspace: launchedWorkspace };
}
