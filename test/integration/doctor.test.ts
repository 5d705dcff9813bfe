/**
 * `gpu-deploy doctor` as a user runs it: the built CLI (bin/gpu-deploy.js) in a child process, on a host whose
 * PATH holds the simulated H200 (the fake nvidia-smi set up as the real H200 answered: 143771 MiB, driver
 * 580.159.04, CUDA 13.0) and every tool of this machine except docker, so Docker is absent as on that host.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/local/paths.js';
import { fakeHostBinDir } from '../../lib/verify/fake-host.js';

const root = repoRoot();
let scratch: string;
let path: string;

const H200 = { SIM_GPU_MODEL: 'NVIDIA H200', SIM_GPU_MEMORY_MIB: '143771', SIM_DRIVER_VERSION: '580.159.04', SIM_CUDA_VERSION: '13.0' };

beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-doctor-'));
  const gpu = join(scratch, 'gpu');
  const tools = join(scratch, 'tools');
  mkdirSync(gpu);
  mkdirSync(tools);
  // Only the fake nvidia-smi from the simulated host (not its docker or curl).
  writeFileSync(join(gpu, 'nvidia-smi'), `#!/bin/bash\nexec ${JSON.stringify(join(fakeHostBinDir(), 'nvidia-smi'))} "$@"\n`);
  chmodSync(join(gpu, 'nvidia-smi'), 0o755);
  // Every tool this machine has, but no docker anywhere on PATH.
  for (const dir of ['/usr/local/bin', '/usr/bin', '/bin']) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      if (name.startsWith('docker') || existsSync(join(tools, name))) continue;
      symlinkSync(join(dir, name), join(tools, name));
    }
  }
  path = [gpu, tools].join(':');
});

afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const doctor = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'bin', 'gpu-deploy.js'), 'doctor', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { PATH: path, HOME: scratch, LC_ALL: 'C', ...H200, GPU_DEPLOY_STATUS_FILE: '/dev/null/none' },
  });

describe('gpu-deploy doctor on an H200 host without Docker', () => {
  test('--skip-docker --skip-ollama --json: HEALTHY, exit 0, Docker not checked, the H200 as nvidia-smi described it', () => {
    expect(spawnSync('bash', ['-c', 'command -v docker'], { env: { PATH: path } }).status).toBe(1);
    const run = doctor('--skip-docker', '--skip-ollama', '--json');
    expect(run.status).toBe(0);
    const doc = JSON.parse(run.stdout) as { status: string; report: Record<string, any> };
    expect(doc.status).toBe('HEALTHY');
    expect(doc.report.docker).toEqual({ checked: false, ok: null, defaultRuntime: null, containerGpuCount: null });
    expect(doc.report).toMatchObject({ healthy: true, driverVersion: '580.159.04', cudaVersion: '13.0', failures: [] });
    expect(doc.report.gpus).toEqual([expect.objectContaining({ index: 0, name: 'NVIDIA H200', memoryTotalMiB: 143771 })]);
  });

  test('without --skip-docker: exit 1 with DOCKER_MISSING, and the fix names the flag', () => {
    const run = doctor('--skip-ollama', '--json');
    expect(run.status).toBe(1);
    const doc = JSON.parse(run.stdout) as Record<string, any>;
    expect(doc).toMatchObject({ status: 'UNHEALTHY', error: 'DOCKER_MISSING', codes: ['DOCKER_MISSING'] });
    expect(doc.fix).toContain('gpu-deploy doctor --skip-docker');
  });

  test('as text: the GPU, what was not checked, and one closing line', () => {
    const healthy = doctor('--skip-docker', '--skip-ollama');
    expect(healthy.status).toBe(0);
    expect(healthy.stdout).toBe(
      'GPU 0: NVIDIA H200  1/143771 MiB  0% util\ndriver 580.159.04, CUDA 13.0\ndocker: not checked (--skip-docker)\nollama: not checked (--skip-ollama)\nhealthy\n',
    );
    const broken = doctor('--skip-ollama');
    expect(broken.status).toBe(1);
    expect(broken.stdout.trimEnd().split('\n').slice(-2)).toEqual([
      '✗ DOCKER_MISSING: docker is not installed (not on PATH)',
      expect.stringMatching(/^unhealthy: install Docker and the NVIDIA container toolkit, or run `gpu-deploy doctor --skip-docker`/),
    ]);
  });
});
