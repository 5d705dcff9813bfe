import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ExecTimeoutError, RequestInvalidError } from '../../../lib/errors.js';
import { execOnInstance, exitCodeOf, remoteCommandLine } from '../../../lib/exec/remote.js';
import { runShell } from '../../../lib/local/shell.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'us-east-1' });
const HOSTILE = ["it's", '"double"', '$(touch pwned)', '`touch pwned2`', 'a; touch pwned3', 'line1\nline2', '$HOME', '*', '', '--', "'"];

beforeEach(() => {
  ssmMock.reset();
  ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
});

describe('remoteCommandLine: every argument one word, nothing interpreted', () => {
  test.each([['bash'], ['sh']])('hostile arguments reach the program unchanged and run nothing (%s, as AWS-RunShellScript)', async (shell) => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'exec-quote-'));
    try {
      const line = remoteCommandLine(['printf', '[%s]\\n', ...HOSTILE]);
      // Act
      const out = await runShell(shell === 'sh' ? `sh -c ${remoteCommandLine([line])}` : line, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: dir, timeoutMs: 10_000 });
      // Assess
      expect(out.exitCode).toBe(0);
      expect(out.stdout).toBe(HOSTILE.map((a) => `[${a}]\n`).join(''));
      expect((await runShell('ls -A', { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, cwd: dir, timeoutMs: 5000 })).stdout).toBe('');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('no command, or a NUL byte: RequestInvalidError saying what to change', () => {
    // Assess
    expect(() => remoteCommandLine([])).toThrow(RequestInvalidError);
    expect(() => remoteCommandLine(['echo', 'a\0b'])).toThrow(/Argument 2 .* NUL/);
  });
});

describe('execOnInstance', () => {
  test("one AWS-RunShellScript command; polls until done; the exit status is the command's own ResponseCode", async () => {
    // Prepare
    ssmMock
      .on(GetCommandInvocationCommand)
      .rejectsOnce(Object.assign(new Error('not yet'), { name: 'InvocationDoesNotExist' }))
      .resolvesOnce({ Status: 'InProgress' })
      .resolves({ Status: 'Failed', StatusDetails: 'Failed', ResponseCode: 3, StandardOutputContent: 'out', StandardErrorContent: 'err' });
    const sleeps: number[] = [];
    // Act
    const result = await execOnInstance(ssm, 'i-1', ['sh', '-c', 'exit 3'], { timeoutSeconds: 60, pollMs: 5, sleep: async (ms) => void sleeps.push(ms) });
    // Assess
    expect(result).toEqual({ commandId: 'cmd-1', instanceId: 'i-1', status: 'Failed', exitCode: 3, stdout: 'out', stderr: 'err', truncated: false });
    const sent = ssmMock.commandCalls(SendCommandCommand)[0]?.args[0].input;
    expect(sent).toMatchObject({ InstanceIds: ['i-1'], DocumentName: 'AWS-RunShellScript', Parameters: { commands: ["'sh' '-c' 'exit 3'"], executionTimeout: ['60'] } });
    expect(sleeps).toEqual([5, 5]);
  });

  test('stdout at SSM\'s 24,000-character limit is marked truncated', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StatusDetails: 'Success', ResponseCode: 0, StandardOutputContent: 'x'.repeat(24_000) });
    // Act + Assess
    await expect(execOnInstance(ssm, 'i-1', ['yes'], { timeoutSeconds: 5 })).resolves.toMatchObject({ exitCode: 0, truncated: true });
  });

  test('no outcome past the timeout (plus delivery grace): ExecTimeoutError naming the command id', async () => {
    // Prepare
    ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'InProgress' });
    let clock = 0;
    // Act
    const run = execOnInstance(ssm, 'i-1', ['sleep', '999'], { timeoutSeconds: 1, now: () => clock, sleep: async () => void (clock += 30_000) });
    // Assess
    await expect(run).rejects.toBeInstanceOf(ExecTimeoutError);
    await expect(execOnInstance(ssm, 'i-1', ['sleep', '999'], { timeoutSeconds: 1, now: () => (clock += 100_000), sleep: async () => undefined })).rejects.toMatchObject({ details: { commandId: 'cmd-1' } });
  });

  test('exit codes without a ResponseCode: 124 for SSM timeouts, 1 otherwise', () => {
    // Assess
    expect(exitCodeOf('Success', 0)).toBe(0);
    expect(exitCodeOf('Failed', 42)).toBe(42);
    expect(exitCodeOf('ExecutionTimedOut', -1)).toBe(124);
    expect(exitCodeOf('TimedOut', -1)).toBe(124);
    expect(exitCodeOf('Cancelled', -1)).toBe(1);
  });
});
