import { GpuDeployError, GpuVerificationFailedError } from '../../../lib/errors.js';
import {
  buildHealthReport,
  decodeProbe,
  parseHealthCheckOutput,
  summarizeFailures,
} from '../../../lib/verify/report.js';
import type { FailureCode } from '../../../lib/verify/types.js';
import { fixture, makeRaw } from './helpers.js';

const codesOf = (report: { failures: { code: FailureCode }[] }): FailureCode[] => report.failures.map((f) => f.code);

describe('parseHealthCheckOutput', () => {
  test('round-trips a document and decodes its probes', () => {
    // Prepare
    const text = JSON.stringify({ ...makeRaw(), config: { probeTimeoutSeconds: 20 } });

    // Act
    const raw = parseHealthCheckOutput(`${text}\n`);

    // Assess
    expect(raw.hostname).toBe('ip-10-0-1-23');
    expect(raw.config).toEqual({ probeTimeoutSeconds: 20 });
    expect(decodeProbe(raw, 'dockerInfo')).toEqual({ exitCode: 0, stdout: 'nvidia\n', stderr: '', truncated: false });
  });

  test('keeps skipped probes and drops unknown ones', () => {
    // Prepare
    const doc = makeRaw({ dockerGpuRun: { skipped: '--skip-docker' } });
    const text = JSON.stringify({ ...doc, probes: { ...doc.probes, futureProbe: { ran: true } } });

    // Act
    const raw = parseHealthCheckOutput(text);

    // Assess
    expect(raw.probes.dockerGpuRun).toEqual({ ran: false, skipped: '--skip-docker' });
    expect(decodeProbe(raw, 'dockerGpuRun')).toBeNull();
    expect(Object.keys(raw.probes)).not.toContain('futureProbe');
  });

  test('finds the document after a stray line of shell noise', () => {
    // Act
    const raw = parseHealthCheckOutput(`bash: warning: setlocale: LC_ALL: cannot change locale\n${JSON.stringify(makeRaw())}`);

    // Assess
    expect(raw.schemaVersion).toBe(1);
  });

  test.each([
    ['empty output', ''],
    ['plain text', 'Segmentation fault'],
    ['a cut document', JSON.stringify(makeRaw()).slice(0, 500)],
    ['a cut document after noise', `noise ${JSON.stringify(makeRaw()).slice(0, 500)}}`],
    ['a JSON array', '[1,2]'],
    ['another tool', JSON.stringify({ ...makeRaw(), tool: 'other' })],
    ['another schema version', JSON.stringify({ ...makeRaw(), schemaVersion: 2 })],
    ['no probes', JSON.stringify({ ...makeRaw(), probes: null })],
    ['a probe that is not an object', JSON.stringify({ ...makeRaw(), probes: { nvidiaSmiQuery: 3 } })],
    ['a probe without exitCode', JSON.stringify({ ...makeRaw(), probes: { nvidiaSmiQuery: { ran: true, stdoutB64: '', stderrB64: '' } } })],
  ])('rejects %s with GpuVerificationFailedError', (_label, text) => {
    // Act
    const act = (): unknown => parseHealthCheckOutput(text);

    // Assess
    expect(act).toThrow(GpuVerificationFailedError);
    expect(act).toThrow(/not the gpu-deploy health-check JSON/);
  });

  test('the error names itself and carries the start of the output', () => {
    // Act
    let caught: unknown;
    try {
      parseHealthCheckOutput('garbage');
    } catch (error) {
      caught = error;
    }

    // Assess
    expect(caught).toBeInstanceOf(GpuDeployError);
    expect((caught as GpuDeployError).name).toBe('GpuVerificationFailedError');
    expect((caught as GpuDeployError).details).toMatchObject({ outputStart: 'garbage' });
  });

  test('defaults missing hostname and checkedAt, and a skipped probe without a reason', () => {
    // Act
    const raw = parseHealthCheckOutput(
      JSON.stringify({ schemaVersion: 1, tool: 'gpu-deploy-health-check', probes: { dockerGpuRun: { ran: false } } }),
    );

    // Assess
    expect(raw).toEqual({
      schemaVersion: 1,
      tool: 'gpu-deploy-health-check',
      checkedAt: '',
      hostname: '',
      probes: { dockerGpuRun: { ran: false, skipped: 'skipped' } },
    });
  });
});

