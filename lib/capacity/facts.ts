import type { VcpuQuota } from './quotas.js';
import type { Alternative } from './suggest.js';

/** What PlanCapacity learns about capacity besides the attempts: it travels in the plan (plain JSON). */
export interface CapacityFacts {
  /** Other NVIDIA types to suggest if nothing can be launched: computed up front, Launch has no time to look. */
  alternatives: Alternative[];
  /** The vCPU quotas of the type's bucket for the markets in play, known or with the reason they are not. */
  quotas: VcpuQuota[];
  /** Spot placement score (1-10) per zone, when EC2 gave scores. */
  placementScores?: Record<string, number>;
}
