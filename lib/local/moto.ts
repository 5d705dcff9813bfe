import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { repoRoot } from './paths.js';

/** The emulator's version range; the project-local virtualenv keeps it off the user's Python. */
export const MOTO_REQUIREMENT = 'moto[server]>=5.1,<6';

export interface RunningMoto {
  endpoint: string;
  port: number;
  stop: () => Promise<void>;
}

export function venvDir(): string {
  return process.env.GPU_DEPLOY_VENV ?? join(repoRoot(), '.venv');
}

const motoServerBin = (): string => join(venvDir(), 'bin', 'moto_server');

/** Creates `.venv` and installs moto into it on first use (a minute, once). */
export function ensureMotoInstalled(log: (line: string) => void = () => undefined): string {
  const bin = motoServerBin();
  if (existsSync(bin)) return bin;
  const python = process.env.PYTHON ?? 'python3';
  log(`Installing the local AWS emulator (${MOTO_REQUIREMENT}) into ${venvDir()} (first run only)...`);
  for (const [cmd, args] of [
    [python, ['-m', 'venv', venvDir()]],
    [join(venvDir(), 'bin', 'pip'), ['install', '--quiet', '--disable-pip-version-check', MOTO_REQUIREMENT]],
  ] as const) {
    const result = spawnSync(cmd, [...args], { stdio: ['ignore', 'ignore', 'pipe'], encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(`Could not install the emulator: ${cmd} ${args.join(' ')} failed: ${result.stderr || result.error?.message}`);
    }
  }
  return bin;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(endpoint: string, child: ChildProcess, deadlineMs: number): Promise<void> {
  const started = Date.now();
  while (Date.now() - started < deadlineMs) {
    if (child.exitCode !== null) throw new Error(`moto_server exited with code ${child.exitCode}`);
    try {
      const response = await fetch(`${endpoint}/moto-api/`);
      if (response.status < 500) return;
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 150));
  }
  throw new Error(`moto_server did not answer on ${endpoint} within ${deadlineMs} ms`);
}

/**
 * Starts moto on a free loopback port, loading the given AMI records (`MOTO_AMIS_PATH`). `stop()` kills it:
 * nothing is left running.
 */
export async function startMoto(options: { amisPath?: string; log?: (line: string) => void } = {}): Promise<RunningMoto> {
  const bin = ensureMotoInstalled(options.log);
  const port = await freePort();
  // AWS's managed policies (AmazonSSMManagedInstanceCore) exist in every account; moto loads them only when asked.
  const env: NodeJS.ProcessEnv = { ...process.env, MOTO_ALLOW_NONEXISTENT_REGION: 'false', MOTO_IAM_LOAD_MANAGED_POLICIES: 'true' };
  if (options.amisPath) env.MOTO_AMIS_PATH = options.amisPath;
  const child = spawn(bin, ['-H', '127.0.0.1', '-p', String(port)], { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString()).slice(-4000);
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const stop = (): Promise<void> =>
    new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
      setTimeout(() => child.kill('SIGKILL'), 3000).unref();
    });
  try {
    await waitUntilUp(endpoint, child, 30_000);
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message}\n${stderr}`, { cause: error });
  }
  return { endpoint, port, stop };
}