describe('buildHealthReport on a healthy host', () => {
  test('a g5.xlarge with one A10G is healthy', () => {
    // Act
    const report = buildHealthReport(makeRaw(), { gpuModel: 'A10G', gpuCount: 1 });

    // Assess
    expect(report).toMatchObject({
      healthy: true,
      hostname: 'ip-10-0-1-23',
      checkedAt: '2025-01-14T09:31:07Z',
      driverVersion: '550.127.05',
      cudaVersion: '12.4',
      docker: { checked: true, ok: true, defaultRuntime: 'nvidia', containerGpuCount: 1 },
      ollama: { checked: true, ok: true, gpuDetected: true },
      userData: null,
      failures: [],
      utilization: { gpuPercentAvg: 0, memoryUsedMiB: 1, memoryTotalMiB: 23028 },
    });
    expect(summarizeFailures(report)).toBe('healthy: 1 x NVIDIA A10G, driver 550.127.05, CUDA 12.4');
  });

  test('joins MIG devices to their GPUs and counts physical GPUs', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiQuery: { stdout: fixture('csv-a100-8gpu-mig.txt') },
      nvidiaSmiList: { stdout: fixture('list-a100-mig.txt') },
      dockerGpuRun: { stdout: fixture('list-a100-mig.txt') },
    });

    // Act
    const report = buildHealthReport(raw, { gpuModel: 'A100', gpuCount: 8 });

    // Assess
    expect(report.healthy).toBe(true);
    expect(report.gpus).toHaveLength(8);
    expect(report.gpus[0]?.migDevices.map((device) => device.profile)).toEqual(['3g.20gb', '2g.10gb', '1g.5gb']);
    expect(report.docker.containerGpuCount).toBe(8);
    expect(report.utilization).toEqual({ gpuPercentAvg: 0, memoryUsedMiB: 22, memoryTotalMiB: 327680 });
  });

  test('averages utilization over GPUs that report it', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiQuery: { stdout: fixture('csv-a10g-4gpu.txt') },
      nvidiaSmiList: { stdout: '' },
      dockerGpuRun: { stdout: 'GPU 0: a (UUID: GPU-a)\nGPU 1: b (UUID: GPU-b)\nGPU 2: c (UUID: GPU-c)\nGPU 3: d (UUID: GPU-d)\n' },
    });

    // Act
    const report = buildHealthReport(raw, { gpuModel: 'a10g', gpuCount: 4 });

    // Assess
    expect(report.healthy).toBe(true);
    expect(report.utilization).toEqual({ gpuPercentAvg: 25, memoryUsedMiB: 4125, memoryTotalMiB: 92112 });
  });

  test('skipped probes are not failures', () => {
    // Prepare
    const raw = makeRaw({
      dockerGpuRun: { skipped: '--skip-docker' },
      ollamaVersion: { skipped: '--skip-ollama' },
      ollamaPs: { skipped: '--skip-ollama' },
      ollamaLogs: { skipped: '--skip-ollama' },
    });

    // Act
    const report = buildHealthReport(raw);

    // Assess
    expect(report.healthy).toBe(true);
    expect(report.docker).toEqual({ checked: true, ok: true, defaultRuntime: 'nvidia', containerGpuCount: null });
    expect(report.ollama).toEqual({ checked: false, ok: null, gpuDetected: null, evidence: null });
  });

  test('docker skipped entirely is not checked', () => {
    // Prepare
    const raw = makeRaw({
      dockerPresence: { skipped: 'not asked' },
      dockerInfo: { skipped: 'not asked' },
      dockerGpuRun: { skipped: 'not asked' },
    });

    // Act
    const report = buildHealthReport(raw);

    // Assess
    expect(report.docker).toEqual({ checked: false, ok: null, defaultRuntime: null, containerGpuCount: null });
    expect(report.healthy).toBe(true);
  });

  test('falls back to the table header for the driver and to -L for GPUs when the query gave no rows', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiQuery: { skipped: 'not run' },
      nvidiaSmiList: { stdout: fixture('list-a100-mig-legacy.txt') },
      dockerGpuRun: { stdout: fixture('list-a100-mig-legacy.txt') },
    });

    // Act
    const report = buildHealthReport(raw);

    // Assess
    expect(report.driverVersion).toBe('550.127.05');
    expect(report.gpus).toHaveLength(1);
    expect(report.gpus[0]).toMatchObject({ name: 'A100-SXM4-40GB', migMode: 'Enabled', memoryTotalMiB: null });
    expect(report.utilization).toEqual({ gpuPercentAvg: null, memoryUsedMiB: null, memoryTotalMiB: null });
  });
});

