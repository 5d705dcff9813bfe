import type { EC2Client } from '@aws-sdk/client-ec2';
import type { SSMClient } from '@aws-sdk/client-ssm';
import { getLatestDlami } from '../ami/resolve.js';
import { describeInstanceType, offeredZones } from '../catalog/catalog.js';
import { validateInstanceType } from '../catalog/validate.js';
import {
  GpuVerificationFailedError,
  InstanceStartFailedError,
  InstanceStartTimeoutError,
  RequestInvalidError,
  RollbackIncompleteError,
  SsmManagedTimeoutError,
  VerificationTimeoutError,
} from '../errors.js';
import { launchInstance } from '../launch/instance.js';
import { cleanupDeployment, instanceState, type CleanupStatus } from '../launch/lifecycle.js';
import { deploymentIdFrom } from '../launch/tags.js';
import { parseRequest } from '../request.js';
import { getInvocation, sendShellCommand } from '../ssm/command.js';
import { ssmPingStatus } from '../ssm/managed.js';
import { renderUserData, toBase64UserData } from '../userdata/index.js';
import { buildHealthReport, parseHealthCheckOutput, summarizeFailures } from '../verify/report.js';
import { buildSsmCommands, loadHealthCheckScript } from '../verify/script.js';
import { markUnavailable } from '../capacity/unavailable.js';
import { estimateFor } from './plan-step.js';
import type {
  Execution,
  LaunchedDocument,
  PlannedDocument,
  ResolvedDocument,
  ValidatedDocument,
  VerifyState,
} from './document.js';

const secondsSince = (iso: string, now: Date): number => (now.getTime() - Date.parse(iso)) / 1000;

/** ValidateRequest: the request is well-formed and the GPU type can serve it in the region. */
export async function validateStep(
  event: { request: unknown; execution: Execution },
  ec2: (region: string) => EC2Client,
): Promise<ValidatedDocument> {
  if (!event.execution?.id || !event.execution.name) {
    throw new RequestInvalidError('The state machine passed no execution context', { hint: 'Start the deployment through the deploy state machine' });
  }
  const request = parseRequest(event.request);
  const client = ec2(request.region);
  const [info, zones] = await Promise.all([describeInstanceType(client, request.instanceType), offeredZones(client, request.instanceType)]);
  const instanceType = validateInstanceType(request, info, zones);
  return { deploymentId: deploymentIdFrom(event.execution.name), execution: event.execution, request, instanceType, zones };
}

/** ResolveAmi: the newest DLAMI for the request (proprietary-driver family for pre-Turing GPUs). */
export function resolveAmiStep(doc: ValidatedDocument, clients: { ec2: EC2Client; ssm: SSMClient }) {
  const { region, osType, architecture, amiType } = doc.request;
  // Volta and older GPUs are not supported by the open-source kernel modules of the OSS-driver DLAMIs.
  const legacyGpu = /^(V100|K80|M60)$/i.test(doc.instanceType.gpu.model);
  return getLatestDlami(clients, { region, osType, architecture, amiType, ...(legacyGpu ? { driver: 'proprietary' as const } : {}) });
}

/** Launch: UserData rendered for the AMI, then the planned attempts walked in order. */
export async function launchStep(
  doc: PlannedDocument,
  ec2: EC2Client,
  env: { instanceProfileName?: string },
): Promise<LaunchedDocument['launch']> {
  const { request, ami, deploymentId, plan } = doc;
  const userData = renderUserData({
    deploymentId,
    osType: request.osType,
    architecture: request.architecture,
    amiSource: ami.needsDriver ? 'standard' : 'dlami',
    ollama: request.ollama,
  });
  const launched = await launchInstance(
    ec2,
    {
      deploymentId,
      executionId: doc.execution.id,
      imageId: ami.imageId,
      rootVolumeGiB: Math.max(request.rootVolumeGiB, ami.rootSnapshotGiB ?? 0),
      userDataBase64: toBase64UserData(userData),
      ...(env.instanceProfileName ? { instanceProfileName: env.instanceProfileName } : {}),
      ...(request.subnetId ? { subnetId: request.subnetId } : {}),
      tags: request.tags,
    },
    plan.attempts,
    (attempt) => markUnavailable(request.region, attempt),
  );
  const estimate = estimateFor(doc, plan.prices, launched.market, launched.zone);
  return { ...launched, ...(estimate ? { estimate } : {}) };
}

