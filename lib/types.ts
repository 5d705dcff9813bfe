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

// The request's own types come from its one declaration (lib/request-schema.ts); a type-only import, so nothing
// of zod loads with this module.
/** A deployment request after defaults are applied. The state machine's input contract (schemaVersion 1). */
export type DeploymentRequest = import('./request-schema.js').ParsedRequest;
/** The Ollama container: enabled, image, visibleDevices (NVIDIA_VISIBLE_DEVICES), maxVramMiB?, model?. */
export type OllamaOptions = DeploymentRequest['ollama'];
/** Idle teardown: the instance shuts itself down (and so terminates) after `minutes` idle one-minute samples. */
export type IdleTeardown = NonNullable<DeploymentRequest['idleTeardown']>;
export type Timeouts = DeploymentRequest['timeouts'];
/** The workspace the request asks for: an EFS file system by name, mounted at /workspace. */
export type WorkspaceRequest = NonNullable<DeploymentRequest['workspace']>;

export interface GpuSpec {
  manufacturer: string;
  model: string;
  /** Whole GPUs: 0 for a fractional-GPU type (g6f), whose instance gets a partition of one GPU. */
  count: number;
  memoryMiB: number;
  /** The share of one GPU a fractional-GPU type gets (EC2's GpuPartitionSize, e.g. 0.125 for g6f.large); absent for whole GPUs. */
  fraction?: number;
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
