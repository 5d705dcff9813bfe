import { StartSessionCommand, TerminateSessionCommand, type SSMClient, type StartSessionCommandInput } from '@aws-sdk/client-ssm';
import { spawn } from 'node:child_process';
import { callAws } from '../aws/classify.js';
import { SessionManagerPluginMissingError, SessionPluginFailedError } from '../errors.js';
import { ssmEndpointUrl } from './endpoint.js';
import { PLUGIN_INSTALL_HINT, PLUGIN_NAME, findPlugin, pluginInvocation, pluginVersion } from './plugin.js';

/** The StartSession request: the instance, and for port forwarding the document and its parameters. */
export type SessionRequest = Pick<StartSessionCommandInput, 'Target' | 'DocumentName' | 'Parameters' | 'Reason'> & { Target: string };

export interface OpenedSession {
  SessionId: string;
  TokenValue: string;
  StreamUrl: string;
}

export async function startSession(ssm: SSMClient, request: SessionRequest): Promise<OpenedSession> {
  const out = await callAws('StartSession', () => ssm.send(new StartSessionCommand(request)));
  return { SessionId: out.SessionId ?? '', TokenValue: out.TokenValue ?? '', StreamUrl: out.StreamUrl ?? '' };
}

/** Ends the session on the service and the agent; a failure is reported, never thrown (the session self-expires). */
export async function terminateSession(ssm: SSMClient, sessionId: string, log: (line: string) => void): Promise<boolean> {
  try {
    await ssm.send(new TerminateSessionCommand({ SessionId: sessionId }));
    log(`Session ${sessionId} terminated`);
    return true;
  } catch (error) {
    log(`Could not terminate session ${sessionId}: ${(error as Error).message} (it ends by itself after the idle timeout)`);
    return false;
  }
}

/** The user's own signals: as in the AWS CLI, this process ignores them while the plugin runs, and the plugin handles them. */
const USER_SIGNALS: NodeJS.Signals[] = process.platform === 'win32' ? ['SIGINT'] : ['SIGINT', 'SIGQUIT', 'SIGTSTP'];

/**
 * Runs the plugin in the foreground with the terminal, ignoring Ctrl-C, Ctrl-\ and Ctrl-Z here meanwhile: the
 * terminal delivers them to the plugin too, which ends or forwards the session; this process must outlive it to
 * terminate the session. Resolves with the plugin's exit status (128 + signal number when a signal ended it).
 */
export function runIgnoringUserSignals(bin: string, args: string[], env: NodeJS.ProcessEnv, onStarted: (pid: number | undefined) => void = () => undefined): Promise<number> {
  const ignore = (): void => undefined;
  for (const signal of USER_SIGNALS) process.on(signal, ignore);
  const restore = (): void => {
    for (const signal of USER_SIGNALS) process.removeListener(signal, ignore);
  };
  return new Promise<number>((resolve, reject) => {
    const child = spawn(bin, args, { env, stdio: 'inherit' });
    child.once('spawn', () => onStarted(child.pid));
    child.once('error', (error) => {
      restore();
      reject(error);
    });
    child.once('exit', (code, signal) => {
      restore();
      resolve(code ?? (signal === 'SIGINT' ? 130 : signal === 'SIGTERM' ? 143 : 1));
    });
  });
}

export interface PluginSessionOptions {
  ssm: SSMClient;
  region: string;
  request: SessionRequest;
  log: (line: string) => void;
  /** The environment the plugin is looked up in and runs with (PATH, AWS_PROFILE, AWS_ENDPOINT_URL…). */
  env?: NodeJS.ProcessEnv;
  /** Called once the session is open and the plugin started (the tunnel prints where to reach it). */
  onStarted?: (session: OpenedSession, pluginPid: number | undefined) => void;
}

/** Exit statuses of a plugin that the user ended with Ctrl-C (SIGINT): a normal end of the session. */
const INTERRUPTED = new Set([130]);

/**
 * Opens a Session Manager session with the SDK and hands it to AWS's session-manager-plugin, as the AWS CLI's
 * `ssm start-session` does; whatever happens (plugin missing, failing, Ctrl-C), the session is terminated after.
 *
 * @example
 * await runPluginSession({ ssm, region, request: { Target: 'i-0abc' }, log });
 * @throws SessionManagerPluginMissingError (with install steps), SessionPluginFailedError, Aws*Error from StartSession
 */
export async function runPluginSession(options: PluginSessionOptions): Promise<number> {
  const env = options.env ?? process.env;
  const session = await startSession(options.ssm, options.request);
  options.log(`Session ${session.SessionId} started on ${options.request.Target}`);
  try {
    const bin = findPlugin(env.PATH);
    if (!bin) {
      throw new SessionManagerPluginMissingError(`${PLUGIN_NAME} is not on PATH; the session that was opened has been terminated`, { hint: PLUGIN_INSTALL_HINT });
    }
    const { args, env: extra } = pluginInvocation({
      sessionResponse: session,
      region: options.region,
      profile: env.AWS_PROFILE ?? '',
      parameters: options.request,
      endpointUrl: ssmEndpointUrl(options.region, env),
      version: pluginVersion(bin, env),
    });
    const status = await runIgnoringUserSignals(bin, args, { ...env, ...extra }, (pid) => options.onStarted?.(session, pid));
    if (status === 0 || INTERRUPTED.has(status)) return 0;
    throw new SessionPluginFailedError(`${PLUGIN_NAME} exited with status ${status}`, {
      hint: `Run \`${PLUGIN_NAME} --version\` to check the install; see its output above for the cause`,
      details: { status, sessionId: session.SessionId },
    });
  } finally {
    await terminateSession(options.ssm, session.SessionId, options.log);
  }
}