describe('buildHealthReport: nvidia failures', () => {
  test.each<[string, number, FailureCode]>([
    ['error-driver-not-loaded.exit9.txt', 9, 'DRIVER_NOT_LOADED'],
    ['error-no-devices.exit6.txt', 6, 'NO_DEVICES'],
    ['error-driver-mismatch.exit18.txt', 18, 'DRIVER_LIBRARY_MISMATCH'],
    ['error-nvml-unknown.exit255.txt', 255, 'NVML_ERROR'],
  ])('%s gives %s with its own words', (file, exitCode, code) => {
    // Prepare
    const text = fixture(file);
    const raw = makeRaw({ nvidiaSmiQuery: { exitCode, stdout: text }, nvidiaSmiList: { exitCode, stdout: text } });

    // Act
    const report = buildHealthReport(raw);

    // Assess
    expect(report.healthy).toBe(false);
    expect(report.failures[0]).toEqual({ code, check: 'nvidia', message: text.trim().replace(/\s+/g, ' ') });
    expect(report.gpus).toEqual([]);
  });

  test('nvidia-smi not on PATH is NVIDIA_SMI_MISSING', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiPresence: { exitCode: 1 },
      nvidiaSmiQuery: { skipped: 'nvidia-smi is not on PATH' },
      nvidiaSmiPlain: { skipped: 'nvidia-smi is not on PATH' },
      nvidiaSmiList: { skipped: 'nvidia-smi is not on PATH' },
    });

    // Act
    const report = buildHealthReport(raw, { gpuModel: 'A10G', gpuCount: 1 });

    // Assess
    expect(codesOf(report)).toEqual(['NVIDIA_SMI_MISSING']);
    expect(report.failures[0]?.message).toMatch(/not on PATH/);
    expect(report.driverVersion).toBeNull();
    expect(report.cudaVersion).toBeNull();
  });

  test('a timeout is NVIDIA_SMI_TIMEOUT', () => {
    // Act
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 124 } }));

    // Assess
    expect(report.failures[0]).toMatchObject({ code: 'NVIDIA_SMI_TIMEOUT', message: expect.stringMatching(/timeout/) });
  });

  test('a silent failure is described from the documented exit code', () => {
    // Act
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 15 } }));

    // Assess
    expect(report.failures[0]).toEqual({
      code: 'NVML_ERROR',
      check: 'nvidia',
      message: 'nvidia-smi exited 15: the GPU has fallen off the bus or has otherwise become inaccessible',
    });
  });

  test('an undocumented silent exit still gets a message', () => {
    expect(buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 77 } })).failures[0]?.message).toBe(
      'nvidia-smi exited 77: unknown error',
    );
  });

  test('exit 0 with no rows is NO_DEVICES', () => {
    // Act
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { stdout: '' }, nvidiaSmiList: { stdout: '' } }));

    // Assess
    expect(report.failures[0]).toEqual({ code: 'NO_DEVICES', check: 'nvidia', message: 'nvidia-smi listed no GPUs' });
  });

  test('long messages are cut to one short line', () => {
    // Act
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 255, stderr: `Failed to initialize NVML: ${'x'.repeat(1000)}` } }));

    // Assess
    expect(report.failures[0]?.message.length).toBe(300);
    expect(report.failures[0]?.message.endsWith('...')).toBe(true);
  });
});

