/** Shared vocabulary of gpu-deploy. Import with `import type`. */

export const OS_TYPES = ['ubuntu-22.04', 'ubuntu-24.04', 'amazon-linux-2023', 'amazon-linux-2'] as const;
export type OsType = (typeof OS_TYPES)[number];

export const ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type Architecture = (typeof ARCHITECTURES)[number];

export const AMI_TYPES = ['base', 'pytorch', 'tensorflow', 'multi-framework'] as const;
export type AmiType = (typeof AMI_TYPES)[number];

export const MARKETS = ['auto', 'spot', 'on-demand'] as const;
export type MarketChoice = (typeof MARKETS)[number];
export type Market = 'spot' | 'on-demand';

/** What a spot interruption of the deployment's instance does: only notify (default), or start it again. */
export const INTERRUPTION_ACTIONS = ['notify', 'relaunch'] as const;
export type InterruptionAction = (typeof INTERRUPTION_ACTIONS)[number];

/**
 * When no DLAMI of the asked type exists: `standard` takes the plain OS image and installs the driver (the default
 * for `base`), `none` fails with AmiNotFoundError (the default for framework types, which the plain OS lacks).
 */
export const AMI_FALLBACKS = ['standard', 'none'] as const;
export type AmiFallback = (typeof AMI_FALLBACKS)[number];

/** How the AMI was found; `standard-fallback` means no DLAMI exists and UserData must install the driver. */
export type AmiSource = 'ssm-parameter' | 'describe-images' | 'cache' | 'standard-fallback';

export interface OllamaOptions {
  /** Run the Ollama container (default true). The Docker GPU runtime is configured either way. */
  enabled: boolean;
  /** Container image (default `ollama/ollama:latest`). */
  image: string;
  /** `all` or a comma-separated list of GPU indexes, passed as NVIDIA_VISIBLE_DEVICES. */
  visibleDevices: string;
  /** VRAM Ollama may use per GPU, in MiB; unset means no limit. */
  maxVramMiB?: number;
  /** A model to pull once the server is up (e.g. `llama3.2:1b`). */
  model?: string;
}

/** Idle teardown: the instance shuts itself down (and so terminates) after `minutes` idle one-minute samples. */
export interface IdleTeardown {
  minutes: number;
  /** A sample is idle when every GPU's utilization is below this (default 5). */
  gpuUtilizationBelowPercent: number;
}

export interface Timeouts {
  runningSeconds: number;
  managedSeconds: number;
  verifySeconds: number;
}

/** A deployment request after defaults are applied. The state machine's input contract (schemaVersion 1). */
export interface DeploymentRequest {
  instanceType: string;
  region: string;
  osType: OsType;
  architecture: Architecture;
  amiType: AmiType;
  market: MarketChoice;
  maxHourlyPrice?: number;
  rootVolumeGiB: number;
  subnetId?: string;
  ollama: OllamaOptions;
  timeouts: Timeouts;
  tags: Record<string, string>;
  /** Spot interruption warning: `notify` (default) publishes an event; `relaunch` also starts the same request again. */
  onInterruption?: InterruptionAction;
  /** IAM instance profile for the instance (SSM needs one); default: the stack's, else `gpu-deploy-ssm`. */
  instanceProfile?: string;
  /** Minutes from launch after which the deployment is torn down; unset means no lifetime. */
  maxLifetimeMinutes?: number;
  /** Tear down after this many idle minutes; unset means no idle teardown. */
  idleTeardown?: IdleTeardown;
  /** What happens when no DLAMI of amiType exists; default `standard` for base, `none` for framework types. */
  amiFallback?: AmiFallback;
}

export interface GpuSpec {
  manufacturer: string;
  model: string;
  count: number;
  memoryMiB: number;
}

export interface InstanceTypeInfo {
  instanceType: string;
  gpu: GpuSpec | null;
  vcpus: number;
  memoryMiB: number;
  architectures: Architecture[];
  /** `ec2` when DescribeInstanceTypes answered, `offline-table` when the dated table was used. */
  source: 'ec2' | 'offline-table';
}

export interface ResolvedAmi {
  imageId: string;
  name: string;
  creationDate: string;
  architecture: Architecture;
  source: AmiSource;
  /** True when the image has no NVIDIA driver and UserData must install it. */
  needsDriver: boolean;
}
