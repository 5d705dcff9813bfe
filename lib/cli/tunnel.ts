import { ec2Client } from '../aws/ec2.js';
import { ssmClient } from '../aws/ssm.js';
import { runningDeploymentInstance } from '../deployments/instance.js';
import { LocalPortInUseError } from '../errors.js';
import { serveSimulatedOllama } from '../local/ollama-standin.js';
import { runPluginSession, startSession, terminateSession, type SessionRequest } from '../session/run-session.js';
import { stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { integerOption, parseDay2 } from './day2-options.js';
import { printJson, type Io } from './output.js';

/** Ollama's API port, where UserData makes it listen (on the instance's localhost only). */
export const OLLAMA_PORT = 11434;

export function portForwardingRequest(instanceId: string, remotePort: number, localPort: number): SessionRequest {
  return { Target: instanceId, DocumentName: 'AWS-StartPortForwardingSession', Parameters: { portNumber: [String(remotePort)], localPortNumber: [String(localPort)] } };
}

/** Where the forwarded port answers, and how to try it. */
export function reachLines(localPort: number, remotePort: number, standIn: boolean): string[] {
  const url = `http://127.0.0.1:${localPort}`;
  const what = remotePort === OLLAMA_PORT ? 'Ollama' : `Port ${remotePort} of the instance`;
  return [
    `${what} at ${url}${standIn ? ' (local stand-in: the simulated host\'s Ollama API, no model behind it)' : ''}`,
    ...(remotePort === OLLAMA_PORT ? [`  try: curl ${url}/api/version   (models: curl ${url}/api/tags)`] : []),
    'Ctrl-C ends the tunnel.',
  ];
}

const untilInterrupted = (signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      process.removeListener('SIGINT', done);
      process.removeListener('SIGTERM', done);
      resolve();
    };
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * `gpu-deploy tunnel ID [--local-port N] [--remote-port N]`: port forwarding through Session Manager
 * (AWS-StartPortForwardingSession, both ports 11434 = Ollama by default) until Ctrl-C, then the session is
 * terminated. With `--local` the local stand-in plays the far end.
 */
export async function tunnelMain(args: string[], io: Io, signal?: AbortSignal): Promise<number> {
  const { target, values } = await parseDay2(args, commandSpec('tunnel'));
  const localPort = integerOption(stringValue(values, 'local-port'), 'local-port', OLLAMA_PORT, 1, 65_535);
  const remotePort = integerOption(stringValue(values, 'remote-port'), 'remote-port', OLLAMA_PORT, 1, 65_535);
  const instance = await runningDeploymentInstance(ec2Client(target.region), target.deploymentId, target.region);
  const ssm = ssmClient(target.region);
  const request = portForwardingRequest(instance.InstanceId, remotePort, localPort);
  const log = (line: string): void => io.err(`${line}\n`);
  const announce = (sessionId: string, standIn: boolean): void => {
    if (target.json) printJson(io, { status: 'TUNNEL_OPEN', deploymentId: target.deploymentId, instanceId: instance.InstanceId, sessionId, localPort, remotePort, url: `http://127.0.0.1:${localPort}`, standIn });
    else io.out(`${reachLines(localPort, remotePort, standIn).join('\n')}\n`);
  };
  if (!target.local) {
    return runPluginSession({ ssm, region: target.region, request, log, onStarted: (session) => announce(session.SessionId, false) });
  }
  const session = await startSession(ssm, request);
  try {
    const ollama = await serveSimulatedOllama(localPort).catch((error: unknown) => {
      if ((error as { code?: string }).code === 'EADDRINUSE') {
        throw new LocalPortInUseError(`127.0.0.1:${localPort} is already in use on this machine`, { hint: 'Pick another port: --local-port 11435 (an Ollama running here holds 11434)' });
      }
      throw error;
    });
    announce(session.SessionId, true);
    await untilInterrupted(signal);
    await ollama.close();
    return 0;
  } finally {
    await terminateSession(ssm, session.SessionId, log);
  }
}
