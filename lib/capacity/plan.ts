import { LaunchPlanEmptyError } from '../errors.js';
import type { Market, MarketChoice } from '../types.js';
import { SPOT_SCORE_THRESHOLD } from './placement.js';
import { howToRaise, quotaBucket, type VcpuQuota } from './quotas.js';

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
  /** The region (for the quota hint). */
  region?: string;
  /** vCPUs of one instance of the type: compared with the vCPU quotas. */
  vcpus?: number;
  /** The account's vCPU quotas as read (known or unknown); only those of the type's bucket count. */
  quotas?: readonly VcpuQuota[];
  /** Spot placement score (1-10) per zone; undefined when the scores are unknown. */
  placementScores?: Readonly<Record<string, number>>;
  /** Spot below this score is not planned in `auto` and tried last in `spot` (default 3). */
  scoreThreshold?: number;
}

export interface LaunchPlan {
  attempts: LaunchAttempt[];
  /** What shaped the plan that the attempts alone do not show (quota unknown or short, low placement scores). */
  notes: string[];
}

const roundPrice = (value: number): number => Math.round(value * 10_000) / 10_000;

function spotAttempts(input: PlanInput, cap: number): LaunchAttempt[] {
  const { instanceType, zones, market, onDemandHourly, spotPrices } = input;
  const spotCeiling = Math.min(cap, market === 'auto' ? (onDemandHourly ?? cap) : cap);
  const spot: LaunchAttempt[] = [];
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
  return spot;
}

/** Orders spot by placement score (high first; zones without a score after scored ones, low scores last), then price. */
function orderSpot(spot: LaunchAttempt[], scores: Readonly<Record<string, number>> | undefined, threshold: number): LaunchAttempt[] {
  const score = (a: LaunchAttempt): number | undefined => scores?.[a.zone];
  const group = (a: LaunchAttempt): number => {
    const s = score(a);
    return s === undefined ? 1 : s < threshold ? 2 : 0;
  };
  return [...spot].sort(
    (a, b) =>
      group(a) - group(b) ||
      (score(b) ?? 0) - (score(a) ?? 0) ||
      (a.expectedHourly ?? 0) - (b.expectedHourly ?? 0) ||
      a.zone.localeCompare(b.zone),
  );
}

const quotaLabel = (q: VcpuQuota): string => `"${q.name}" (${q.code})`;

/**
 * Orders the launch attempts (zone x market) for one instance type, and says what shaped them. Pure.
 * `auto`: spot first in the zones where it saves money (by placement score when known, then cheapest), then
 * on-demand in every zone. Attempts above `maxHourlyPrice` are dropped; a market whose known vCPU quota is below
 * the type's vCPUs is dropped; spot scoring below the threshold is dropped in `auto` and tried last in `spot`;
 * zones that just ran out of capacity go last.
 *
 * @example
 * planLaunch({ instanceType: 'g5.xlarge', zones: ['us-east-1a'], market: 'auto', onDemandHourly: 1.006, spotPrices: { 'us-east-1a': 0.4 } });
 * // { attempts: [{ zone: 'us-east-1a', market: 'spot', … }, { zone: 'us-east-1a', market: 'on-demand', … }], notes: [] }
 * @throws LaunchPlanEmptyError when no attempt fits the request, naming the quota to raise when a quota is why
 */
