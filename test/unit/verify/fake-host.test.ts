import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RequestInvalidError, VerificationTimeoutError } from '../../../lib/errors.js';
import { fakeHostBinDir, fakeHostEnv, findRepoRoot, SIM_FAULTS, type FakeHostProfile, type SimFault } from '../../../lib/verify/fake-host.js';
import { buildHealthReport, decodeProbe, parseHealthCheckOutput } from '../../../lib/verify/report.js';
import { runHealthCheckLocally } from '../../../lib/verify/run-local.js';
import type { FailureCode, GpuExpectation, HealthReport } from '../../../lib/verify/types.js';

const G5_XLARGE: GpuExpectation = { gpuModel: 'A10G', gpuCount: 1 };

const checkHost = async (
  profile: FakeHostProfile,
  flags: string[] = [],
  expected: GpuExpectation = G5_XLARGE,
): Promise<HealthReport> => {
  const run = await runHealthCheckLocally({ env: fakeHostEnv(profile), flags, timeoutMs: 60_000 });
  expect(run.exitCode).toBe(0);
  return buildHealthReport(parseHealthCheckOutput(run.stdout), expected);
};

let workDir: string;
beforeAll(() => {
  workDir = mkdtempSync(join(tmpdir(), 'gpu-deploy-fake-host-'));
});
afterAll(() => {
  rmSync(workDir, { recursive: true, force: true });
});

