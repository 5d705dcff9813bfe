import { GetCommandInvocationCommand, SendCommandCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { GpuDeployError } from '../errors.js';

export interface SentCommand {
  commandId: string;
  sentAt: string;
}

/** Runs shell commands on one instance through AWS-RunShellScript, with SSM's own execution timeout. */
export async function sendShellCommand(
  ssm: SSMClient,
  instanceId: string,
  commands: string[],
  options: { timeoutSeconds: number; comment: string },
): Promise<SentCommand> {
  const out = await callAws('SendCommand', () =>
    ssm.send(
      new SendCommandCommand({
        InstanceIds: [instanceId],
        DocumentName: 'AWS-RunShellScript',
        Comment: options.comment.slice(0, 100),
        TimeoutSeconds: Math.max(30, options.timeoutSeconds),
        Parameters: { commands, executionTimeout: [String(options.timeoutSeconds)] },
      }),
    ),
  );
  return { commandId: out.Command?.CommandId ?? '', sentAt: new Date().toISOString() };
}

export type InvocationResult =
  | { status: 'pending'; detail: string }
  | { status: 'done'; ok: boolean; detail: string; responseCode: number; stdout: string; stderr: string };

/** Not final yet: `Cancelling` becomes `Cancelled` (or finishes) a moment later. */
const PENDING = new Set(['Pending', 'InProgress', 'Delayed', 'Cancelling']);

/**
 * SendCommand's `InvalidInstanceId` for an instance that was online a moment ago: the SSM agent is re-registering
 * (a reboot or an agent restart during set-up). It is worth sending again, within the caller's deadline.
 */
export const isAgentReregistering = (error: unknown): boolean =>
  awsErrorCode(error) === 'InvalidInstanceId' ||
  (error instanceof GpuDeployError && error.details?.code === 'InvalidInstanceId');

/**
 * The outcome of a sent command on one instance. `InvocationDoesNotExist` right after SendCommand means
 * "not registered yet", not failure.
 */
export async function getInvocation(ssm: SSMClient, commandId: string, instanceId: string): Promise<InvocationResult> {
  try {
    const out = await ssm.send(new GetCommandInvocationCommand({ CommandId: commandId, InstanceId: instanceId }));
    const status = out.Status ?? 'Pending';
    if (PENDING.has(status)) return { status: 'pending', detail: status };
    return {
      status: 'done',
      ok: status === 'Success',
      detail: out.StatusDetails ?? status,
      responseCode: out.ResponseCode ?? -1,
      stdout: out.StandardOutputContent ?? '',
      stderr: out.StandardErrorContent ?? '',
    };
  } catch (error) {
    if (awsErrorCode(error) === 'InvocationDoesNotExist') return { status: 'pending', detail: 'InvocationDoesNotExist' };
    throw toProjectError(error, 'GetCommandInvocation');
  }
}
