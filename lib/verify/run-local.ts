/**
 * Runs health-check.sh in a local child process: `gpu-deploy doctor` on a real host (process.env), and the local
 * SSM stand-in against the simulated host (fakeHostEnv).
 */
import { spawn } from 'node:child_process';
import { VerificationTimeoutError } from '../errors.js';
import { healthCheckScriptPath, validateHealthCheckFlags } from './script.js';

export interface RunHealthCheckOptions {
  /** The whole environment of the script (not merged with process.env). */
  env: Record<string, string | undefined>;
  /** Allowed flags only (`--skip-docker`, `--skip-ollama`). */
  flags?: readonly string[];
  /** Kill the script and its probes after this long (default 10 minutes). */
  timeoutMs?: number;
  /** Script to run; health-check.sh beside this module by default. */
  scriptPath?: string;
}

export interface HealthCheckRun {
  stdout: string;
  stderr: string;
  exitCode: number;
}

const DEFAULT_TIMEOUT_MS = 10 * 60 * 1000;

/** Kills the script's whole process group, so hung probes go with it. */
const killGroup = (pid: number | undefined): void => {
  if (pid === undefined) return;
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // Already gone.
  }
};

/**
 * Spawns `bash health-check.sh ...flags` with `env` (no shell string is built) and collects its output.
 *
 * @throws RequestInvalidError for a flag outside the allow-list.
 * @throws VerificationTimeoutError when the script outlives `timeoutMs`.
 * @example
 * const run = await runHealthCheckLocally({ env: process.env, flags: ['--skip-ollama'] });
 * const report = buildHealthReport(parseHealthCheckOutput(run.stdout));
 */
export function runHealthCheckLocally(options: RunHealthCheckOptions): Promise<HealthCheckRun> {
  const flags = validateHealthCheckFlags(options.flags ?? []);
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const script = options.scriptPath ?? healthCheckScriptPath();
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [script, ...flags], {
      env: options.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
    const timer = setTimeout(() => {
      killGroup(child.pid);
      reject(new VerificationTimeoutError(`The health check did not finish within ${timeoutMs} ms`));
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
        exitCode: code ?? (signal === null ? 1 : 128),
      });
    });
  });
}
