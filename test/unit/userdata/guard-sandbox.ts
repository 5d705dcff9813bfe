/**
 * Runs the guard script that UserData installed, in a scratch root whose PATH holds stub nvidia-smi, curl, docker,
 * pgrep and shutdown (each logs its call; STUB_* variables set what it answers) plus the real tools it uses.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { BASH, makeScratch } from './sandbox.js';

const REAL = ['bash', 'date', 'sed', 'grep', 'awk', 'mv', 'cat', 'printf'];

const STUBS: Record<string, string> = {
  // One line per GPU, like --query-gpu=utilization.gpu --format=csv,noheader,nounits.
  'nvidia-smi': `[[ -n \${STUB_NVIDIA_FAIL:-} ]] && exit 9; printf '%s\\n' \${STUB_GPU_UTIL:-0}`,
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
  calls: string[];
}

/** One run of the guard (one sample), with STUB_* switches. */
export const runGuard = (guardPath: string, box: GuardBox, env: Record<string, string> = {}): GuardRun => {
  const result = spawnSync(BASH, [guardPath], {
    encoding: 'utf8',
    env: { PATH: box.path, GPU_DEPLOY_STATE_DIR: box.stateDir, GPU_DEPLOY_GUARD_PERIOD: '1', ...env },
    timeout: 20_000,
  });
  return {
    status: result.status,
    journal: result.stdout + result.stderr,
    calls: readFileSync(box.callsLog, 'utf8').split('\n').filter(Boolean),
  };
};