describe('fakeHostEnv', () => {
  test('puts the fake tools first on PATH and sets the simulation', () => {
    // Act
    const env = fakeHostEnv({
      gpuModel: 'NVIDIA H100 80GB HBM3',
      gpuCount: 8,
      gpuMemoryMiB: 81559,
      driverVersion: '560.35.03',
      cudaVersion: '12.6',
      mig: true,
      fault: 'ollama-cpu',
      probeTimeoutSeconds: 3,
    });

    // Assess
    expect(env.PATH?.split(':')[0]).toBe(join(findRepoRoot(), 'local', 'fake-host', 'bin'));
    expect(env).toMatchObject({
      SIM_GPU_MODEL: 'NVIDIA H100 80GB HBM3',
      SIM_GPU_COUNT: '8',
      SIM_GPU_MEMORY_MIB: '81559',
      SIM_DRIVER_VERSION: '560.35.03',
      SIM_CUDA_VERSION: '12.6',
      SIM_MIG: '1',
      SIM_FAULT: 'ollama-cpu',
      GPU_DEPLOY_PROBE_TIMEOUT: '3',
      GPU_DEPLOY_DOCKER_RUN_TIMEOUT: '3',
    });
  });

  test('defaults to a healthy host with no status file', () => {
    // Act
    const env = fakeHostEnv();

    // Assess
    expect(env).toMatchObject({ SIM_FAULT: 'none', SIM_MIG: '0', GPU_DEPLOY_STATUS_FILE: '/dev/null/gpu-deploy-status.json' });
    expect(env.SIM_GPU_COUNT).toBeUndefined();
  });

  test('findRepoRoot fails clearly outside a project', () => {
    expect(() => findRepoRoot('/')).toThrow(/No package.json above \//);
  });
});

describe('the real health check on the simulated host', () => {
  test('a healthy g5.xlarge passes with every fact filled in', async () => {
    // Act
    const report = await checkHost({ fault: 'none' });

    // Assess
    expect(report).toMatchObject({
      healthy: true,
      driverVersion: '550.127.05',
      cudaVersion: '12.4',
      docker: { checked: true, ok: true, defaultRuntime: 'nvidia', containerGpuCount: 1 },
      ollama: { checked: true, ok: true, gpuDetected: true },
      userData: null,
      failures: [],
    });
    expect(report.gpus[0]).toMatchObject({ name: 'NVIDIA A10G', memoryTotalMiB: 23028, persistenceMode: 'Enabled', migMode: null });
  });

  test('eight MIG-enabled A100 stay eight physical GPUs with their devices', async () => {
    // Act
    const report = await checkHost({ gpuModel: 'NVIDIA A100-SXM4-40GB', gpuCount: 8, gpuMemoryMiB: 40960, mig: true }, [], {
      gpuModel: 'A100',
      gpuCount: 8,
    });

    // Assess
    expect(report.healthy).toBe(true);
    expect(report.gpus).toHaveLength(8);
    expect(report.gpus.every((gpu) => gpu.migMode === 'Enabled' && gpu.migDevices.length === 2)).toBe(true);
    expect(report.docker.containerGpuCount).toBe(8);
  });

  test('eight H100 keep the document far under the SSM output limit', async () => {
    // Act
    const run = await runHealthCheckLocally({ env: fakeHostEnv({ gpuModel: 'NVIDIA H100 80GB HBM3', gpuCount: 8, gpuMemoryMiB: 81559 }) });

    // Assess
    expect(run.stdout.length).toBeLessThan(24_000);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(buildHealthReport(parseHealthCheckOutput(run.stdout), { gpuModel: 'H100', gpuCount: 8 }).healthy).toBe(true);
  });

  test('a capture over its cap (the plain table: 2048 bytes) is cut and flagged, and the JSON stays valid', async () => {
    // Act: 64 GPUs make nvidia-smi's table far longer than the capture limit.
    const run = await runHealthCheckLocally({ env: fakeHostEnv({ gpuCount: 64 }), flags: ['--skip-docker', '--skip-ollama'] });
    const raw = parseHealthCheckOutput(run.stdout);

    // Assess
    const plain = decodeProbe(raw, 'nvidiaSmiPlain');
    expect(plain?.truncated).toBe(true);
    expect(Buffer.byteLength(plain?.stdout ?? '')).toBe(2048);
    expect(plain?.stdout).toContain('CUDA Version: 12.4');
    expect(decodeProbe(raw, 'nvidiaSmiPresence')?.truncated).toBe(false);
  });

  test('a g5.xlarge that turns out to hold a T4 is GPU_MISMATCH', async () => {
    // Act
    const report = await checkHost({ gpuModel: 'Tesla T4', gpuMemoryMiB: 15360 });

    // Assess
    expect(report.failures.map((failure) => failure.code)).toEqual(['GPU_MISMATCH']);
  });

  const FAULT_CODES: [SimFault, FailureCode][] = [
    ['no-driver', 'DRIVER_NOT_LOADED'],
    ['no-devices', 'NO_DEVICES'],
    ['driver-mismatch', 'DRIVER_LIBRARY_MISMATCH'],
    ['nvml-error', 'NVML_ERROR'],
    ['smi-timeout', 'NVIDIA_SMI_TIMEOUT'],
    ['docker-missing', 'DOCKER_MISSING'],
    ['docker-runtime-runc', 'DOCKER_RUNTIME_NOT_NVIDIA'],
    ['docker-no-gpu', 'DOCKER_GPU_UNAVAILABLE'],
    ['ollama-down', 'OLLAMA_UNREACHABLE'],
    ['ollama-cpu', 'OLLAMA_ON_CPU'],
  ];

  test('every fault but userdata-failed (which needs a status file) has a case here', () => {
    expect([...FAULT_CODES.map(([fault]) => fault), 'none', 'userdata-failed'].sort()).toEqual([...SIM_FAULTS].sort());
  });

  test.each(FAULT_CODES)('fault %s is reported first as %s', async (fault, code) => {
    // Act
    const report = await checkHost({ fault, probeTimeoutSeconds: 1 });

    // Assess
    expect(report.healthy).toBe(false);
    expect(report.failures[0]?.code).toBe(code);
  });

  test('a GPU the driver cannot reach also leaves containers and Ollama without it', async () => {
    // Act
    const report = await checkHost({ fault: 'no-driver' });

    // Assess
    expect(report.failures.map((failure) => failure.code)).toEqual(['DRIVER_NOT_LOADED', 'DOCKER_GPU_UNAVAILABLE', 'OLLAMA_ON_CPU']);
  });

  test('userdata-failed with a status file is USERDATA_STAGE_FAILED naming the stage', async () => {
    // Prepare
    const statusFile = join(workDir, 'status.json');
    writeFileSync(statusFile, '{"stage":"docker","outcome":"failed","message":"nvidia-ctk exited 1","updatedAt":"2025-01-14T09:20:00Z"}\n');

    // Act
    const report = await checkHost({ fault: 'userdata-failed', statusFile });

    // Assess
    expect(report.failures).toEqual([
      { code: 'USERDATA_STAGE_FAILED', check: 'userdata', message: 'instance set-up stage "docker" failed: nvidia-ctk exited 1' },
    ]);
    expect(report.userData?.stage).toBe('docker');
  });

  test('a host with no nvidia-smi at all is NVIDIA_SMI_MISSING', async () => {
    // Prepare: a bin dir with only docker and curl, then the system's tools (which have no nvidia-smi).
    const binDir = join(workDir, 'bin-no-nvidia');
    const fakeBin = fakeHostBinDir();
    mkdirSync(binDir);
    symlinkSync(join(fakeBin, 'docker'), join(binDir, 'docker'));
    symlinkSync(join(fakeBin, 'curl'), join(binDir, 'curl'));
    const env = { ...fakeHostEnv(), PATH: `${binDir}:/usr/local/bin:/usr/bin:/bin` };

    // Act
    const run = await runHealthCheckLocally({ env });
    const raw = parseHealthCheckOutput(run.stdout);
    const report = buildHealthReport(raw, G5_XLARGE);

    // Assess
    expect(report.failures[0]?.code).toBe('NVIDIA_SMI_MISSING');
    expect(raw.probes.nvidiaSmiQuery).toEqual({ ran: false, skipped: 'nvidia-smi is not on PATH' });
  });

  test('--skip-docker and --skip-ollama skip their probes without failures', async () => {
    // Act
    const run = await runHealthCheckLocally({ env: fakeHostEnv({ fault: 'ollama-down' }), flags: ['--skip-docker', '--skip-ollama'] });
    const raw = parseHealthCheckOutput(run.stdout);
    const report = buildHealthReport(raw, G5_XLARGE);

    // Assess: no Docker probe ran at all, not even docker's presence or `docker info`
    for (const probe of ['dockerPresence', 'dockerInfo', 'dockerGpuRun'] as const) expect(raw.probes[probe]).toEqual({ ran: false, skipped: '--skip-docker' });
    expect(raw.probes.ollamaPs).toEqual({ ran: false, skipped: '--skip-ollama' });
    expect(report.healthy).toBe(true);
    expect(report.docker).toEqual({ checked: false, ok: null, defaultRuntime: null, containerGpuCount: null });
    expect(report.ollama.checked).toBe(false);
  });

  test('a host without Docker: unhealthy (DOCKER_MISSING) unless --skip-docker, which lets the GPU alone decide', async () => {
    const [full, skipped] = await Promise.all([
      runHealthCheckLocally({ env: fakeHostEnv({ fault: 'docker-missing' }), flags: ['--skip-ollama'] }),
      runHealthCheckLocally({ env: fakeHostEnv({ fault: 'docker-missing' }), flags: ['--skip-docker', '--skip-ollama'] }),
    ]);
    expect(buildHealthReport(parseHealthCheckOutput(full.stdout)).failures.map((f) => f.code)).toEqual(['DOCKER_MISSING']);
    expect(buildHealthReport(parseHealthCheckOutput(skipped.stdout)).healthy).toBe(true);
  });

  test('--skip-docker alone still asks Ollama\'s API but not its container logs (they come through docker)', async () => {
    const run = await runHealthCheckLocally({ env: fakeHostEnv(), flags: ['--skip-docker'] });
    const raw = parseHealthCheckOutput(run.stdout);
    expect(raw.probes.ollamaLogs).toEqual({ ran: false, skipped: '--skip-docker' });
    expect(raw.probes.ollamaPs).toMatchObject({ ran: true, exitCode: 0 });
    expect(buildHealthReport(raw).healthy).toBe(true);
  });
});

describe('health-check.sh arguments and environment', () => {
  test('--help prints usage and exits 0; an unknown argument exits 2 with nothing on stdout', () => {
    // Prepare
    const script = join(findRepoRoot(), 'lib', 'verify', 'health-check.sh');

    // Act
    const help = spawnSync('bash', [script, '--help'], { encoding: 'utf8' });
    const wrong = spawnSync('bash', [script, '--bogus'], { encoding: 'utf8' });

    // Assess
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: health-check.sh/);
    expect(wrong.status).toBe(2);
    expect(wrong.stdout).toBe('');
    expect(wrong.stderr).toMatch(/unknown argument: --bogus/);
  });

  test('settings come from the environment; bad timeouts fall back to defaults', async () => {
    // Prepare
    const env = {
      ...fakeHostEnv(),
      GPU_DEPLOY_PROBE_TIMEOUT: 'soon',
      GPU_DEPLOY_CUDA_TEST_IMAGE: 'nvidia/cuda:12.6.3-base-ubuntu24.04',
      GPU_DEPLOY_OLLAMA_CONTAINER: 'llm "server"',
    };

    // Act
    const raw = parseHealthCheckOutput((await runHealthCheckLocally({ env })).stdout);

    // Assess
    expect(raw.config).toMatchObject({
      probeTimeoutSeconds: 20,
      dockerRunTimeoutSeconds: 120,
      cudaTestImage: 'nvidia/cuda:12.6.3-base-ubuntu24.04',
      ollamaContainer: 'llm "server"',
    });
    expect(decodeProbe(raw, 'ollamaLogs')).toMatchObject({ exitCode: 1, stdout: '', stderr: 'Error response from daemon: No such container: llm "server"\n' });
  });
});

describe('runHealthCheckLocally', () => {
  test('rejects a flag outside the allow-list before running anything', () => {
    expect(() => runHealthCheckLocally({ env: fakeHostEnv(), flags: ['--skip-docker; reboot'] })).toThrow(RequestInvalidError);
  });

  test('kills a script that outlives its timeout', async () => {
    // Prepare
    const slow = join(workDir, 'slow.sh');
    writeFileSync(slow, 'sleep 30\n');

    // Act
    const started = Date.now();
    const outcome = runHealthCheckLocally({ env: fakeHostEnv(), scriptPath: slow, timeoutMs: 300 });

    // Assess
    await expect(outcome).rejects.toThrow(VerificationTimeoutError);
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  test('reports the exit status of a script that fails', async () => {
    // Act
    const run = await runHealthCheckLocally({ env: fakeHostEnv(), scriptPath: join(workDir, 'absent.sh') });

    // Assess
    expect(run.exitCode).toBe(127);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/No such file or directory/);
  });

  test('rejects when bash cannot be started', async () => {
    await expect(runHealthCheckLocally({ env: { PATH: join(workDir, 'empty') } })).rejects.toThrow(/ENOENT/);
  });
});
