import type { SSMClient } from '@aws-sdk/client-ssm';
import { GpuVerificationFailedError, VerificationTimeoutError } from '../errors.js';
import { getInvocation, sendShellCommand } from '../ssm/command.js';
import { buildHealthReport, parseHealthCheckOutput, summarizeFailures } from '../verify/report.js';
import { buildSsmCommands, loadHealthCheckScript } from '../verify/script.js';
import type { LaunchedDocument, VerifyState } from '../workflow/document.js';
import { secondsSince } from './time.js';

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
      hint: 'The instance is not GPU-ready (see the failure codes); the deployment is rolled back',
      details: { failures: report.failures },
    });
  }
  return { ...doc.verify, status: 'done', report };
}
