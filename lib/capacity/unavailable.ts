import { TtlCache } from '../cache.js';
import type { LaunchAttempt } from './plan.js';

/**
 * Offerings (region, type, zone, market) that just ran out of capacity, remembered for a few minutes so the next
 * deployment in this warm Lambda or CLI process tries them last (Karpenter keeps the same cache for 3 minutes).
 */
export const UNAVAILABLE_TTL_MS = 3 * 60 * 1000;
const cache = new TtlCache<string, true>({ ttlMs: UNAVAILABLE_TTL_MS });

const key = (region: string, instanceType: string, zone: string, market: string): string => `${region}|${instanceType}|${zone}|${market}`;

export function markUnavailable(region: string, attempt: Pick<LaunchAttempt, 'instanceType' | 'zone' | 'market'>): void {
  cache.set(key(region, attempt.instanceType, attempt.zone, attempt.market), true);
}

/** `zone|market` pairs of the type that failed recently, in the form buildLaunchPlan takes. */
export function recentlyUnavailable(region: string, instanceType: string, zones: readonly string[]): Set<string> {
  const recent = new Set<string>();
  for (const zone of zones) {
    for (const market of ['spot', 'on-demand']) {
      if (cache.get(key(region, instanceType, zone, market))) recent.add(`${zone}|${market}`);
    }
  }
  return recent;
}

export function clearUnavailable(): void {
  cache.clear();
}
