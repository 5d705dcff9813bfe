import type { SSMClient } from '@aws-sdk/client-ssm';
import { GpuVerificationFailedError, VerificationTimeoutError } from '../errors.js';
import { getInvocation } from '../ssm/command.js';
import { verifyDeadlineSeconds } from '../userdata/budget.js';
import { buildHealthReport, parseHealthCheckOutput, summarizeFailures } from '../verify/report.js';
import type { HealthReport } from '../verify/types.js';
import { WORKSPACE_MOUNT_PATH } from '../workspace/names.js';
import type { LaunchedDocument, ResultWorkspace, VerifyState } from '../workflow/document.js';
import { secondsSince } from './time.js';

/**
 * Whether the instance's own set-up (UserData: driver, Docker GPU runtime, Ollama) is still going: no status file
 * yet, or one whose outcome is `running`. SSM comes online a minute after boot, long before set-up ends, so such
 * a report is not judged; the check is sent again.
 */
export function setupStillRunning(report: { userData: { present: boolean; outcome: string | null } | null }): boolean {
  return !report.userData?.present || report.userData.outcome === 'running';
}

/** The result's workspace: the one the deployment asked for, as the health check found it mounted. */
export function resultWorkspace(doc: Pick<LaunchedDocument, 'workspace'>, report: Pick<HealthReport, 'workspace'>): ResultWorkspace | null {
  if (!doc.workspace) return null;
  const { mounted, transit, writable } = report.workspace;
  return { name: doc.workspace.name, fileSystemId: doc.workspace.fileSystemId, path: WORKSPACE_MOUNT_PATH, mounted, transit, writable };
}

/**
 * GetHealthCheck: the command's outcome; a finished check must show the GPUs the type promises and, with a
 * workspace, have it mounted (WORKSPACE_NOT_MOUNTED otherwise: rolled back, the workspace stays).
 */
export async function getHealthCheckStep(
  doc: LaunchedDocument & { verify: VerifyState },
  ssm: SSMClient,
  now = new Date(),
): Promise<VerifyState> {
  // Nothing was sent (SendCommand refused the instance while its agent re-registers): send again after a wait.
  if (doc.verify.notSent) return { ...doc.verify, status: 'resend' };
  const result = await getInvocation(ssm, doc.verify.commandId, doc.launch.instanceId);
  // A standard AMI builds the driver first: its default deadline is longer (lib/userdata/budget.ts).
  const deadline = verifyDeadlineSeconds(doc.request, doc.ami.needsDriver === true);
  const pastDeadline = secondsSince(doc.verify.firstSentAt ?? doc.verify.sentAt, now) > deadline;
  if (result.status === 'pending') {
    if (pastDeadline) {
      throw new VerificationTimeoutError(`The GPU health check did not finish within ${deadline}s (${result.detail})`, {
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
    ...(doc.workspace ? { workspace: { fileSystemId: doc.workspace.fileSystemId } } : {}),
  });
  if (setupStillRunning(report)) {
    const stage = report.userData?.present ? (report.userData.stage ?? 'unknown') : 'not started';
    if (pastDeadline) {
      throw new VerificationTimeoutError(`The instance's set-up was still running (stage ${stage}) after ${deadline}s`, {
        hint: 'Raise timeouts.verifySeconds (a standard AMI builds the NVIDIA driver), or inspect /var/log/gpu-deploy/setup.log through SSM Session Manager',
        details: { stage },
      });
    }
    return { ...doc.verify, status: 'resend', setupStage: stage };
  }
  if (!report.healthy) {
    throw new GpuVerificationFailedError(summarizeFailures(report), {
      hint: 'The instance is not GPU-ready (see the failure codes); the deployment is rolled back',
      details: { failures: report.failures },
    });
  }
  // workspace always present (null without one): the ASL's success output reads it.
  return { ...doc.verify, status: 'done', report, workspace: resultWorkspace(doc, report) };
}
