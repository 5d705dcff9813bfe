/**
 * What the nvidia-smi and Docker probes found: the GPUs (query rows joined with `-L`'s MIG devices), the driver and
 * CUDA versions, and each failure named. Pure.
 */
import { decodeProbe } from './document.js';
import { classifyNvidiaFailure, NOT_FOUND_EXIT, NVIDIA_SMI_EXIT_MEANINGS, parseCudaVersion, parseDriverVersion, parseNvidiaSmiCsv, parseNvidiaSmiList, TIMEOUT_EXIT } from './nvidia-smi.js';
import type { DecodedProbe, DockerStatus, GpuExpectation, GpuReading, HealthFailure, ListedGpu, NvidiaFailureCode, RawHealthCheck } from './types.js';

const MAX_MESSAGE_CHARS = 300;

/** A probe's own words, on one line and short, for a failure message. */
export const firstWords = (probe: DecodedProbe): string => {
  const text = `${probe.stderr.trim()}\n${probe.stdout.trim()}`.trim().replace(/\s+/g, ' ');
  return text.length > MAX_MESSAGE_CHARS ? `${text.slice(0, MAX_MESSAGE_CHARS - 3)}...` : text;
};

const nvidiaMessage = (code: NvidiaFailureCode, probe: DecodedProbe): string => {
  if (code === 'NVIDIA_SMI_TIMEOUT') {
    return 'nvidia-smi did not answer before the probe timeout (exit 124): the driver may be hung';
  }
  if (code === 'NVIDIA_SMI_MISSING') return 'nvidia-smi is not on PATH: the NVIDIA driver is not installed';
  const words = firstWords(probe);
  if (words !== '') return words;
  return `nvidia-smi exited ${probe.exitCode}: ${NVIDIA_SMI_EXIT_MEANINGS[probe.exitCode] ?? 'unknown error'}`;
};

export interface NvidiaFindings {
  gpus: GpuReading[];
  driverVersion: string | null;
  cudaVersion: string | null;
  failure: HealthFailure | null;
}

const readingFromListed = (listed: ListedGpu): GpuReading => ({
  index: listed.index,
  name: listed.name,
  uuid: listed.uuid,
  memoryTotalMiB: null,
  memoryUsedMiB: null,
  utilizationPercent: null,
  temperatureC: null,
  powerDrawW: null,
  persistenceMode: null,
  migMode: listed.migDevices.length > 0 ? 'Enabled' : null,
  driverVersion: null,
  migDevices: listed.migDevices,
});

/** Query rows, with MIG devices from `-L` joined by UUID (or index); `-L` alone when the query gave nothing. */
const mergeGpus = (readings: GpuReading[], listed: ListedGpu[]): GpuReading[] => {
  if (readings.length === 0) return listed.map(readingFromListed);
  return readings.map((reading) => {
    const match =
      listed.find((gpu) => reading.uuid !== null && gpu.uuid === reading.uuid) ??
      listed.find((gpu) => gpu.index === reading.index);
    return { ...reading, migDevices: match?.migDevices ?? [] };
  });
};

const nvidiaFailure = (raw: RawHealthCheck): HealthFailure | null => {
  const presence = decodeProbe(raw, 'nvidiaSmiPresence');
  if (presence !== null && presence.exitCode !== 0) {
    return { code: 'NVIDIA_SMI_MISSING', check: 'nvidia', message: nvidiaMessage('NVIDIA_SMI_MISSING', presence) };
  }
  const query = decodeProbe(raw, 'nvidiaSmiQuery');
  if (query === null) return null;
  const code =
    classifyNvidiaFailure(query.exitCode, query.stdout, query.stderr) ??
    (parseNvidiaSmiCsv(query.stdout).length === 0 ? 'NO_DEVICES' : null);
  if (code === null) return null;
  const message =
    code === 'NO_DEVICES' && firstWords(query) === '' ? 'nvidia-smi listed no GPUs' : nvidiaMessage(code, query);
  return { code, check: 'nvidia', message };
};

