/**
 * Alternatives to suggest when a type cannot be launched, and how they enter an error. Pure and free of SDK imports,
 * so the Launch function can word its CapacityUnavailableError without carrying the lookups.
 */
import { GpuDeployError } from '../errors.js';

/** Another NVIDIA type that could serve the request: plain JSON (it travels in the plan). */
export interface Alternative {
  instanceType: string;
  gpu: { model: string; count: number; memoryGiB: number };
  vcpus: number;
  /** On-demand USD per hour, when known. */
  onDemandHourly?: number;
  /** Where the price came from: `pricing-api`, or `snapshot <date>`. */
  priceSource?: string;
  /** `within` when the vCPU quota of its bucket is known to fit it, `unknown` when the quota could not be read. */
  quota: 'within' | 'unknown';
}

/** The alternatives as a short phrase: `try g6.xlarge ($0.80/h, 1 x L4 22 GiB) or g6.2xlarge (…)`. */
export function describeAlternatives(alternatives: readonly Alternative[]): string {
  if (alternatives.length === 0) return '';
  const one = (a: Alternative): string =>
    `${a.instanceType} (${a.onDemandHourly === undefined ? 'price unknown' : `$${a.onDemandHourly.toFixed(2)}/h`}, ${a.gpu.count} x ${a.gpu.model} ${a.gpu.memoryGiB} GiB)`;
  const parts = alternatives.map(one);
  const last = parts.pop();
  return `try ${parts.length > 0 ? `${parts.join(', ')} or ${last}` : last}`;
}

/**
 * The same error (same class and name) with the alternatives in its message and `details.alternatives`. Step
 * Functions keeps only the message as `Cause`, so the suggestion must be in it.
 *
 * @example
 * throw withAlternatives(new CapacityUnavailableError('No capacity for g5.xlarge'), plan.alternatives ?? []);
 */
export function withAlternatives<E extends GpuDeployError>(error: E, alternatives: readonly Alternative[], region?: string): E {
  const Ctor = error.constructor as new (message: string, options: { hint?: string; cause?: unknown; details?: Record<string, unknown> }) => E;
  const phrase = describeAlternatives(alternatives);
  const message = phrase ? `${error.message}. Other NVIDIA types offered${region ? ` in ${region}` : ''} that fit: ${phrase}` : error.message;
  return new Ctor(message, {
    ...(error.hint === undefined ? {} : { hint: error.hint }),
    ...(error.cause === undefined ? {} : { cause: error.cause }),
    details: { ...(error.details ?? {}), alternatives },
  });
}
