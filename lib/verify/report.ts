/**
 * Turns the raw document printed by health-check.sh into a typed {@link HealthReport}. Pure functions only: the
 * same code judges a deployed host (SSM Run Command output) and `gpu-deploy doctor` on a user's machine.
 */
import { GpuVerificationFailedError } from '../errors.js';
import {
  PROBE_NAMES,
  type DecodedProbe,
  type DockerStatus,
  type GpuExpectation,
  type GpuReading,
  type HealthFailure,
  type HealthReport,
  type ListedGpu,
  type MigDevice,
  type NvidiaFailureCode,
  type NvidiaMode,
  type OllamaStatus,
  type ProbeName,
  type RawHealthCheck,
  type RawProbe,
  type UserDataStatus,
  type UtilizationSummary,
} from './types.js';
import { isRecord } from '../guards.js';

const TOOL_NAME = 'gpu-deploy-health-check';
/** Exit status of coreutils `timeout` when the time ran out. */
const TIMEOUT_EXIT = 124;
/** Exit status of a shell when the command is not found. */
const NOT_FOUND_EXIT = 127;
const MAX_MESSAGE_CHARS = 300;

// --- Parsing the document ----------------------------------------------------------------------------------------


const notHealthCheck = (reason: string, stdout: string): GpuVerificationFailedError =>
  new GpuVerificationFailedError(`The command output was not the gpu-deploy health-check JSON: ${reason}`, {
    hint:
      'Check that health-check.sh ran to completion (SSM output is cut at 24,000 characters) ' +
      'and printed only its JSON.',
    details: { outputStart: stdout.slice(0, 200), outputLength: stdout.length },
  });

/** Parses the JSON, tolerating text around it (such as a shell's warning) but never a cut document. */
const parseJsonObject = (stdout: string): unknown => {
  const trimmed = stdout.trim();
  try {
    return JSON.parse(trimmed);
  } catch {
    const start = trimmed.indexOf('{"schemaVersion"');
    const end = trimmed.lastIndexOf('}');
    if (start < 0 || end <= start) throw notHealthCheck('it is not JSON (empty, cut short or other text)', stdout);
    try {
      return JSON.parse(trimmed.slice(start, end + 1));
    } catch {
      throw notHealthCheck('it is not JSON (cut short or corrupted)', stdout);
    }
  }
};

const parseProbe = (name: string, value: unknown, stdout: string): RawProbe => {
  if (!isRecord(value)) throw notHealthCheck(`probe "${name}" is not an object`, stdout);
  if (value.ran === false) {
    return { ran: false, skipped: typeof value.skipped === 'string' ? value.skipped : 'skipped' };
  }
  const { exitCode, stdoutB64, stderrB64, truncated } = value;
  if (
    value.ran !== true ||
    typeof exitCode !== 'number' ||
    !Number.isInteger(exitCode) ||
    typeof stdoutB64 !== 'string' ||
    typeof stderrB64 !== 'string'
  ) {
    throw notHealthCheck(`probe "${name}" lacks ran, exitCode, stdoutB64 or stderrB64`, stdout);
  }
  return { ran: true, exitCode, stdoutB64, stderrB64, truncated: truncated === true };
};

/**
 * Parses and checks the document that health-check.sh printed.
 *
 * @throws GpuVerificationFailedError when the text is not a complete schemaVersion 1 health-check document.
 * @example
 * const raw = parseHealthCheckOutput(invocation.StandardOutputContent ?? '');
 */
export function parseHealthCheckOutput(stdout: string): RawHealthCheck {
  const parsed = parseJsonObject(stdout);
  if (!isRecord(parsed)) throw notHealthCheck('it is not a JSON object', stdout);
  if (parsed.tool !== TOOL_NAME) throw notHealthCheck(`"tool" is not "${TOOL_NAME}"`, stdout);
  if (parsed.schemaVersion !== 1) {
    throw notHealthCheck(`unsupported schemaVersion ${JSON.stringify(parsed.schemaVersion)}`, stdout);
  }
  if (!isRecord(parsed.probes)) throw notHealthCheck('"probes" is missing', stdout);
  const probes: RawHealthCheck['probes'] = {};
  for (const name of PROBE_NAMES) {
    const value = parsed.probes[name];
    if (value !== undefined) probes[name] = parseProbe(name, value, stdout);
  }
  return {
    schemaVersion: 1,
    tool: TOOL_NAME,
    checkedAt: typeof parsed.checkedAt === 'string' ? parsed.checkedAt : '',
    hostname: typeof parsed.hostname === 'string' ? parsed.hostname : '',
    ...(isRecord(parsed.config) ? { config: parsed.config } : {}),
    probes,
  };
}