describe('buildHealthReport: expectation', () => {
  test('g5.xlarge must be one A10G: a T4 is GPU_MISMATCH', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiQuery: { stdout: fixture('csv-t4-1gpu.txt') },
      nvidiaSmiList: { stdout: fixture('list-t4-1gpu.txt') },
    });

    // Act
    const report = buildHealthReport(raw, { gpuModel: 'A10G', gpuCount: 1 });

    // Assess
    expect(report.failures).toEqual([
      { code: 'GPU_MISMATCH', check: 'expectation', message: 'expected 1 x A10G, found 1 x Tesla T4' },
    ]);
  });

  test('the right model in the wrong count is GPU_MISMATCH', () => {
    // Act
    const report = buildHealthReport(makeRaw(), { gpuModel: 'A10G', gpuCount: 4 });

    // Assess
    expect(codesOf(report)).toEqual(['GPU_MISMATCH']);
    expect(report.failures[0]?.message).toBe('expected 4 x A10G, found 1 x NVIDIA A10G');
  });

  test('is not judged when nvidia-smi failed (that failure says it all)', () => {
    // Act
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 9 }, nvidiaSmiList: { exitCode: 9 } }), {
      gpuModel: 'A10G',
      gpuCount: 1,
    });

    // Assess
    expect(codesOf(report)).toEqual(['DRIVER_NOT_LOADED']);
  });
});

describe('buildHealthReport: docker', () => {
  test('docker not on PATH is DOCKER_MISSING', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({ dockerPresence: { exitCode: 1 }, dockerInfo: { skipped: 'docker is not on PATH' }, dockerGpuRun: { skipped: 'docker is not on PATH' } }),
    );

    // Assess
    expect(codesOf(report)).toEqual(['DOCKER_MISSING']);
    expect(report.docker).toEqual({ checked: true, ok: false, defaultRuntime: null, containerGpuCount: null });
  });

  test('docker that exits 127 is DOCKER_MISSING', () => {
    expect(codesOf(buildHealthReport(makeRaw({ dockerInfo: { exitCode: 127, stderr: 'docker: command not found' } })))).toEqual([
      'DOCKER_MISSING',
    ]);
  });

  test('runc as default runtime is DOCKER_RUNTIME_NOT_NVIDIA', () => {
    // Act
    const report = buildHealthReport(makeRaw({ dockerInfo: { stdout: 'runc\n' } }));

    // Assess
    expect(codesOf(report)).toEqual(['DOCKER_RUNTIME_NOT_NVIDIA']);
    expect(report.docker.defaultRuntime).toBe('runc');
    expect(report.failures[0]?.message).toMatch(/"runc", not "nvidia"/);
  });

  test('an empty runtime answer is DOCKER_RUNTIME_NOT_NVIDIA', () => {
    expect(buildHealthReport(makeRaw({ dockerInfo: { stdout: '\n' } })).failures[0]?.message).toMatch(/runtime is "", not/);
  });

  test('a daemon that does not answer makes the GPU unavailable to containers', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({
        dockerInfo: { exitCode: 1, stderr: 'Cannot connect to the Docker daemon at unix:///var/run/docker.sock.' },
        dockerGpuRun: { exitCode: 125, stderr: 'docker: Cannot connect to the Docker daemon' },
      }),
    );

    // Assess
    expect(codesOf(report)).toEqual(['DOCKER_GPU_UNAVAILABLE', 'DOCKER_GPU_UNAVAILABLE']);
    expect(report.failures[0]?.message).toMatch(/docker info failed \(exit 1\): Cannot connect/);
  });

  test('a failed --gpus all run is DOCKER_GPU_UNAVAILABLE', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({ dockerGpuRun: { exitCode: 125, stderr: 'docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].' } }),
    );

    // Assess
    expect(report.failures).toEqual([
      {
        code: 'DOCKER_GPU_UNAVAILABLE',
        check: 'docker',
        message: 'docker run --gpus all failed (exit 125): docker: Error response from daemon: could not select device driver "" with capabilities: [[gpu]].',
      },
    ]);
  });

  test('a container that sees fewer GPUs than the host is DOCKER_GPU_UNAVAILABLE', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({
        nvidiaSmiQuery: { stdout: fixture('csv-a10g-4gpu.txt') },
        dockerGpuRun: { stdout: 'GPU 0: NVIDIA A10G (UUID: GPU-x)\n' },
      }),
    );

    // Assess
    expect(report.failures[0]?.message).toBe('a --gpus all container saw 1 GPU(s); the host has 4');
    expect(report.docker.containerGpuCount).toBe(1);
  });

  test('a container run that timed out says so', () => {
    expect(buildHealthReport(makeRaw({ dockerGpuRun: { exitCode: 124 } })).failures[0]?.message).toMatch(/timeout \(exit 124\)/);
  });
});

