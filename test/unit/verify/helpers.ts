/** Shared helpers for the verify tests: fixtures and hand-built health-check documents. */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ProbeName, RawHealthCheck, RawProbe } from '../../../lib/verify/types.js';

export const FIXTURES_DIR = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');

export const fixture = (name: string): string => readFileSync(join(FIXTURES_DIR, name), 'utf8');

/** A probe as text; encoded to the script's base64 form by {@link makeRaw}. */
export interface ProbeText {
  exitCode?: number;
  stdout?: string;
  stderr?: string;
  truncated?: boolean;
}

export type ProbeSpec = ProbeText | { skipped: string };

const encode = (spec: ProbeSpec): RawProbe => {
  if ('skipped' in spec) return { ran: false, skipped: spec.skipped };
  return {
    ran: true,
    exitCode: spec.exitCode ?? 0,
    stdoutB64: Buffer.from(spec.stdout ?? '').toString('base64'),
    stderrB64: Buffer.from(spec.stderr ?? '').toString('base64'),
    truncated: spec.truncated ?? false,
  };
};

/** A healthy one-A10G host with Docker and Ollama on the GPU; override probes per test. */
export const HEALTHY_A10G: Record<ProbeName, ProbeSpec> = {
  nvidiaSmiPresence: { stdout: '/usr/bin/nvidia-smi\n' },
  nvidiaSmiQuery: {
    stdout: '0, NVIDIA A10G, GPU-8a4f1c2e-5b6d-7e8f-9a0b-1c2d3e4f5a60, 23028, 1, 0, 27, 15.79, Enabled, [N/A], 550.127.05\n',
  },
  nvidiaSmiPlain: { stdout: fixture('plain-a10g.txt') },
  nvidiaSmiList: { stdout: 'GPU 0: NVIDIA A10G (UUID: GPU-8a4f1c2e-5b6d-7e8f-9a0b-1c2d3e4f5a60)\n' },
  dockerPresence: { stdout: '/usr/bin/docker\n' },
  dockerInfo: { stdout: 'nvidia\n' },
  dockerGpuRun: { stdout: 'GPU 0: NVIDIA A10G (UUID: GPU-8a4f1c2e-5b6d-7e8f-9a0b-1c2d3e4f5a60)\n' },
  ollamaVersion: { stdout: '{"version":"0.5.7"}\n' },
  ollamaPs: { stdout: fixture('ollama-ps-gpu.json') },
  ollamaLogs: { stdout: fixture('ollama-logs-cuda.txt') },
  userDataStatus: { exitCode: 1, stderr: 'cat: /var/lib/gpu-deploy/status.json: No such file or directory\n' },
  workspaceSetup: { exitCode: 1, stderr: 'cat: /var/lib/gpu-deploy/workspace.json: No such file or directory\n' },
  workspaceMount: { exitCode: 1 },
  workspaceWrite: { skipped: 'nothing is mounted at the workspace path' },
};

/** A health-check document built from probe texts (HEALTHY_A10G unless overridden). */
export const makeRaw = (overrides: Partial<Record<ProbeName, ProbeSpec>> = {}): RawHealthCheck => {
  const specs = { ...HEALTHY_A10G, ...overrides };
  const probes: RawHealthCheck['probes'] = {};
  for (const [name, spec] of Object.entries(specs) as [ProbeName, ProbeSpec][]) probes[name] = encode(spec);
  return { schemaVersion: 1, tool: 'gpu-deploy-health-check', checkedAt: '2025-01-14T09:31:07Z', hostname: 'ip-10-0-1-23', probes };
};