/** The probe's captures as text, or `null` when it was skipped or absent. */
export function decodeProbe(raw: RawHealthCheck, name: ProbeName): DecodedProbe | null {
  const probe = raw.probes[name];
  if (probe === undefined || !probe.ran) return null;
  return {
    exitCode: probe.exitCode,
    stdout: Buffer.from(probe.stdoutB64, 'base64').toString('utf8'),
    stderr: Buffer.from(probe.stderrB64, 'base64').toString('utf8'),
    truncated: probe.truncated,
  };
}

// --- nvidia-smi output -------------------------------------------------------------------------------------------

/** `[N/A]`, `N/A`, `[Not Supported]`, `[Unknown Error]`, `[Insufficient Permissions]` and blanks mean "no value". */
const isUnavailable = (field: string | undefined): boolean =>
  field === undefined || field === '' || /^\[.*\]$/.test(field) || /^n\/?a$/i.test(field);

const textOrNull = (field: string | undefined): string | null => (isUnavailable(field) ? null : (field ?? null));

const numberOrNull = (field: string | undefined): number | null => {
  if (field === undefined || isUnavailable(field)) return null;
  // Units appear when `nounits` was not given: "23028 MiB", "15.79 W", "0 %".
  const match = /^-?\d+(\.\d+)?/.exec(field);
  return match === null ? null : Number(match[0]);
};

const modeOrNull = (field: string | undefined): NvidiaMode | null => {
  const value = textOrNull(field)?.toLowerCase();
  if (value === 'enabled') return 'Enabled';
  if (value === 'disabled') return 'Disabled';
  return null;
};

const QUERY_FIELD_COUNT = 11;

/** One CSV row; extra fields (a name with commas) are folded back into the name, driver_version stays last. */
const parseCsvRow = (line: string): GpuReading | null => {
  let fields = line.split(',').map((field) => field.trim());
  if (fields.length > QUERY_FIELD_COUNT) {
    const extra = fields.length - QUERY_FIELD_COUNT;
    const name = fields.slice(1, 2 + extra).join(', ');
    fields = [fields[0] ?? '', name, ...fields.slice(2 + extra)];
  }
  const index = numberOrNull(fields[0]);
  if (index === null || !Number.isInteger(index)) return null;
  return {
    index,
    name: fields[1] ?? '',
    uuid: textOrNull(fields[2]),
    memoryTotalMiB: numberOrNull(fields[3]),
    memoryUsedMiB: numberOrNull(fields[4]),
    utilizationPercent: numberOrNull(fields[5]),
    temperatureC: numberOrNull(fields[6]),
    powerDrawW: numberOrNull(fields[7]),
    persistenceMode: modeOrNull(fields[8]),
    migMode: modeOrNull(fields[9]),
    driverVersion: textOrNull(fields[10]),
    migDevices: [],
  };
};

/**
 * Parses `nvidia-smi --query-gpu=index,name,uuid,memory.total,memory.used,utilization.gpu,temperature.gpu,
 * power.draw,persistence_mode,mig.mode.current,driver_version --format=csv,noheader,nounits`.
 * Lines that are not GPU rows (a header, an error message) are ignored.
 *
 * @example
 * parseNvidiaSmiCsv('0, NVIDIA A10G, GPU-5a1c..., 23028, 1, 0, 27, 15.79, Enabled, [N/A], 550.127.05')[0].name;
 * // 'NVIDIA A10G'
 */
export function parseNvidiaSmiCsv(csv: string): GpuReading[] {
  return csv
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '')
    .map(parseCsvRow)
    .filter((reading): reading is GpuReading => reading !== null);
}

