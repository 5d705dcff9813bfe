import type { SSMClient } from '@aws-sdk/client-ssm';
import { sendShellCommand } from '../ssm/command.js';
import { buildSsmCommands, loadHealthCheckScript } from '../verify/script.js';
import type { LaunchedDocument, VerifyState } from '../workflow/document.js';

function healthFlags(doc: LaunchedDocument): string[] {
  return doc.request.ollama.enabled ? [] : ['--skip-ollama'];
}

/** SendHealthCheck: the project's health-check script, sent over SSM Run Command (again, while set-up runs). */
export async function sendHealthCheckStep(doc: LaunchedDocument & { verify?: VerifyState }, ssm: SSMClient): Promise<VerifyState> {
  const commands = buildSsmCommands(loadHealthCheckScript(), healthFlags(doc));
  const sent = await sendShellCommand(ssm, doc.launch.instanceId, commands, { timeoutSeconds: 300, comment: `gpu-deploy health check ${doc.deploymentId}` });
  return { ...sent, firstSentAt: doc.verify?.firstSentAt ?? sent.sentAt };
}
