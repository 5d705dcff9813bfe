import { SSMClient, StartSessionCommand, TerminateSessionCommand } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SessionManagerPluginMissingError, SessionPluginFailedError } from '../../../lib/errors.js';
import { repoRoot } from '../../../lib/local/paths.js';
import { runPluginSession, terminateSession } from '../../../lib/session/run-session.js';

const ssmMock = mockClient(SSMClient);
const ssm = new SSMClient({ region: 'eu-west-1' });
const FAKE_PLUGIN_DIR = join(repoRoot(), 'test', 'fixtures', 'fake-plugin');
const SESSION = { SessionId: 'alice-0abc', TokenValue: 'token-1', StreamUrl: 'wss://ssmmessages.eu-west-1.amazonaws.com/v1/data-channel/alice-0abc' };
const PORT_FORWARD = { Target: 'i-0123', DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: ['11434'], localPortNumber: ['11434'] } };

let scratch: string;
let record: string;
const envWith = (extra: Record<string, string>): NodeJS.ProcessEnv => ({ PATH: `${FAKE_PLUGIN_DIR}:/usr/bin:/bin`, FAKE_PLUGIN_RECORD: record, ...extra });
const argvOf = (): string[] => readFileSync(`${record}.argv`, 'utf8').split('\0').slice(0, -1);
const waitFor = async (file: string): Promise<void> => {
  for (let i = 0; i < 100 && !existsSync(file); i += 1) await new Promise((r) => setTimeout(r, 50));
};

beforeEach(() => {
  ssmMock.reset();
  ssmMock.on(StartSessionCommand).resolves(SESSION);
  ssmMock.on(TerminateSessionCommand).resolves({ SessionId: SESSION.SessionId });
  scratch = mkdtempSync(join(tmpdir(), 'plugin-test-'));
  record = join(scratch, 'call');
});
afterEach(() => rmSync(scratch, { recursive: true, force: true }));

describe('runPluginSession (a fake session-manager-plugin on PATH records how it is started)', () => {
  test('argv as the AWS CLI builds it; a current plugin gets the response through AWS_SSM_START_SESSION_RESPONSE; then TerminateSession', async () => {
    // Prepare
    const log: string[] = [];
    // Act
    const status = await runPluginSession({ ssm, region: 'eu-west-1', request: PORT_FORWARD, log: (l) => log.push(l), env: envWith({ AWS_PROFILE: 'work', AWS_ENDPOINT_URL: 'http://127.0.0.1:4566' }) });
    // Assess
    expect(status).toBe(0);
    expect(argvOf()).toEqual(['AWS_SSM_START_SESSION_RESPONSE', 'eu-west-1', 'StartSession', 'work', JSON.stringify(PORT_FORWARD), 'http://127.0.0.1:4566']);
    expect(JSON.parse(readFileSync(`${record}.response-env`, 'utf8'))).toEqual(SESSION);
    expect(ssmMock.commandCalls(StartSessionCommand)[0]?.args[0].input).toEqual(PORT_FORWARD);
    expect(ssmMock.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input)).toEqual([{ SessionId: SESSION.SessionId }]);
    expect(log.join('\n')).toContain(`Session ${SESSION.SessionId} terminated`);
  });

  test('a plugin up to 1.2.497.0 gets the response JSON as its first argument; no profile is an empty string; the endpoint is AWS SSM', async () => {
    // Act
    await runPluginSession({ ssm, region: 'eu-west-1', request: { Target: 'i-0123' }, log: () => undefined, env: envWith({ FAKE_PLUGIN_VERSION: '1.2.497.0' }) });
    // Assess
    const argv = argvOf();
    expect(JSON.parse(argv[0] ?? '')).toEqual(SESSION);
    expect(argv.slice(1)).toEqual(['eu-west-1', 'StartSession', '', JSON.stringify({ Target: 'i-0123' }), 'https://ssm.eu-west-1.amazonaws.com']);
    expect(readFileSync(`${record}.response-env`, 'utf8')).toBe('');
  });

  test('a failing plugin: SessionPluginFailedError with its status, and the session is still terminated', async () => {
    // Act
    const run = runPluginSession({ ssm, region: 'eu-west-1', request: { Target: 'i-0123' }, log: () => undefined, env: envWith({ FAKE_PLUGIN_EXIT: '3' }) });
    // Assess
    await expect(run).rejects.toBeInstanceOf(SessionPluginFailedError);
    await expect(run).rejects.toMatchObject({ details: { status: 3 } });
    expect(ssmMock.commandCalls(TerminateSessionCommand)).toHaveLength(1);
  });

  test('Ctrl-C: this process ignores SIGINT, SIGQUIT and SIGTSTP while the plugin runs; the plugin ends on SIGINT; the session is terminated', async () => {
    // Prepare
    const before = ['SIGINT', 'SIGQUIT', 'SIGTSTP'].map((s) => process.listenerCount(s));
    let pid: number | undefined;
    const run = runPluginSession({ ssm, region: 'eu-west-1', request: PORT_FORWARD, log: () => undefined, env: envWith({ FAKE_PLUGIN_EXIT: 'wait' }), onStarted: (_s, p) => (pid = p) });
    await waitFor(`${record}.started`);
    // Act: the terminal delivers SIGINT to the foreground group. Here it reaches this process's listeners (which must
    // swallow it: the session is still open) and the plugin.
    expect(['SIGINT', 'SIGQUIT', 'SIGTSTP'].map((s) => process.listenerCount(s))).toEqual(before.map((n) => n + 1));
    process.emit('SIGINT');
    expect(ssmMock.commandCalls(TerminateSessionCommand)).toHaveLength(0);
    process.kill(pid as number, 'SIGINT');
    // Assess
    await expect(run).resolves.toBe(0);
    expect(readFileSync(`${record}.signal`, 'utf8').trim()).toBe('interrupted');
    expect(ssmMock.commandCalls(TerminateSessionCommand)).toHaveLength(1);
    expect(['SIGINT', 'SIGQUIT', 'SIGTSTP'].map((s) => process.listenerCount(s))).toEqual(before);
  });

  test('no plugin on PATH: SessionManagerPluginMissingError with install steps for Linux, macOS and Windows; the opened session is terminated', async () => {
    // Act
    const run = runPluginSession({ ssm, region: 'eu-west-1', request: { Target: 'i-0123' }, log: () => undefined, env: { PATH: '/nonexistent' } });
    // Assess
    await expect(run).rejects.toBeInstanceOf(SessionManagerPluginMissingError);
    const error = (await run.catch((e: unknown) => e)) as SessionManagerPluginMissingError;
    for (const platform of ['Linux', 'macOS', 'Windows']) expect(error.hint).toContain(platform);
    expect(ssmMock.commandCalls(StartSessionCommand)).toHaveLength(1);
    expect(ssmMock.commandCalls(TerminateSessionCommand).map((c) => c.args[0].input)).toEqual([{ SessionId: SESSION.SessionId }]);
  });

  test('TerminateSession failing is reported, not thrown (the session expires by itself)', async () => {
    // Prepare
    ssmMock.on(TerminateSessionCommand).rejects(new Error('network down'));
    const log: string[] = [];
    // Act + Assess
    await expect(terminateSession(ssm, 'alice-0abc', (l) => log.push(l))).resolves.toBe(false);
    expect(log[0]).toContain('Could not terminate session alice-0abc: network down');
  });
});
