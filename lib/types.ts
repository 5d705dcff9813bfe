/** Shared vocabulary of gpu-deploy. Import with `import type`. */

// The request's choices are declared with its other values (lib/request-fields.ts, below the schema); this shared
// vocabulary re-exports them, so neither the schema nor this module imports the other both ways.
export { AMI_FALLBACKS, AMI_TYPES, ARCHITECTURES, INTERRUPTION_ACTIONS, MARKETS, OS_TYPES } from './request-fields.js';
export type { AmiFallback, AmiType, Architecture, InterruptionAction, Market, MarketChoice, OsType } from './request-fields.js';
import type { Architecture } from './request-fields.js';

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