const GPU_LINE = /^GPU\s+(\d+):\s+(.+?)\s+\(UUID:\s*([^)\s]+)\)\s*$/;
const MIG_LINE = /^MIG\s+(\S+)\s+Device\s+(\d+):\s+\(UUID:\s*([^)\s]+)\)\s*$/;

/**
 * Parses `nvidia-smi -L`: physical GPUs, each with the MIG devices listed under it.
 *
 * @example
 * parseNvidiaSmiList('GPU 0: NVIDIA A100-SXM4-40GB (UUID: GPU-1)\n  MIG 1g.5gb     Device  0: (UUID: MIG-1)');
 * // [{ index: 0, name: 'NVIDIA A100-SXM4-40GB', uuid: 'GPU-1',
 * //    migDevices: [{ index: 0, profile: '1g.5gb', uuid: 'MIG-1' }] }]
 */
export function parseNvidiaSmiList(text: string): ListedGpu[] {
  const gpus: ListedGpu[] = [];
  for (const line of text.split(/\r?\n/).map((raw) => raw.trim())) {
    const gpu = GPU_LINE.exec(line);
    if (gpu !== null) {
      gpus.push({ index: Number(gpu[1]), name: gpu[2] ?? '', uuid: gpu[3] ?? '', migDevices: [] });
      continue;
    }
    const mig = MIG_LINE.exec(line);
    const owner = gpus.at(-1);
    if (mig !== null && owner !== undefined) {
      const device: MigDevice = { index: Number(mig[2]), profile: mig[1] ?? '', uuid: mig[3] ?? '' };
      owner.migDevices.push(device);
    }
  }
  return gpus;
}