describe('buildHealthReport: ollama', () => {
  test('no answer from the API is OLLAMA_UNREACHABLE', () => {
    // Prepare
    const refused = { exitCode: 7, stderr: "curl: (7) Failed to connect to 127.0.0.1 port 11434 after 0 ms: Couldn't connect to server\n" };

    // Act
    const report = buildHealthReport(makeRaw({ ollamaVersion: refused, ollamaPs: refused }));

    // Assess
    expect(report.failures).toEqual([
      {
        code: 'OLLAMA_UNREACHABLE',
        check: 'ollama',
        message: "Ollama's API at 127.0.0.1:11434 did not answer: curl: (7) Failed to connect to 127.0.0.1 port 11434 after 0 ms: Couldn't connect to server",
      },
    ]);
    expect(report.ollama).toMatchObject({ checked: true, ok: false, gpuDetected: true });
  });

  test('an unreachable API with only the version probe says so without detail', () => {
    // Act
    const report = buildHealthReport(makeRaw({ ollamaVersion: { exitCode: 28 }, ollamaPs: { skipped: 'x' }, ollamaLogs: { skipped: 'x' } }));

    // Assess
    expect(report.failures[0]?.message).toBe("Ollama's API at 127.0.0.1:11434 did not answer");
  });

  test('a loaded model with size_vram 0 is OLLAMA_ON_CPU', () => {
    // Act
    const report = buildHealthReport(makeRaw({ ollamaPs: { stdout: fixture('ollama-ps-cpu.json') } }));

    // Assess
    expect(codesOf(report)).toEqual(['OLLAMA_ON_CPU']);
    expect(report.ollama).toMatchObject({ ok: false, gpuDetected: false, evidence: expect.stringMatching(/size_vram 0/) });
  });

  test.each([
    ['ollama-logs-cpu.txt', false],
    ['ollama-logs-cuda.txt', true],
    ['ollama-logs-cuda-new.txt', true],
    ['ollama-logs-restart-cpu-then-cuda.txt', true],
  ])('with no model loaded, %s decides (GPU: %s)', (file, onGpu) => {
    // Act
    const report = buildHealthReport(
      makeRaw({ ollamaPs: { stdout: fixture('ollama-ps-empty.json') }, ollamaLogs: { stdout: fixture(file) } }),
    );

    // Assess
    expect(report.ollama.gpuDetected).toBe(onGpu);
    expect(report.ollama.evidence).toMatch(/inference compute/);
    expect(codesOf(report)).toEqual(onGpu ? [] : ['OLLAMA_ON_CPU']);
  });

  test('a bare "no compatible GPUs" line means CPU', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({ ollamaPs: { stdout: 'not json' }, ollamaLogs: { stdout: 'level=INFO msg="no compatible GPUs were discovered"\n' } }),
    );

    // Assess
    expect(codesOf(report)).toEqual(['OLLAMA_ON_CPU']);
  });

  test('with no evidence either way Ollama is ok but GPU use is unknown', () => {
    // Act
    const report = buildHealthReport(
      makeRaw({ ollamaPs: { stdout: '{"models":[{"name":"m"}]}' }, ollamaLogs: { exitCode: 1, stderr: 'Error: No such container: ollama' } }),
    );

    // Assess
    expect(report.ollama).toEqual({ checked: true, ok: true, gpuDetected: null, evidence: null });
    expect(report.healthy).toBe(true);
  });
});

