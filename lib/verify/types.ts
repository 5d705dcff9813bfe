/** Types of the GPU health check: the raw document printed by health-check.sh and the report built from it. */

/** The probes health-check.sh runs, in order (schemaVersion 1). */
export const PROBE_NAMES = [
  'nvidiaSmiPresence',
  'nvidiaSmiQuery',
  'nvidiaSmiPlain',
  'nvidiaSmiList',
  'dockerPresence',
  'dockerInfo',
  'dockerGpuRun',
  'ollamaVersion',
  'ollamaPs',
  'ollamaLogs',
  'userDataStatus',
  'workspaceSetup',
  'workspaceMount',
  'workspaceWrite',
] as const;
export type ProbeName = (typeof PROBE_NAMES)[number];

/** A probe that ran: its exit code (124 = timed out) and captures cut to the probe's cap and the document's budget, base64-encoded (stderr only when it failed). */
export interface RanProbe {
  ran: true;
  exitCode: number;
  stdoutB64: string;
  stderrB64: string;
  /** True when stdout or stderr was longer than the capture limit. */
  truncated: boolean;
}

/** A probe that did not run, and why (a flag such as `--skip-docker`, or a missing tool). */
export interface SkippedProbe {
  ran: false;
  skipped: string;
}

export type RawProbe = RanProbe | SkippedProbe;

/** The JSON document health-check.sh prints (schemaVersion 1). */
export interface RawHealthCheck {
  schemaVersion: 1;
  tool: 'gpu-deploy-health-check';
  checkedAt: string;
  hostname: string;
  /** The settings the script ran with (timeouts, image, container, status file); informational. */
  config?: Record<string, unknown>;
  probes: Partial<Record<ProbeName, RawProbe>>;
}

/** A probe with its captures decoded. */
export interface DecodedProbe {
  exitCode: number;
  stdout: string;
  stderr: string;
  truncated: boolean;
}

/** nvidia-smi's two-state settings; `null` in readings means `[N/A]` or `[Not Supported]`. */
export type NvidiaMode = 'Enabled' | 'Disabled';

/** A MIG device (GPU instance) carved out of a physical GPU, from `nvidia-smi -L`. */
export interface MigDevice {
  index: number;
  /** Profile such as `1g.5gb` or `3g.20gb`. */
  profile: string;
  uuid: string;
}

/** One physical GPU as `nvidia-smi -L` lists it. */
export interface ListedGpu {
  index: number;
  name: string;
  uuid: string;
  migDevices: MigDevice[];
}

/** One physical GPU's state from `nvidia-smi --query-gpu`. Unavailable numbers are `null`. */
export interface GpuReading {
  index: number;
  name: string;
  uuid: string | null;
  memoryTotalMiB: number | null;
  memoryUsedMiB: number | null;
  utilizationPercent: number | null;
  temperatureC: number | null;
  powerDrawW: number | null;
  persistenceMode: NvidiaMode | null;
  migMode: NvidiaMode | null;
  driverVersion: string | null;
  migDevices: MigDevice[];
}

export const NVIDIA_FAILURE_CODES = [
  'NVIDIA_SMI_MISSING',
  'DRIVER_NOT_LOADED',
  'NO_DEVICES',
  'DRIVER_LIBRARY_MISMATCH',
  'NVML_ERROR',
  'NVIDIA_SMI_TIMEOUT',
] as const;
export type NvidiaFailureCode = (typeof NVIDIA_FAILURE_CODES)[number];

export type DockerFailureCode = 'DOCKER_MISSING' | 'DOCKER_RUNTIME_NOT_NVIDIA' | 'DOCKER_GPU_UNAVAILABLE';
export type OllamaFailureCode = 'OLLAMA_UNREACHABLE' | 'OLLAMA_ON_CPU';
export type WorkspaceFailureCode = 'WORKSPACE_NOT_MOUNTED' | 'WORKSPACE_NOT_WRITABLE';
export type FailureCode =
  | NvidiaFailureCode
  | DockerFailureCode
  | OllamaFailureCode
  | WorkspaceFailureCode
  | 'USERDATA_STAGE_FAILED'
  | 'GPU_MISMATCH';

export type FailureCheck = 'nvidia' | 'docker' | 'ollama' | 'userdata' | 'workspace' | 'expectation';

/** One thing that is wrong, with a stable code and a message a person can act on. */
export interface HealthFailure {
  code: FailureCode;
  check: FailureCheck;
  message: string;
}

export interface DockerStatus {
  /** False when Docker's probes were skipped. */
  checked: boolean;
  /** `null` when not checked. */
  ok: boolean | null;
  defaultRuntime: string | null;
  /** GPUs that `nvidia-smi -L` listed inside a `--gpus all` container; `null` when it did not run or failed. */
  containerGpuCount: number | null;
}

export interface OllamaStatus {
  /** False when Ollama's probes were skipped. */
  checked: boolean;
  /** `null` when not checked. */
  ok: boolean | null;
  /** `null` when nothing showed where inference runs (no log line, no loaded model). */
  gpuDetected: boolean | null;
  /** The log line or API fact the verdict rests on. */
  evidence: string | null;
}

/** The workspace (EFS) as the host has it mounted; judged only when the deployment asked for one. */
export interface WorkspaceStatus {
  /** False when it could not be looked at (findmnt missing). */
  checked: boolean;
  mounted: boolean;
  path: string;
  /** From the mount's source (plain NFS) or what the set-up recorded (the TLS mount's source is the local proxy). */
  fileSystemId: string | null;
  /** `tls`: through amazon-efs-utils' encrypting proxy; `plain`: NFS 4.1 straight to the mount target. */
  transit: 'tls' | 'plain' | null;
  /** A small write read back; null when nothing is mounted. */
  writable: boolean | null;
}

/** The instance set-up status file written by UserData. */
export interface UserDataStatus {
  present: boolean;
  stage: string | null;
  outcome: string | null;
  message: string | null;
}

export interface UtilizationSummary {
  /** Mean GPU utilization over GPUs that report it. */
  gpuPercentAvg: number | null;
  memoryUsedMiB: number | null;
  memoryTotalMiB: number | null;
}

/** What the user or the state machine is told about the GPU host. `healthy` means no failures. */
export interface HealthReport {
  healthy: boolean;
  checkedAt: string;
  hostname: string;
  driverVersion: string | null;
  cudaVersion: string | null;
  gpus: GpuReading[];
  docker: DockerStatus;
  ollama: OllamaStatus;
  userData: UserDataStatus | null;
  workspace: WorkspaceStatus;
  failures: HealthFailure[];
  utilization: UtilizationSummary;
}

/** What the instance type promises: EC2's GpuInfo model and count (e.g. g5.xlarge: one A10G). */
export interface GpuExpectation {
  gpuModel: string;
  gpuCount: number;
  /** The workspace the deployment asked for: it must be mounted (and be this file system). */
  workspace?: { fileSystemId: string };
}