/** The CUDA version from nvidia-smi's table header (`CUDA Version: 12.4`). */
export function parseCudaVersion(text: string): string | null {
  return /CUDA Version:\s*(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? null;
}

/** The driver version from nvidia-smi's table header (`Driver Version: 550.127.05`). */
export function parseDriverVersion(text: string): string | null {
  return /Driver Version:\s*(\d+(?:\.\d+)*)/.exec(text)?.[1] ?? null;
}

/** nvidia-smi's documented exit codes, for messages when it printed nothing useful. */
const NVIDIA_SMI_EXIT_MEANINGS: Readonly<Record<number, string>> = {
  2: 'invalid argument or flag',
  3: 'the requested operation is not available on the target device',
  4: 'the current user does not have permission to access the device',
  6: 'the query was unsuccessful (no devices)',
  8: "the device's external power cables are not properly attached",
  9: 'the NVIDIA driver is not loaded',
  10: "the NVIDIA kernel detected an interrupt issue with a GPU",
  12: 'the NVML shared library could not be found or loaded',
  13: 'the local version of NVML does not implement this function',
  14: 'the infoROM is corrupted',
  15: 'the GPU has fallen off the bus or has otherwise become inaccessible',
  18: 'the driver and the NVML library versions do not match',
  255: 'other error or internal driver error',
};

/**
 * Names what went wrong with an nvidia-smi run, from its exit status and its text (the text wins: it is more
 * specific, and some versions exit 0 or 255 with a known message). `null` when it succeeded.
 *
 * @example
 * classifyNvidiaFailure(9, "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.", '');
 * // 'DRIVER_NOT_LOADED'
 */
export function classifyNvidiaFailure(exitCode: number, stdout: string, stderr: string): NvidiaFailureCode | null {
  const text = `${stdout}\n${stderr}`;
  if (exitCode === TIMEOUT_EXIT) return 'NVIDIA_SMI_TIMEOUT';
  const notFound = /nvidia-smi: (command )?not found|failed to run command 'nvidia-smi'/i.test(text);
  if (exitCode === NOT_FOUND_EXIT || notFound) {
    return 'NVIDIA_SMI_MISSING';
  }
  if (/Driver\/library version mismatch/i.test(text)) return 'DRIVER_LIBRARY_MISMATCH';
  if (/couldn't communicate with the NVIDIA driver/i.test(text)) return 'DRIVER_NOT_LOADED';
  if (/No devices were found/i.test(text)) return 'NO_DEVICES';
  if (/Failed to initialize NVML|Unable to determine the device handle|GPU is lost|fallen off the bus/i.test(text)) {
    return 'NVML_ERROR';
  }
  if (exitCode === 0) return null;
  if (exitCode === 9) return 'DRIVER_NOT_LOADED';
  if (exitCode === 6) return 'NO_DEVICES';
  if (exitCode === 18) return 'DRIVER_LIBRARY_MISMATCH';
  return 'NVML_ERROR';
}

// --- Building the report -----------------------------------------------------------------------------------------

/** A probe's own words, on one line and short, for a failure message. */
const firstWords = (probe: DecodedProbe): string => {
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

interface NvidiaFindings {
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

const nvidiaFindings = (raw: RawHealthCheck): NvidiaFindings => {
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

interface Findings<Status> {
  status: Status;
  failures: HealthFailure[];
}

const dockerFindings = (raw: RawHealthCheck, hostGpuCount: number): Findings<DockerStatus> => {
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

interface OllamaVerdict {
  gpuDetected: boolean | null;
  evidence: string | null;
}

/** Loaded models say where inference runs now: any `size_vram` above 0 is on the GPU. */
const verdictFromPs = (text: string): OllamaVerdict | null => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.models) || parsed.models.length === 0) return null;
  const models = parsed.models.filter(isRecord);
  const onGpu = models.find((model) => typeof model.size_vram === 'number' && model.size_vram > 0);
  if (onGpu !== undefined) {
    const evidence = `/api/ps: model ${String(onGpu.name)} has size_vram ${String(onGpu.size_vram)}`;
    return { gpuDetected: true, evidence };
  }
  const onCpu = models.find((model) => model.size_vram === 0);
  if (onCpu === undefined) return null;
  return { gpuDetected: false, evidence: `/api/ps: model ${String(onCpu.name)} has size_vram 0 (running on CPU)` };
};

/** The newest inference-compute line decides: the container may have restarted since older lines. */
const verdictFromLogs = (text: string): OllamaVerdict | null => {
  const lines = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => /msg="inference compute"|no compatible GPUs/.test(line));
  const last = lines.at(-1);
  if (last === undefined) return null;
  if (/library=(cuda|rocm)\b/i.test(last)) return { gpuDetected: true, evidence: last };
  return { gpuDetected: false, evidence: last };
};

const ollamaFindings = (raw: RawHealthCheck): Findings<OllamaStatus> => {
  const version = decodeProbe(raw, 'ollamaVersion');
  const ps = decodeProbe(raw, 'ollamaPs');
  const logs = decodeProbe(raw, 'ollamaLogs');
  if (version === null && ps === null) {
    return { status: { checked: false, ok: null, gpuDetected: null, evidence: null }, failures: [] };
  }
  const reachable = version?.exitCode === 0 || ps?.exitCode === 0;
  // Loaded models are the live truth; the logs only say what the server found at start.
  const verdict: OllamaVerdict = (ps?.exitCode === 0 ? verdictFromPs(ps.stdout) : null) ??
    (logs?.exitCode === 0 ? verdictFromLogs(logs.stdout) : null) ?? { gpuDetected: null, evidence: null };
  const failures: HealthFailure[] = [];
  if (!reachable) {
    const probe = ps ?? version;
    const words = probe === null ? '' : firstWords(probe);
    failures.push({
      code: 'OLLAMA_UNREACHABLE',
      check: 'ollama',
      message: `Ollama's API at 127.0.0.1:11434 did not answer${words === '' ? '' : `: ${words}`}`,
    });
  }
  if (verdict.gpuDetected === false) {
    const message = `Ollama runs on the CPU, not the GPU: ${verdict.evidence ?? ''}`;
    failures.push({ code: 'OLLAMA_ON_CPU', check: 'ollama', message });
  }
  return {
    status: { checked: true, ok: failures.length === 0, gpuDetected: verdict.gpuDetected, evidence: verdict.evidence },
    failures,
  };
};

const stringOrNull = (value: unknown): string | null => (typeof value === 'string' ? value : null);

const userDataFindings = (raw: RawHealthCheck): Findings<UserDataStatus | null> => {
  const probe = decodeProbe(raw, 'userDataStatus');
  if (probe === null || probe.exitCode !== 0) return { status: null, failures: [] };
  let parsed: unknown;
  try {
    parsed = JSON.parse(probe.stdout);
  } catch {
    parsed = null;
  }
  // An unreadable file (caught mid-write) is reported as present but says nothing; it is not a failure.
  const fields = isRecord(parsed) ? parsed : {};
  const status: UserDataStatus = {
    present: true,
    stage: stringOrNull(fields.stage),
    outcome: stringOrNull(fields.outcome),
    message: stringOrNull(fields.message),
  };
  if (status.outcome !== 'failed') return { status, failures: [] };
  const failure: HealthFailure = {
    code: 'USERDATA_STAGE_FAILED',
    check: 'userdata',
    message:
      `instance set-up stage "${status.stage ?? 'unknown'}" failed` +
      (status.message === null ? '' : `: ${status.message}`),
  };
  return { status, failures: [failure] };
};

/** The GPUs must be the promised model (a case-insensitive substring: "NVIDIA A10G" holds "A10G") and count. */
const expectationFailures = (gpus: GpuReading[], expected: GpuExpectation | undefined): HealthFailure[] => {
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

const sumOrNull = (values: (number | null)[]): number | null => {
  const known = values.filter((value): value is number => value !== null);
  return known.length === 0 ? null : known.reduce((total, value) => total + value, 0);
};

const utilizationOf = (gpus: GpuReading[]): UtilizationSummary => {
  const percentages = gpus.map((gpu) => gpu.utilizationPercent).filter((value): value is number => value !== null);
  const total = sumOrNull(percentages);
  return {
    gpuPercentAvg: total === null ? null : Math.round((total / percentages.length) * 10) / 10,
    memoryUsedMiB: sumOrNull(gpus.map((gpu) => gpu.memoryUsedMiB)),
    memoryTotalMiB: sumOrNull(gpus.map((gpu) => gpu.memoryTotalMiB)),
  };
};

/**
 * Judges a parsed health-check document. Skipped probes are not failures; `healthy` means no failures.
 * With `expected`, the GPUs must also be the instance type's model and count (MIG: physical GPUs count).
 *
 * @example
 * const report = buildHealthReport(parseHealthCheckOutput(stdout), { gpuModel: 'A10G', gpuCount: 1 });
 * if (!report.healthy) throw new GpuVerificationFailedError(summarizeFailures(report));
 */
export function buildHealthReport(raw: RawHealthCheck, expected?: GpuExpectation): HealthReport {
  const nvidia = nvidiaFindings(raw);
  const docker = dockerFindings(raw, nvidia.gpus.length);
  const ollama = ollamaFindings(raw);
  const userData = userDataFindings(raw);
  const failures = [
    ...userData.failures,
    ...(nvidia.failure === null ? [] : [nvidia.failure]),
    ...expectationFailures(nvidia.gpus, expected),
    ...docker.failures,
    ...ollama.failures,
  ];
  return {
    healthy: failures.length === 0,
    checkedAt: raw.checkedAt,
    hostname: raw.hostname,
    driverVersion: nvidia.driverVersion,
    cudaVersion: nvidia.cudaVersion,
    gpus: nvidia.gpus,
    docker: docker.status,
    ollama: ollama.status,
    userData: userData.status,
    failures,
    utilization: utilizationOf(nvidia.gpus),
  };
}

/**
 * One human line for the report: the failures as `CODE: message` joined by `; ` (the Step Functions Cause),
 * or what was found when healthy.
 *
 * @example
 * summarizeFailures(report); // "DRIVER_NOT_LOADED: NVIDIA-SMI has failed because it couldn't communicate ..."
 */
export function summarizeFailures(report: HealthReport): string {
  if (report.failures.length > 0) {
    return report.failures.map((failure) => `${failure.code}: ${failure.message}`).join('; ');
  }
  const names = [...new Set(report.gpus.map((gpu) => gpu.name))].join(' / ');
  const driver = report.driverVersion ?? 'unknown';
  return `healthy: ${report.gpus.length} x ${names}, driver ${driver}, CUDA ${report.cudaVersion ?? 'unknown'}`;
}
