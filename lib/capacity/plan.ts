import { LaunchPlanEmptyError } from '../errors.js';
import type { Market, MarketChoice } from '../types.js';

export interface LaunchAttempt {
  zone: string;
  market: Market;
  instanceType: string;
  /** Spot only: the most we agree to pay per hour (the request's cap, else the on-demand price). */
  maxPrice?: number;
  /** Expected hourly price of this attempt, when known. */
  expectedHourly?: number;
  reason: string;
}

export interface PlanInput {
  instanceType: string;
  zones: readonly string[];
  market: MarketChoice;
  maxHourlyPrice?: number;
  onDemandHourly?: number;
  spotPrices: Readonly<Record<string, number>>;
  /** `zone|market` pairs that failed for capacity moments ago: tried last, not skipped. */
  recentlyUnavailable?: ReadonlySet<string>;
}

const roundPrice = (value: number): number => Math.round(value * 10_000) / 10_000;

/**
 * Orders the launch attempts (zone x market) for one instance type. Pure.
 * `auto`: spot first in the zones where it saves money, cheapest zone first, then on-demand in every zone.
 * Attempts above `maxHourlyPrice` are dropped; zones that just ran out of capacity go last.
 *
 * @example
 * buildLaunchPlan({ instanceType: 'g5.xlarge', zones: ['us-east-1a'], market: 'auto', onDemandHourly: 1.006, spotPrices: { 'us-east-1a': 0.4 } });
 * // [{ zone: 'us-east-1a', market: 'spot', … }, { zone: 'us-east-1a', market: 'on-demand', … }]
 * @throws LaunchPlanEmptyError when no attempt fits the request
 */
export function buildLaunchPlan(input: PlanInput): LaunchAttempt[] {
  const { instanceType, zones, market, maxHourlyPrice, onDemandHourly, spotPrices } = input;
  const cap = maxHourlyPrice ?? Number.POSITIVE_INFINITY;
  const spot: LaunchAttempt[] = [];
  const onDemand: LaunchAttempt[] = [];
  if (market !== 'on-demand') {
    const spotCeiling = Math.min(cap, market === 'auto' ? (onDemandHourly ?? cap) : cap);
    for (const zone of zones) {
      const price = spotPrices[zone];
      if (price === undefined) continue;
      if (price > spotCeiling) continue;
      // auto plans spot only where it saves money; equal to on-demand saves nothing.
      if (market === 'auto' && onDemandHourly !== undefined && price >= onDemandHourly) continue;
      const percent = onDemandHourly ? Math.round((1 - price / onDemandHourly) * 100) : undefined;
      const saving = percent === undefined ? '' : percent >= 0 ? ` (${percent}% below on-demand)` : ` (${-percent}% above on-demand)`;
      spot.push({
        zone,
        market: 'spot',
        instanceType,
        expectedHourly: roundPrice(price),
        ...(Number.isFinite(spotCeiling) ? { maxPrice: roundPrice(spotCeiling) } : {}),
        reason: `spot at $${roundPrice(price)}/h${saving}`,
      });
    }
    spot.sort((a, b) => (a.expectedHourly ?? 0) - (b.expectedHourly ?? 0) || a.zone.localeCompare(b.zone));
  }
  if (market !== 'spot' && (onDemandHourly === undefined || onDemandHourly <= cap)) {
    for (const zone of zones) {
      onDemand.push({
        zone,
        market: 'on-demand',
        instanceType,
        ...(onDemandHourly === undefined ? {} : { expectedHourly: roundPrice(onDemandHourly) }),
        reason: onDemandHourly === undefined ? 'on-demand (price unknown)' : `on-demand at $${roundPrice(onDemandHourly)}/h`,
      });
    }
  }
  const recent = input.recentlyUnavailable ?? new Set<string>();
  const isRecent = (a: LaunchAttempt): boolean => recent.has(`${a.zone}|${a.market}`);
  const attempts = [...spot, ...onDemand];
  const ordered = [...attempts.filter((a) => !isRecent(a)), ...attempts.filter(isRecent).map((a) => ({ ...a, reason: `${a.reason}; ran out of capacity recently` }))];
  if (ordered.length === 0) {
    const why =
      market === 'spot' && Object.keys(spotPrices).length === 0
        ? 'no spot price is published for it in these zones'
        : maxHourlyPrice !== undefined
          ? `nothing is offered at or below $${maxHourlyPrice}/h (on-demand is $${onDemandHourly ?? '?'}/h)`
          : 'no zone offers it';
    throw new LaunchPlanEmptyError(`No way to launch ${instanceType} with market=${market}: ${why}`, {
      hint: 'Raise maxHourlyPrice, set market to auto, or choose another instance type',
      details: { instanceType, market, maxHourlyPrice, onDemandHourly, spotPrices },
    });
  }
  return ordered;
}
