import {
  ArchitectureMismatchError,
  DriverUnsupportedError,
  GpuNotNvidiaError,
  InstanceTypeNotGpuError,
  InstanceTypeNotOfferedError,
  InstanceTypeUnknownError,
} from '../errors.js';
import type { DeploymentRequest, GpuSpec, InstanceTypeInfo } from '../types.js';
import { OFFLINE_INSTANCE_TYPES } from './offline-table.js';

/** Edits from `a` to `b`: insertions, deletions, substitutions, and swaps of two neighbours (`stauts` -> `status` is 1). */
function editDistance(a: string, b: string): number {
  let before: number[] = [];
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let best = Math.min((previous[j] ?? 0) + 1, (current[j - 1] ?? 0) + 1, (previous[j - 1] ?? 0) + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) best = Math.min(best, (before[j - 2] ?? 0) + 1);
      current.push(best);
    }
    before = previous;
    previous = current;
  }
  return previous[b.length] ?? 0;
}

/** The known names closest to what was typed (all at the smallest distance, within closeMatches' reach). */
export function bestMatches(typed: string, known: readonly string[]): string[] {
  const close = closeMatches(typed, known);
  const distance = (name: string): number => editDistance(typed.toLowerCase(), name);
  return close.filter((name) => distance(name) === distance(close[0] ?? ''));
}

/** Up to three known GPU types that look like what the user typed. */
export function closeMatches(instanceType: string, known: readonly string[] = OFFLINE_INSTANCE_TYPES): string[] {
  return known
    .map((type) => ({ type, distance: editDistance(instanceType.toLowerCase(), type) }))
    .filter(({ distance }) => distance <= Math.max(2, Math.floor(instanceType.length / 3)))
    .sort((a, b) => a.distance - b.distance || a.type.localeCompare(b.type))
    .slice(0, 3)
    .map(({ type }) => type);
}

/** A partition of one GPU (g6f): EC2 counts no whole GPU, or describes a GpuPartitionSize below 1. */
export const isFractionalGpu = (gpu: Pick<GpuSpec, 'count' | 'fraction'>): boolean => gpu.count === 0 || (gpu.fraction ?? 1) < 1;

/** `1/8`, from EC2's GpuPartitionSize 0.125; `a fraction` when EC2 gave none. */
export const fractionText = (fraction: number | undefined): string => (fraction && fraction > 0 && fraction < 1 ? `1/${Math.round(1 / fraction)}` : 'a fraction');

/**
 * A fractional-GPU type (g6f, gr6f: EC2 describes GpuInfo Count 0 and a GpuPartitionSize below 1) is refused before
 * anything is launched. Its instance gets a partition of one GPU that only NVIDIA's GRID (vGPU) guest driver can
 * drive; the Deep Learning AMIs and the standard-AMI path install the data-center driver, which does not bind to it,
 * so such a launch could only fail its health check and roll back.
 */
function fractionalGpuError(instanceType: string, gpu: NonNullable<InstanceTypeInfo['gpu']>): DriverUnsupportedError {
  const family = instanceType.split('.')[0] ?? instanceType;
  const whole = family.replace(/f$/, '');
  return new DriverUnsupportedError(
    `${instanceType} has ${fractionText(gpu.fraction)} of an NVIDIA ${gpu.model} (a fractional GPU), which needs NVIDIA's GRID (vGPU) driver; gpu-deploy's images carry the data-center driver, which cannot drive a GPU partition`,
    {
      hint: `Choose a type with whole ${gpu.model} GPUs: gpu-deploy gpus --instance-type '${whole}.*' lists them`,
      details: { instanceType, gpuFraction: gpu.fraction ?? null, gpuModel: gpu.model },
    },
  );
}

/**
 * Checks that the requested type can serve a GPU deployment in the region. Pure: takes what EC2 said.
 *
 * @throws InstanceTypeUnknownError | InstanceTypeNotGpuError | GpuNotNvidiaError | DriverUnsupportedError (a fractional
 *   GPU) | ArchitectureMismatchError | InstanceTypeNotOfferedError
 */
export function validateInstanceType(
  request: DeploymentRequest,
  info: InstanceTypeInfo | undefined,
  zones: readonly string[],
): InstanceTypeInfo & { gpu: NonNullable<InstanceTypeInfo['gpu']> } {
  const { instanceType, region, architecture } = request;
  if (!info) {
    const matches = closeMatches(instanceType);
    throw new InstanceTypeUnknownError(`EC2 has no instance type "${instanceType}"`, {
      hint: matches.length > 0 ? `Did you mean ${matches.join(', ')}? Set instanceType to one of them` : 'Set instanceType to an NVIDIA GPU type such as g5.xlarge; `gpu-deploy gpus` lists them',
      details: { instanceType, closeMatches: matches },
    });
  }
  const { gpu } = info;
  if (!gpu) {
    throw new InstanceTypeNotGpuError(`${instanceType} has no GPU`, {
      hint: 'Choose a GPU instance type such as g5.xlarge or g6.xlarge; `gpu-deploy gpus` lists them',
      details: { instanceType },
    });
  }
  if (gpu.manufacturer.toUpperCase() !== 'NVIDIA') {
    throw new GpuNotNvidiaError(`${instanceType} has an ${gpu.manufacturer} ${gpu.model} GPU; gpu-deploy needs NVIDIA (CUDA)`, {
      hint: 'Choose an NVIDIA type such as g4dn.xlarge (T4) or g5.xlarge (A10G)',
      details: { instanceType, manufacturer: gpu.manufacturer },
    });
  }
  if (isFractionalGpu(gpu)) throw fractionalGpuError(instanceType, gpu);
  if (!info.architectures.includes(architecture)) {
    const supported = info.architectures.join(', ');
    throw new ArchitectureMismatchError(`${instanceType} runs ${supported}, but the request asks for ${architecture}`, {
      hint: `Set architecture to ${info.architectures[0] ?? 'a supported one'} (e.g. --architecture ${info.architectures[0] ?? 'x86_64'})`,
      details: { instanceType, requested: architecture, supported: info.architectures },
    });
  }
  if (zones.length === 0) {
    throw new InstanceTypeNotOfferedError(`${instanceType} is not offered in ${region}`, {
      hint: 'Choose another region that offers it, or another GPU type; `gpu-deploy gpus --region R` lists what a region offers',
      details: { instanceType, region },
    });
  }
  return { ...info, gpu };
}