export const nvidiaFindings = (raw: RawHealthCheck): NvidiaFindings => {
  const query = decodeProbe(raw, 'nvidiaSmiQuery');
  const plain = decodeProbe(raw, 'nvidiaSmiPlain');
  const list = decodeProbe(raw, 'nvidiaSmiList');
  const readings = query?.exitCode === 0 ? parseNvidiaSmiCsv(query.stdout) : [];
  const listed = list?.exitCode === 0 ? parseNvidiaSmiList(list.stdout) : [];
  const gpus = mergeGpus(readings, listed);
  const plainText = plain?.exitCode === 0 ? plain.stdout : '';
  return {
    gpus,
    driverVersion: gpus.find((gpu) => gpu.driverVersion !== null)?.driverVersion ?? parseDriverVersion(plainText),
    cudaVersion: parseCudaVersion(plainText),
    failure: nvidiaFailure(raw),
  };
};

const countListedGpus = (text: string): number => parseNvidiaSmiList(text).length;

const dockerMissing = (message: string): HealthFailure => ({ code: 'DOCKER_MISSING', check: 'docker', message });
const dockerGpuUnavailable = (message: string): HealthFailure => ({
  code: 'DOCKER_GPU_UNAVAILABLE',
  check: 'docker',
  message,
});

/** The container run's verdict: it must succeed and see as many GPUs as the host. */
const dockerRunFailure = (run: DecodedProbe, containerGpuCount: number, hostGpuCount: number): HealthFailure | null => {
  if (run.exitCode === TIMEOUT_EXIT) {
    return dockerGpuUnavailable(
      'docker run --gpus all did not finish before its timeout (exit 124); the image pull may be slow',
    );
  }
  if (run.exitCode !== 0) {
    return dockerGpuUnavailable(`docker run --gpus all failed (exit ${run.exitCode}): ${firstWords(run)}`);
  }
  if (hostGpuCount > 0 && containerGpuCount !== hostGpuCount) {
    return dockerGpuUnavailable(`a --gpus all container saw ${containerGpuCount} GPU(s); the host has ${hostGpuCount}`);
  }
  return null;
};

export interface Findings<Status> {
  status: Status;
  failures: HealthFailure[];
}

export const dockerFindings = (raw: RawHealthCheck, hostGpuCount: number): Findings<DockerStatus> => {
  const presence = decodeProbe(raw, 'dockerPresence');
  if (presence === null) {
    return { status: { checked: false, ok: null, defaultRuntime: null, containerGpuCount: null }, failures: [] };
  }
  const info = decodeProbe(raw, 'dockerInfo');
  const run = decodeProbe(raw, 'dockerGpuRun');
  const failures: HealthFailure[] = [];
  let defaultRuntime: string | null = null;
  let containerGpuCount: number | null = null;
  if (presence.exitCode !== 0 || info?.exitCode === NOT_FOUND_EXIT) {
    failures.push(dockerMissing('docker is not installed (not on PATH)'));
  } else {
    if (info !== null && info.exitCode !== 0) {
      failures.push(dockerGpuUnavailable(`docker info failed (exit ${info.exitCode}): ${firstWords(info)}`));
    } else if (info !== null) {
      defaultRuntime = info.stdout.trim() || null;
      if (defaultRuntime !== 'nvidia') {
        failures.push({
          code: 'DOCKER_RUNTIME_NOT_NVIDIA',
          check: 'docker',
          message:
            `Docker's default runtime is "${defaultRuntime ?? ''}", not "nvidia" ` +
            '(run nvidia-ctk runtime configure --runtime=docker --set-as-default)',
        });
      }
    }
    if (run !== null) {
      containerGpuCount = run.exitCode === 0 ? countListedGpus(run.stdout) : null;
      const failure = dockerRunFailure(run, containerGpuCount ?? 0, hostGpuCount);
      if (failure !== null) failures.push(failure);
    }
  }
  return { status: { checked: true, ok: failures.length === 0, defaultRuntime, containerGpuCount }, failures };
};

/** The GPUs must be the promised model (a case-insensitive substring: "NVIDIA A10G" holds "A10G") and count. */
export const expectationFailures = (gpus: GpuReading[], expected: GpuExpectation | undefined): HealthFailure[] => {
  if (expected === undefined || gpus.length === 0) return [];
  const model = expected.gpuModel.toLowerCase();
  const names = [...new Set(gpus.map((gpu) => gpu.name))];
  const wrongModel = gpus.some((gpu) => !gpu.name.toLowerCase().includes(model));
  if (!wrongModel && gpus.length === expected.gpuCount) return [];
  return [
    {
      code: 'GPU_MISMATCH',
      check: 'expectation',
      message: `expected ${expected.gpuCount} x ${expected.gpuModel}, found ${gpus.length} x ${names.join(' / ')}`,
    },
  ];
};
