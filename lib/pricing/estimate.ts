/**
 * The cost estimate of a deployment: instance plus gp3 root volume, per hour, day and month, and what spot saves.
 * Pure: prices come in as data, so the same numbers result whichever source supplied them.
 */
import { RequestInvalidError } from '../errors.js';
import type { Market } from '../types.js';
import { PRICE_SNAPSHOT } from './snapshot.js';

/** AWS bills a month as 730 hours (365 × 24 / 12). */
export const HOURS_PER_MONTH = 730;
export const HOURS_PER_DAY = 24;

export interface PriceSourceRef {
  source: string;
  asOf?: string;
}

export interface EstimateInput {
  instanceType: string;
  region: string;
  market: Market;
  onDemand: { usdPerHour: number; source: string; asOf?: string };
  spot?: { usdPerHour: number; zone: string; timestamp: string; source?: string };
  rootVolumeGiB: number;
  gp3UsdPerGbMonth: number;
  /** Where the gp3 price came from (default: the offline snapshot, its only provider today). */
  gp3Source?: PriceSourceRef;
}

export interface EstimateSource {
  what: 'on-demand-price' | 'spot-price' | 'gp3-price';
  source: string;
  asOf?: string;
  timestamp?: string;
  zone?: string;
}

export interface CostEstimate {
  instanceType: string;
  region: string;
  market: Market;
  currency: 'USD';
  instance: { onDemandHourly: number; spotHourly?: number; hourly: number };
  volume: { gib: number; hourly: number; monthly: number };
  total: { hourly: number; daily: number; monthly: number };
  /** Spot against on-demand for the instance; `percent` is of the on-demand instance price. */
  savings?: { hourly: number; monthly: number; percent: number };
  sources: EstimateSource[];
  /** With a workspace: its storage per month at today's size, billed apart from the instance (not in `total`). */
  workspace?: import('../workspace/price.js').WorkspaceStorageEstimate;
}

// All arithmetic is on integer micro-dollars per month (exact in a double far beyond any real bill), divided and
// rounded once at the end, so 0.1 + 0.2-style drift cannot reach the output.
const MICRO = 1_000_000;

const toMicro = (usd: number, what: string): number => {
  if (!Number.isFinite(usd) || usd < 0) {
    throw new RequestInvalidError(`${what} must be a non-negative number of dollars, got ${usd}`, {
      hint: 'Pass prices as numbers of USD, e.g. 1.006.',
    });
  }
  return Math.round(usd * MICRO);
};

/** Half-up rounding of the exact ratio n/d of non-negative integers: the float quotient is close enough that .5 is exact. */
const roundRatio = (n: number, d: number): number => Math.round(n / d);

/** Micro-dollars per month → USD per hour, 4 decimals. */
const hourlyUsd = (microPerMonth: number): number => roundRatio(microPerMonth, HOURS_PER_MONTH * 100) / 10_000;
/** Micro-dollars per month → USD per day, 2 decimals. */
const dailyUsd = (microPerMonth: number): number => roundRatio(microPerMonth * HOURS_PER_DAY, HOURS_PER_MONTH * 10_000) / 100;
/** Micro-dollars per month → USD per month, 2 decimals. */
const monthlyUsd = (microPerMonth: number): number => roundRatio(microPerMonth, 10_000) / 100;

/**
 * Estimates what an instance and its gp3 root volume cost in the chosen market.
 *
 * @throws RequestInvalidError for negative or non-numeric prices or sizes, or `market: 'spot'` without a spot price.
 * @example
 * estimateCost({
 *   instanceType: 'g5.xlarge', region: 'us-east-1', market: 'spot',
 *   onDemand: { usdPerHour: 1.006, source: 'pricing-api' },
 *   spot: { usdPerHour: 0.35, zone: 'us-east-1a', timestamp: '2025-01-01T00:00:00.000Z' },
 *   rootVolumeGiB: 100, gp3UsdPerGbMonth: 0.08,
 * }).total // { hourly: 0.361, daily: 8.66, monthly: 263.5 }
 */
export const estimateCost = (input: EstimateInput): CostEstimate => {
  const { instanceType, region, market, onDemand, spot, rootVolumeGiB } = input;
  if (!Number.isInteger(rootVolumeGiB) || rootVolumeGiB < 0) {
    throw new RequestInvalidError(`rootVolumeGiB must be a whole number of GiB, got ${rootVolumeGiB}`, {
      hint: 'Set rootVolumeGiB to a whole number such as 100.',
    });
  }
  if (market === 'spot' && spot === undefined) {
    throw new RequestInvalidError(`No spot price for ${instanceType} in ${region} to estimate a spot launch`, {
      hint: 'Pass the spot price of the chosen zone, or estimate the on-demand market.',
    });
  }
  const onDemandMonthly = toMicro(onDemand.usdPerHour, 'onDemand.usdPerHour') * HOURS_PER_MONTH;
  const spotMonthly = spot === undefined ? undefined : toMicro(spot.usdPerHour, 'spot.usdPerHour') * HOURS_PER_MONTH;
  const instanceMonthly = market === 'spot' && spotMonthly !== undefined ? spotMonthly : onDemandMonthly;
  const volumeMonthly = toMicro(input.gp3UsdPerGbMonth, 'gp3UsdPerGbMonth') * rootVolumeGiB;
  const totalMonthly = instanceMonthly + volumeMonthly;

  const gp3Source = input.gp3Source ?? { source: 'snapshot', asOf: PRICE_SNAPSHOT.asOf };
  const sources: EstimateSource[] = [
    { what: 'on-demand-price', source: onDemand.source, ...(onDemand.asOf === undefined ? {} : { asOf: onDemand.asOf }) },
    ...(spot === undefined
      ? []
      : [{ what: 'spot-price' as const, source: spot.source ?? 'ec2-spot-price-history', timestamp: spot.timestamp, zone: spot.zone }]),
    { what: 'gp3-price', source: gp3Source.source, ...(gp3Source.asOf === undefined ? {} : { asOf: gp3Source.asOf }) },
  ];

  const savedMonthly = spotMonthly === undefined ? undefined : onDemandMonthly - spotMonthly;
  return {
    instanceType,
    region,
    market,
    currency: 'USD',
    instance: {
      onDemandHourly: hourlyUsd(onDemandMonthly),
      ...(spotMonthly === undefined ? {} : { spotHourly: hourlyUsd(spotMonthly) }),
      hourly: hourlyUsd(instanceMonthly),
    },
    volume: { gib: rootVolumeGiB, hourly: hourlyUsd(volumeMonthly), monthly: monthlyUsd(volumeMonthly) },
    total: { hourly: hourlyUsd(totalMonthly), daily: dailyUsd(totalMonthly), monthly: monthlyUsd(totalMonthly) },
    ...(savedMonthly === undefined
      ? {}
      : {
          savings: {
            hourly: Math.sign(savedMonthly) * hourlyUsd(Math.abs(savedMonthly)),
            monthly: Math.sign(savedMonthly) * monthlyUsd(Math.abs(savedMonthly)),
            percent:
              onDemandMonthly === 0 ? 0 : (Math.sign(savedMonthly) * roundRatio(Math.abs(savedMonthly) * 1000, onDemandMonthly)) / 10,
          },
        }),
    sources,
  };
};