/** CheckRunning: one look at the instance; the Wait/Choice loop in the ASL repeats it. */
export async function checkRunningStep(doc: LaunchedDocument, ec2: EC2Client, now = new Date()): Promise<{ state: string }> {
  const { state, reason } = await instanceState(ec2, doc.launch.instanceId);
  if (['terminated', 'shutting-down', 'stopped', 'stopping'].includes(state)) {
    throw new InstanceStartFailedError(`Instance ${doc.launch.instanceId} is ${state} instead of running${reason ? `: ${reason}` : ''}`, {
      hint: 'Spot capacity may have been reclaimed or the instance failed to boot; deploy again or use --market on-demand',
      details: { instanceId: doc.launch.instanceId, state },
    });
  }
  if (state !== 'running' && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds) {
    throw new InstanceStartTimeoutError(`Instance ${doc.launch.instanceId} was still ${state} after ${doc.request.timeouts.runningSeconds}s`, {
      hint: 'Raise timeouts.runningSeconds or try another zone',
    });
  }
  return { state };
}

/** CheckManaged: whether SSM can reach the instance yet. */
export async function checkManagedStep(doc: LaunchedDocument, ssm: SSMClient, now = new Date()): Promise<{ pingStatus: string; online: boolean }> {
  const pingStatus = await ssmPingStatus(ssm, doc.launch.instanceId);
  const online = pingStatus === 'Online';
  if (!online && secondsSince(doc.launch.launchedAt, now) > doc.request.timeouts.runningSeconds + doc.request.timeouts.managedSeconds) {
    throw new SsmManagedTimeoutError(`SSM never reported instance ${doc.launch.instanceId} online (last status ${pingStatus})`, {
      hint: 'The instance needs outbound HTTPS to SSM (a public IP or VPC endpoints) and the instance profile with AmazonSSMManagedInstanceCore',
    });
  }
  return { pingStatus, online };
}

function healthFlags(doc: LaunchedDocument): string[] {
  return doc.request.ollama.enabled ? [] : ['--skip-ollama'];
}

/** SendHealthCheck: the project's health-check script, sent over SSM Run Command. */
export async function sendHealthCheckStep(doc: LaunchedDocument, ssm: SSMClient): Promise<VerifyState> {
  const commands = buildSsmCommands(loadHealthCheckScript(), healthFlags(doc));
  return sendShellCommand(ssm, doc.launch.instanceId, commands, { timeoutSeconds: 300, comment: `gpu-deploy health check ${doc.deploymentId}` });
}

/** GetHealthCheck: the command's outcome; a finished check must show the GPUs the type promises. */
export async function getHealthCheckStep(
  doc: LaunchedDocument & { verify: VerifyState },
  ssm: SSMClient,
  now = new Date(),
): Promise<VerifyState> {
  const result = await getInvocation(ssm, doc.verify.commandId, doc.launch.instanceId);
  if (result.status === 'pending') {
    if (secondsSince(doc.verify.sentAt, now) > doc.request.timeouts.verifySeconds) {
      throw new VerificationTimeoutError(`The GPU health check did not finish within ${doc.request.timeouts.verifySeconds}s (${result.detail})`, {
        hint: 'Raise timeouts.verifySeconds; the instance may still be installing drivers',
      });
    }
    return { ...doc.verify, status: 'pending' };
  }
  if (!result.stdout.trim()) {
    throw new GpuVerificationFailedError(`The health check produced no output (${result.detail}, exit ${result.responseCode}): ${result.stderr.slice(0, 300)}`, {
      hint: 'Inspect /var/log/gpu-deploy/setup.log on the instance through SSM Session Manager',
    });
  }
  const report = buildHealthReport(parseHealthCheckOutput(result.stdout), {
    gpuModel: doc.instanceType.gpu.model,
    gpuCount: doc.instanceType.gpu.count,
  });
  if (!report.healthy) {
    throw new GpuVerificationFailedError(summarizeFailures(report), {
      hint: 'The instance is not GPU-ready; see the failure code. It has been rolled back.',
      details: { failures: report.failures },
    });
  }
  return { ...doc.verify, status: 'done', report };
}

export interface RollbackInput {
  deploymentId: string;
  request: { region: string };
  rollback?: { startedAt?: string };
}

/** How long rollback keeps trying before it reports what is left (an ENI can hold a group for minutes). */
export const ROLLBACK_DEADLINE_SECONDS = 20 * 60;

/** Rollback: one idempotent clean-up step of everything tagged with the deployment; the ASL loops until done. */
export async function rollbackStep(doc: RollbackInput, ec2: EC2Client, now = new Date()): Promise<CleanupStatus & { startedAt: string }> {
  const startedAt = doc.rollback?.startedAt ?? now.toISOString();
  const status = await cleanupDeployment(ec2, doc.deploymentId);
  if (!status.done && secondsSince(startedAt, now) > ROLLBACK_DEADLINE_SECONDS) {
    throw new RollbackIncompleteError(
      `Rollback of ${doc.deploymentId} did not finish: instances ${status.remainingInstances.join(', ') || 'none'}, security groups ${status.remainingSecurityGroups.join(', ') || 'none'} remain`,
      { hint: `Run gpu-deploy teardown ${doc.deploymentId}, or delete resources tagged gpu-deploy:deployment-id=${doc.deploymentId}`, details: { ...status } },
    );
  }
  return { ...status, startedAt };
}
