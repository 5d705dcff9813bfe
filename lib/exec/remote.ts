import type { SSMClient } from '@aws-sdk/client-ssm';
import { ExecTimeoutError, RequestInvalidError } from '../errors.js';
import { getInvocation, sendShellCommand } from '../ssm/command.js';
import { shellQuote } from '../userdata/quote.js';

/** SSM returns at most this much of a command's stdout in GetCommandInvocation. */
export const SSM_STDOUT_LIMIT = 24_000;

/**
 * The command line the host runs: every argument single-quoted, so each reaches the program as one word and nothing
 * in it (quotes, `$(...)`, `;`, newlines) is interpreted by the host's shell. `sh -c '…'` is how to ask for a shell.
 *
 * @example
 * remoteCommandLine(['echo', 'a b', '$(id)']) // "'echo' 'a b' '$(id)'"
 * @throws RequestInvalidError for no command, or an argument with a NUL byte (no shell word can hold one)
 */
export function remoteCommandLine(argv: readonly string[]): string {
  if (argv.length === 0) throw new RequestInvalidError('exec needs a command after --', { hint: 'gpu-deploy exec ID -- nvidia-smi -L' });
  const bad = argv.findIndex((arg) => arg.includes('\0'));
  if (bad >= 0) throw new RequestInvalidError(`Argument ${bad + 1} of the command contains a NUL byte`, { hint: 'Remove the NUL byte: no shell word can hold one' });
  return argv.map(shellQuote).join(' ');
}

export interface ExecResult {
  commandId: string;
  instanceId: string;
  /** SSM's status: Success, Failed, TimedOut, Cancelled, … */
  status: string;
  /** The command's own exit status (SSM's ResponseCode); 124 when SSM timed it out, 1 when SSM gave none. */
  exitCode: number;
  stdout: string;
  stderr: string;
  /** True when stdout reached SSM's 24,000-character limit (the rest is not returned). */
  truncated: boolean;
}

export interface ExecOptions {
  timeoutSeconds: number;
  pollMs?: number;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The exit status a caller sees for a finished invocation. */
export function exitCodeOf(status: string, responseCode: number): number {
  if (responseCode >= 0) return responseCode;
  return status === 'TimedOut' || status === 'ExecutionTimedOut' || status === 'DeliveryTimedOut' ? 124 : 1;
}

/**
 * Runs one command on the instance through Run Command (AWS-RunShellScript) and waits for its outcome.
 *
 * @throws RequestInvalidError (bad command), ExecTimeoutError (no outcome in time), Aws*Error
 */
export async function execOnInstance(ssm: SSMClient, instanceId: string, argv: readonly string[], options: ExecOptions): Promise<ExecResult> {
  const line = remoteCommandLine(argv);
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;
  const sent = await sendShellCommand(ssm, instanceId, [line], { timeoutSeconds: options.timeoutSeconds, comment: `gpu-deploy exec ${argv[0] ?? ''}` });
  // SSM enforces the timeout on the host; the grace covers delivery and the agent's report.
  const deadline = now() + (options.timeoutSeconds + 60) * 1000;
  for (;;) {
    const result = await getInvocation(ssm, sent.commandId, instanceId);
    if (result.status === 'done') {
      return {
        commandId: sent.commandId,
        instanceId,
        status: result.detail,
        exitCode: exitCodeOf(result.detail, result.responseCode),
        stdout: result.stdout,
        stderr: result.stderr,
        truncated: result.stdout.length >= SSM_STDOUT_LIMIT,
      };
    }
    if (now() > deadline) {
      throw new ExecTimeoutError(`The command ${sent.commandId} on ${instanceId} did not finish within ${options.timeoutSeconds}s (${result.detail})`, {
        hint: 'Raise --timeout; see it later with: aws ssm get-command-invocation --command-id ' + sent.commandId + ' --instance-id ' + instanceId,
        details: { commandId: sent.commandId, instanceId },
      });
    }
    await sleep(options.pollMs ?? 1000);
  }
}
