/**
 * Runs the guard script that UserData installed, in a scratch root whose PATH holds stub curl, docker, pgrep and
 * shutdown (each logs its call; STUB_* variables set what it answers), the simulated host's nvidia-smi
 * (local/fake-host: SIM_GPU_LOAD sets the load, which can follow the wall clock like a real bursty GPU; SIM_FAULT
 * its faults), and the real tools the guard uses. Runs are asynchronous, so independent scenarios run side by side:
 * each run of the guard lasts its whole period.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { fakeHostBinDir } from '../../../lib/verify/fake-host.js';
import { BASH, makeScratch } from './sandbox.js';

const REAL = ['bash', 'date', 'sed', 'grep', 'awk', 'mv', 'cat', 'printf', 'timeout', 'stdbuf', 'sleep', 'dirname'];

const STUBS: Record<string, string> = {
  'nvidia-smi': `exec ${JSON.stringify(join(fakeHostBinDir(), 'nvidia-smi'))} "$@"`,
  curl: `[[ -n \${STUB_OLLAMA_DOWN:-} ]] && exit 7; printf '%s' "\${STUB_OLLAMA_PS:-{\\"models\\":[]}}"`,
  docker: `printf '%s\\n' "\${STUB_OLLAMA_LOG:-}"`,
  pgrep: `[[ -n \${STUB_SESSION:-} ]] && { echo 4242; exit 0; }; exit 1`,
  shutdown: 'exit 0',
};

export interface GuardBox {
  root: string;
  stateDir: string;
  callsLog: string;
  path: string;
}

const whichReal = (tool: string): string => {
  const dir = ['/usr/bin', '/bin'].find((d) => existsSync(join(d, tool)));
  if (dir === undefined) throw new Error(`test needs ${tool} on this machine`);
  return join(dir, tool);
};

/** A scratch state directory holding a copy of what UserData wrote there, and stubs on PATH. */
export const makeGuardBox = (): GuardBox => {
  const root = makeScratch('gpu-deploy-guard-');
  const stubs = join(root, 'stubs');
  const tools = join(root, 'tools');
  const stateDir = join(root, 'state');
  const callsLog = join(root, 'calls.log');
  for (const dir of [stubs, tools, stateDir]) mkdirSync(dir, { recursive: true });
  writeFileSync(callsLog, '');
  for (const [name, body] of Object.entries(STUBS)) {
    const file = join(stubs, name);
    writeFileSync(file, `#!/bin/bash\nprintf '%s %s\\n' ${JSON.stringify(name)} "$*" >>${JSON.stringify(callsLog)}\n${body}\n`);
    chmodSync(file, 0o755);
  }
  for (const tool of REAL) symlinkSync(whichReal(tool), join(tools, tool));
  return { root, stateDir, callsLog, path: [stubs, tools].join(delimiter) };
};

export interface GuardRun {
  status: number | null;
  /** What the guard printed: its journal lines. */
  journal: string;
  /** Every stubbed call so far in this box. */
  calls: string[];
  /** How long the run took. */
  ms: number;
}

/**
 * One run of the guard (one judgement of one period), with STUB_* and SIM_* switches. GPU_DEPLOY_GUARD_PERIOD is
 * 1 second unless `env` sets it.
 */
export const runGuard = (guardPath: string, box: GuardBox, env: Record<string, string> = {}): Promise<GuardRun> =>
  new Promise((resolve, reject) => {
    const started = Date.now();
    const child = spawn(BASH, [guardPath], {
      env: { PATH: box.path, LC_ALL: 'C', GPU_DEPLOY_STATE_DIR: box.stateDir, GPU_DEPLOY_GUARD_PERIOD: '1', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let journal = '';
    child.stdout.on('data', (chunk: Buffer) => (journal += chunk.toString('utf8')));
    child.stderr.on('data', (chunk: Buffer) => (journal += chunk.toString('utf8')));
    const killer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('error', reject);
    child.on('close', (status) => {
      clearTimeout(killer);
      const calls = readFileSync(box.callsLog, 'utf8').split('\n').filter(Boolean);
      resolve({ status, journal, calls, ms: Date.now() - started });
    });
  });

/** `n` runs of the guard, one after the other, as the timer runs them. */
export const runGuardTimes = async (guardPath: string, box: GuardBox, n: number, env: Record<string, string> = {}): Promise<GuardRun[]> => {
  const runs: GuardRun[] = [];
  for (let i = 0; i < n; i += 1) runs.push(await runGuard(guardPath, box, env));
  return runs;
};