export function planLaunch(input: PlanInput): LaunchPlan {
  const { instanceType, zones, market, maxHourlyPrice, onDemandHourly, spotPrices, vcpus } = input;
  const threshold = input.scoreThreshold ?? SPOT_SCORE_THRESHOLD;
  const cap = maxHourlyPrice ?? Number.POSITIVE_INFINITY;
  const notes: string[] = [];
  const why: string[] = [];
  let spot = market === 'on-demand' ? [] : spotAttempts(input, cap);
  const onDemandOverCap = market !== 'spot' && onDemandHourly !== undefined && onDemandHourly > cap;
  let onDemand: LaunchAttempt[] =
    market === 'spot' || onDemandOverCap
      ? []
      : zones.map((zone) => ({
          zone,
          market: 'on-demand' as const,
          instanceType,
          ...(onDemandHourly === undefined ? {} : { expectedHourly: roundPrice(onDemandHourly) }),
          reason: onDemandHourly === undefined ? 'on-demand (price unknown)' : `on-demand at $${roundPrice(onDemandHourly)}/h`,
        }));

  // vCPU quotas: a known quota below one instance drops its market; an unknown one drops nothing.
  const bucket = quotaBucket(instanceType);
  const marketsInPlay: Market[] = market === 'auto' ? ['spot', 'on-demand'] : [market];
  const relevant = (input.quotas ?? []).filter((q) => q.bucket === bucket && marketsInPlay.includes(q.market));
  const shortfalls: VcpuQuota[] = [];
  for (const quota of relevant) {
    if (quota.vcpus === undefined || vcpus === undefined || vcpus <= quota.vcpus) continue;
    const planned = quota.market === 'spot' ? spot : onDemand;
    shortfalls.push(quota);
    const text = `${instanceType} needs ${vcpus} vCPUs and the ${quotaLabel(quota)} quota is ${quota.vcpus} vCPUs`;
    why.push(text);
    if (planned.length > 0) notes.push(`${quota.market} not planned: ${text}`);
    if (quota.market === 'spot') spot = [];
    else onDemand = [];
  }
  const unknown = relevant.filter((q) => q.vcpus === undefined);
  const byReason = new Map<string, VcpuQuota[]>();
  for (const q of unknown) byReason.set(q.unknownReason ?? 'not read', [...(byReason.get(q.unknownReason ?? 'not read') ?? []), q]);
  for (const [reason, quotas] of byReason) {
    notes.push(`quota unknown: ${quotas.map(quotaLabel).join(', ')} could not be read (${reason}); ${quotas.map((q) => q.market).join(' and ')} attempts are kept`);
  }

  // Spot placement scores: order by them, mention them, and leave out (auto) or put last (spot) the low ones.
  const scores = input.placementScores;
  if (scores !== undefined && Object.keys(scores).length > 0) {
    spot = spot.map((a) => {
      const s = scores[a.zone];
      return s === undefined ? { ...a, reason: `${a.reason}, no placement score` } : { ...a, reason: `${a.reason}, placement score ${s}/10` };
    });
    const low = spot.filter((a) => (scores[a.zone] ?? threshold) < threshold);
    if (low.length > 0) {
      const list = low.map((a) => `${a.zone} (${scores[a.zone]}/10)`).join(', ');
      if (market === 'auto') {
        spot = spot.filter((a) => !low.includes(a));
        notes.push(`spot not planned in ${list}: placement score below ${threshold} of 10`);
        why.push(`spot placement scores are below ${threshold} of 10 in ${list}`);
      } else {
        notes.push(`spot in ${list} tried last: placement score below ${threshold} of 10`);
      }
    }
  }
  spot = orderSpot(spot, scores, threshold);

  const recent = input.recentlyUnavailable ?? new Set<string>();
  const isRecent = (a: LaunchAttempt): boolean => recent.has(`${a.zone}|${a.market}`);
  const attempts = [...spot, ...onDemand];
  const ordered = [...attempts.filter((a) => !isRecent(a)), ...attempts.filter(isRecent).map((a) => ({ ...a, reason: `${a.reason}; ran out of capacity recently` }))];
  if (ordered.length > 0) return { attempts: ordered, notes };

  if (why.length > 0 && onDemandOverCap) why.push(`on-demand ($${onDemandHourly}/h) is above maxHourlyPrice $${maxHourlyPrice}/h`);
  const legacy =
    market === 'spot' && Object.keys(spotPrices).length === 0
      ? 'no spot price is published for it in these zones'
      : maxHourlyPrice !== undefined
        ? `nothing is offered at or below $${maxHourlyPrice}/h (on-demand is $${onDemandHourly ?? '?'}/h)`
        : 'no zone offers it';
  const region = input.region ?? zones[0]?.replace(/[a-z]$/, '') ?? 'your region';
  const hint =
    shortfalls.length > 0
      ? `To launch ${instanceType}, ${shortfalls.map((q) => howToRaise(q, vcpus ?? 0, region)).join('; or ')}. Or choose a type with fewer vCPUs${market === 'auto' ? '' : ', or set market to auto'}`
      : 'Raise maxHourlyPrice, set market to auto, or choose another instance type';
  throw new LaunchPlanEmptyError(`No way to launch ${instanceType} with market=${market}: ${why.length > 0 ? why.join('; ') : legacy}`, {
    hint,
    details: {
      instanceType,
      market,
      maxHourlyPrice,
      onDemandHourly,
      spotPrices,
      ...(shortfalls.length > 0 ? { vcpus, quotas: shortfalls } : {}),
      ...(scores !== undefined && why.length > 0 ? { placementScores: scores } : {}),
    },
  });
}

/**
 * The ordered launch attempts alone (see `planLaunch`).
 *
 * @example
 * buildLaunchPlan({ instanceType: 'g5.xlarge', zones: ['us-east-1a'], market: 'auto', onDemandHourly: 1.006, spotPrices: { 'us-east-1a': 0.4 } });
 * // [{ zone: 'us-east-1a', market: 'spot', … }, { zone: 'us-east-1a', market: 'on-demand', … }]
 * @throws LaunchPlanEmptyError when no attempt fits the request
 */
export function buildLaunchPlan(input: PlanInput): LaunchAttempt[] {
  return planLaunch(input).attempts;
}
