import type { SSMClient } from '@aws-sdk/client-ssm';
import { VerificationTimeoutError } from '../errors.js';
import { isAgentReregistering, sendShellCommand } from '../ssm/command.js';
import { buildSsmCommands, loadHealthCheckScript } from '../verify/script.js';
import type { LaunchedDocument, VerifyState } from '../workflow/document.js';
import { secondsSince } from './time.js';

function healthFlags(doc: LaunchedDocument): string[] {
  return doc.request.ollama.enabled ? [] : ['--skip-ollama'];
}

/**
 * SendHealthCheck: the project's health-check script, sent over SSM Run Command (again, while set-up runs).
 * SendCommand's InvalidInstanceId while the agent re-registers is not a failure: the state says `resend` with
 * `notSent`, and the ASL sends again after a wait, until the verify deadline (counted from the first try).
 *
 * @throws VerificationTimeoutError when SSM still refused the instance at the verify deadline
 */
export async function sendHealthCheckStep(doc: LaunchedDocument & { verify?: VerifyState }, ssm: SSMClient, now = new Date()): Promise<VerifyState> {
  const commands = buildSsmCommands(loadHealthCheckScript(), healthFlags(doc));
  const firstSentAt = doc.verify?.firstSentAt ?? now.toISOString();
  try {
    const sent = await sendShellCommand(ssm, doc.launch.instanceId, commands, { timeoutSeconds: 300, comment: `gpu-deploy health check ${doc.deploymentId}` });
    return { ...sent, firstSentAt };
  } catch (error) {
    if (!isAgentReregistering(error)) throw error;
    const { verifySeconds } = doc.request.timeouts;
    if (secondsSince(firstSentAt, now) > verifySeconds) {
      throw new VerificationTimeoutError(`SSM still answered InvalidInstanceId for ${doc.launch.instanceId} after ${verifySeconds}s: its SSM agent did not come back`, {
        cause: error,
        hint: 'Raise timeouts.verifySeconds, or look at the instance (console output, SSM agent log /var/log/amazon/ssm/amazon-ssm-agent.log)',
        details: { instanceId: doc.launch.instanceId, code: 'InvalidInstanceId' },
      });
    }
    return { commandId: '', sentAt: now.toISOString(), firstSentAt, status: 'resend', notSent: 'InvalidInstanceId', setupStage: 'SSM agent re-registering' };
  }
}
