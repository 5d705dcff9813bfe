/**
 * Turns the raw document printed by health-check.sh into a typed {@link HealthReport}. Pure functions only: the
 * same code judges a deployed host (SSM Run Command output) and `gpu-deploy doctor` on a user's machine. The parts
 * live beside it (document.ts, nvidia-smi.ts, gpu-findings.ts, service-findings.ts); this module is their one
 * entry point.
 */
import { dockerFindings, expectationFailures, nvidiaFindings } from './gpu-findings.js';
import { ollamaFindings, userDataFindings } from './service-findings.js';
import { workspaceFindings } from './workspace-findings.js';
import type { GpuExpectation, GpuReading, HealthReport, RawHealthCheck, UtilizationSummary } from './types.js';

export { decodeProbe, parseHealthCheckOutput } from './document.js';
export { classifyNvidiaFailure, parseCudaVersion, parseDriverVersion, parseNvidiaSmiCsv, parseNvidiaSmiList } from './nvidia-smi.js';

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
 * With `expected`, the GPUs must also be the instance type's model and count (MIG: physical GPUs count), and the
 * workspace it names must be mounted and writable.
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
  const workspace = workspaceFindings(raw, expected?.workspace);
  const failures = [
    ...userData.failures,
    ...(nvidia.failure === null ? [] : [nvidia.failure]),
    ...expectationFailures(nvidia.gpus, expected),
    ...docker.failures,
    ...ollama.failures,
    ...workspace.failures,
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
    workspace: workspace.status,
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
