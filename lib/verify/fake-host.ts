/**
 * The simulated GPU host: the environment that puts local/fake-host/bin (fake `nvidia-smi`, `docker`, `curl`, `findmnt`)
 * first on PATH. A local stand-in for tests and the local SSM endpoint; there is no GPU behind it.
 */
import { join } from 'node:path';

/** Faults the fake host can play, each matching one failure of a real host. */
export const SIM_FAULTS = [
  'none',
  'no-driver',
  'no-devices',
  'driver-mismatch',
  'nvml-error',
  'smi-timeout',
  'docker-missing',
  'docker-runtime-runc',
  'docker-no-gpu',
  'ollama-down',
  'ollama-cpu',
  'userdata-failed',
] as const;
export type SimFault = (typeof SIM_FAULTS)[number];

/** The simulated host's hardware and its fault; unset fields take the fake tools' defaults (one A10G). */
export interface FakeHostProfile {
  gpuModel?: string;
  gpuCount?: number;
  gpuMemoryMiB?: number;
  driverVersion?: string;
  cudaVersion?: string;
  /** MIG mode on every GPU, with two `3g.20gb` devices each unless migDevicesPerGpu/migProfile say otherwise. */
  mig?: boolean;
  /** MIG devices per GPU (1 to 7: an H100 80GB holds seven `1g.10gb`), and their profile name. */
  migDevicesPerGpu?: number;
  migProfile?: string;
  /** `docker run` pulls its image first, printing the pull's progress on stderr as on a fresh instance. */
  imagePull?: boolean;
  fault?: SimFault;
  /** The UserData status file to report; by default one that cannot exist. */
  statusFile?: string;
  /** GPU_DEPLOY_PROBE_TIMEOUT and GPU_DEPLOY_DOCKER_RUN_TIMEOUT, in seconds. */
  probeTimeoutSeconds?: number;
  /** The workspace's mount: a directory standing in for EFS (the fake findmnt reports it mounted). */
  workspaceDir?: string;
}

/** The repository root (the fake tools live in it); throws outside a project. */
export { repoRoot as findRepoRoot } from '../local/paths.js';
import { repoRoot as findRepoRoot } from '../local/paths.js';

/** Directory of the fake tools. */
export function fakeHostBinDir(): string {
  return join(findRepoRoot(), 'local', 'fake-host', 'bin');
}

// Under /dev/null nothing can be created, so the default status file is always absent.
const NO_STATUS_FILE = '/dev/null/gpu-deploy-status.json';

/**
 * The environment in which health-check.sh sees the simulated host. Self-contained: PATH (the fake tools first,
 * then this process's PATH for bash and coreutils), the SIM_* settings and the health check's own settings.
 *
 * @example
 * const run = await runHealthCheckLocally({ env: fakeHostEnv({ gpuCount: 4, fault: 'docker-no-gpu' }) });
 */
export function fakeHostEnv(profile: FakeHostProfile = {}): Record<string, string> {
  const env: Record<string, string> = {
    PATH: `${fakeHostBinDir()}:${process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin'}`,
    LC_ALL: 'C',
    SIM_FAULT: profile.fault ?? 'none',
    SIM_MIG: profile.mig === true ? '1' : '0',
    GPU_DEPLOY_STATUS_FILE: profile.statusFile ?? NO_STATUS_FILE,
  };
  if (process.env.TMPDIR !== undefined) env.TMPDIR = process.env.TMPDIR;
  if (profile.gpuModel !== undefined) env.SIM_GPU_MODEL = profile.gpuModel;
  if (profile.gpuCount !== undefined) env.SIM_GPU_COUNT = String(profile.gpuCount);
  if (profile.gpuMemoryMiB !== undefined) env.SIM_GPU_MEMORY_MIB = String(profile.gpuMemoryMiB);
  if (profile.driverVersion !== undefined) env.SIM_DRIVER_VERSION = profile.driverVersion;
  if (profile.cudaVersion !== undefined) env.SIM_CUDA_VERSION = profile.cudaVersion;
  if (profile.migDevicesPerGpu !== undefined) env.SIM_MIG_DEVICES = String(profile.migDevicesPerGpu);
  if (profile.migProfile !== undefined) env.SIM_MIG_PROFILE = profile.migProfile;
  if (profile.imagePull === true) env.SIM_DOCKER_PULL = '1';
  if (profile.workspaceDir !== undefined) {
    env.SIM_WORKSPACE_DIR = profile.workspaceDir;
    env.GPU_DEPLOY_WORKSPACE_PATH = profile.workspaceDir;
  }
  if (profile.probeTimeoutSeconds !== undefined) {
    env.GPU_DEPLOY_PROBE_TIMEOUT = String(profile.probeTimeoutSeconds);
    env.GPU_DEPLOY_DOCKER_RUN_TIMEOUT = String(profile.probeTimeoutSeconds);
  }
  return env;
}