describe('buildHealthReport: userdata status', () => {
  test('a failed stage is USERDATA_STAGE_FAILED naming the stage', () => {
    // Prepare
    const status = '{"stage":"docker","outcome":"failed","message":"nvidia-ctk runtime configure exited 1","updatedAt":"2025-01-14T09:20:00Z"}';

    // Act
    const report = buildHealthReport(makeRaw({ userDataStatus: { stdout: status } }));

    // Assess
    expect(report.userData).toEqual({ present: true, stage: 'docker', outcome: 'failed', message: 'nvidia-ctk runtime configure exited 1' });
    expect(report.failures).toEqual([
      { code: 'USERDATA_STAGE_FAILED', check: 'userdata', message: 'instance set-up stage "docker" failed: nvidia-ctk runtime configure exited 1' },
    ]);
  });

  test('a failed outcome without stage or message still fails', () => {
    expect(buildHealthReport(makeRaw({ userDataStatus: { stdout: '{"outcome":"failed"}' } })).failures[0]?.message).toBe(
      'instance set-up stage "unknown" failed',
    );
  });

  test('a succeeded stage is reported and fine', () => {
    // Act
    const report = buildHealthReport(makeRaw({ userDataStatus: { stdout: '{"stage":"ollama","outcome":"succeeded","message":"ready"}' } }));

    // Assess
    expect(report.healthy).toBe(true);
    expect(report.userData).toEqual({ present: true, stage: 'ollama', outcome: 'succeeded', message: 'ready' });
  });

  test('an unreadable status file is present but says nothing', () => {
    expect(buildHealthReport(makeRaw({ userDataStatus: { stdout: '{"stage":"dri' } })).userData).toEqual({
      present: true,
      stage: null,
      outcome: null,
      message: null,
    });
  });
});

describe('summarizeFailures', () => {
  test('puts every failure on one line, code first', () => {
    // Prepare
    const text = fixture('error-driver-not-loaded.exit9.txt');
    const report = buildHealthReport(makeRaw({ nvidiaSmiQuery: { exitCode: 9, stdout: text }, dockerInfo: { stdout: 'runc' } }));

    // Act
    const summary = summarizeFailures(report);

    // Assess
    expect(summary).toMatch(/^DRIVER_NOT_LOADED: NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver/);
    expect(summary).toContain('; DOCKER_RUNTIME_NOT_NVIDIA: ');
    expect(summary).not.toContain('\n');
  });

  test('says unknown for versions it could not read', () => {
    // Prepare
    const raw = makeRaw({
      nvidiaSmiPlain: { exitCode: 124 },
      nvidiaSmiQuery: { stdout: fixture('csv-missing-trailing.txt') },
      dockerGpuRun: { skipped: 'x' },
    });
    const report = buildHealthReport(raw);

    // Act / Assess
    expect(summarizeFailures(report)).toBe('healthy: 1 x Tesla T4, driver unknown, CUDA unknown');
  });
});
