/**
 * The health-check document must fit what GetCommandInvocation returns: the first 24,000 characters of stdout
 * (issue 14, point 6). The real script runs on the simulated host: the biggest realistic one (8 x H100 with MIG,
 * seven 1g.10gb devices each, image pulled on first run) and a host on which every probe floods and fails.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildHealthReport, decodeProbe, parseHealthCheckOutput } from '../../../lib/verify/report.js';
import { fakeHostEnv } from '../../../lib/verify/fake-host.js';
import { runHealthCheckLocally } from '../../../lib/verify/run-local.js';
import { PROBE_NAMES } from '../../../lib/verify/types.js';

/** What SSM's GetCommandInvocation returns of StandardOutputContent. */
const SSM_STDOUT_LIMIT = 24_000;

/** p5.48xlarge with MIG on: 8 H100 80GB, each split into seven 1g.10gb devices; Docker pulls its image first. */
const P5_MIG = { gpuModel: 'NVIDIA H100 80GB HBM3', gpuCount: 8, gpuMemoryMiB: 81559, mig: true, migDevicesPerGpu: 7, migProfile: '1g.10gb', imagePull: true };

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'gpu-deploy-output-limit-'));
});
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('the 8-GPU MIG fixture', () => {
  test('its document stays under 24,000 characters, and what SSM returns of it is the whole, healthy report', async () => {
    // Prepare
    const statusFile = join(workDir, 'status.json');
    writeFileSync(statusFile, '{"stage":"complete","outcome":"succeeded","message":"set-up finished","updatedAt":"2026-12-02T07:00:00Z"}\n');
    // With a workspace mounted too: its probes are part of the document.
    const workspaceDir = join(workDir, 'workspace');
    mkdirSync(workspaceDir, { recursive: true });
    writeFileSync(join(workDir, 'workspace.json'), '{"fileSystemId":"fs-0123456789abcdef0123456789abcdef01234567","transit":"tls","path":"/workspace"}\n');
    // Act
    const run = await runHealthCheckLocally({ env: fakeHostEnv({ ...P5_MIG, statusFile, workspaceDir }), timeoutMs: 60_000 });
    const returned = run.stdout.slice(0, SSM_STDOUT_LIMIT);
    const raw = parseHealthCheckOutput(returned);
    const report = buildHealthReport(raw, { gpuModel: 'H100', gpuCount: 8, workspace: { fileSystemId: 'fs-0123456789abcdef0123456789abcdef01234567' } });
    // Assess
    expect(run.stdout.length).toBeLessThan(SSM_STDOUT_LIMIT);
    expect(report).toMatchObject({ healthy: true, failures: [], cudaVersion: '12.4', docker: { ok: true, containerGpuCount: 8 }, userData: { outcome: 'succeeded' }, workspace: { mounted: true, writable: true } });
    expect(report.gpus).toHaveLength(8);
    expect(report.gpus.map((gpu) => gpu.migDevices.length)).toEqual(Array(8).fill(7));
    expect(report.gpus[7]?.migDevices[6]).toMatchObject({ profile: '1g.10gb' });
  });

  test('the facts are kept whole; the pull progress of a successful docker run is dropped; the plain table is cut', async () => {
    // Act
    const raw = parseHealthCheckOutput((await runHealthCheckLocally({ env: fakeHostEnv(P5_MIG), timeoutMs: 60_000 })).stdout);
    // Assess
    for (const name of ['nvidiaSmiQuery', 'nvidiaSmiList', 'dockerGpuRun', 'ollamaLogs'] as const) {
      expect({ name, truncated: decodeProbe(raw, name)?.truncated }).toEqual({ name, truncated: false });
    }
    const run = decodeProbe(raw, 'dockerGpuRun');
    expect(run?.stderr).toBe('');
    // The container's list keeps its GPU lines only (the host's -L keeps the MIG devices).
    expect(run?.stdout.trim().split('\n')).toHaveLength(8);
    expect(decodeProbe(raw, 'nvidiaSmiList')?.stdout).toContain('MIG 1g.10gb');
    expect(decodeProbe(raw, 'nvidiaSmiPlain')).toMatchObject({ truncated: true });
  });
});

describe('every probe floods and fails', () => {
  /** A tool that prints 100 KB on stdout and on stderr, then exits 3. */
  function floodingTools(): string {
    const bin = join(workDir, 'flood-bin');
    mkdirSync(bin, { recursive: true });
    const body = '#!/usr/bin/env bash\nhead -c 102400 /dev/zero | tr "\\\\0" "x"\nhead -c 102400 /dev/zero | tr "\\\\0" "y" >&2\nexit 3\n';
    for (const tool of ['nvidia-smi', 'docker', 'curl', 'findmnt']) {
      writeFileSync(join(bin, tool), body);
      chmodSync(join(bin, tool), 0o755);
    }
    return bin;
  }

  test('the document still fits, is valid JSON, and keeps each failure\'s words', async () => {
    // Prepare: flooding tools, a 100 KB status file and config strings far too long (with quotes to escape).
    const statusFile = join(workDir, 'huge-status.json');
    writeFileSync(statusFile, `{"stage":"${'z'.repeat(102_400)}"}`);
    const env = {
      ...fakeHostEnv({ statusFile }),
      PATH: `${floodingTools()}:${process.env.PATH ?? '/usr/bin:/bin'}`,
      GPU_DEPLOY_CUDA_TEST_IMAGE: `img"${'\\'.repeat(5000)}`,
      GPU_DEPLOY_OLLAMA_CONTAINER: '"'.repeat(5000),
    };
    // Act
    const run = await runHealthCheckLocally({ env, timeoutMs: 60_000 });
    const raw = parseHealthCheckOutput(run.stdout);
    // Assess
    expect(run.stdout.length).toBeLessThan(SSM_STDOUT_LIMIT);
    expect(Object.keys(raw.probes).sort()).toEqual([...PROBE_NAMES].sort());
    const query = decodeProbe(raw, 'nvidiaSmiQuery');
    expect(query).toMatchObject({ exitCode: 3, truncated: true });
    expect(query?.stdout.startsWith('xxxx')).toBe(true);
    expect(query?.stderr.startsWith('yyyy')).toBe(true);
    expect(decodeProbe(raw, 'userDataStatus')?.stdout.startsWith('{"stage":"zzz')).toBe(true);
    expect(buildHealthReport(raw).healthy).toBe(false);
  });
});
