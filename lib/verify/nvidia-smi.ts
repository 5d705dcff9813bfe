/**
 * nvidia-smi's own output: the query CSV, the `-L` list, the table header, and what its failures mean. Pure.
 */
import type { GpuReading, ListedGpu, MigDevice, NvidiaFailureCode, NvidiaMode } from './types.js';

/** Exit status of coreutils `timeout` when the time ran out. */
export const TIMEOUT_EXIT = 124;
/** Exit status of a shell when the command is not found. */
export const NOT_FOUND_EXIT = 127;

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
export const NVIDIA_SMI_EXIT_MEANINGS: Readonly<Record<number, string>> = {
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
