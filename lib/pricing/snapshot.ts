/**
 * A dated, offline table of on-demand Linux prices and gp3 storage prices, used only when the Pricing API cannot be
 * reached (no network, no credentials, the local emulator). Output that used it must say so: every lookup returns
 * `source: 'snapshot'` and the table's `asOf`.
 *
 * Cells are left out where the transcriber was not sure of the region's price; a missing cell means "unknown",
 * never "not sold".
 */

export interface PriceSnapshot {
  /** The date the prices were known to be current (ISO-8601 date). */
  asOf: string;
  source: string;
  currency: 'USD';
  /** region → instance type → USD per hour, on-demand, Linux, shared tenancy. */
  onDemandLinuxUsdPerHour: Readonly<Record<string, Readonly<Record<string, number>>>>;
  /** region → USD per GB-month of gp3 storage (baseline 3000 IOPS / 125 MB/s, which are free). */
  gp3UsdPerGbMonth: Readonly<Record<string, number>>;
  notes: readonly string[];
}

// Same price in us-east-1 and us-west-2 for all of these types.
const US_EAST_WEST: Readonly<Record<string, number>> = {
  'g4dn.xlarge': 0.526,
  'g4dn.2xlarge': 0.752,
  'g4dn.12xlarge': 3.912,
  'g5.xlarge': 1.006,
  'g5.2xlarge': 1.212,
  'g5.12xlarge': 5.672,
  'g5.48xlarge': 16.288,
  'g5g.xlarge': 0.42,
  'g5g.2xlarge': 0.556,
  'g6.xlarge': 0.8048,
  'g6.2xlarge': 0.9776,
  'g6e.xlarge': 1.861,
  'g6e.2xlarge': 2.24208,
  'p3.2xlarge': 3.06,
  'p4d.24xlarge': 32.7726,
  'p5.48xlarge': 98.32,
};

/**
 * The snapshot. Frozen so no caller can edit prices in place.
 *
 * @example
 * PRICE_SNAPSHOT.onDemandLinuxUsdPerHour['us-east-1']?.['g5.xlarge'] // 1.006
 */
export const PRICE_SNAPSHOT: PriceSnapshot = Object.freeze({
  asOf: '2025-01-01',
  source:
    "Transcribed from AWS's public EC2 on-demand price list (Linux, shared tenancy) and EBS gp3 price list; " +
    'an offline fallback that may be stale. The Pricing API is the authority.',
  currency: 'USD',
  onDemandLinuxUsdPerHour: Object.freeze({
    'us-east-1': Object.freeze({ ...US_EAST_WEST }),
    'us-west-2': Object.freeze({ ...US_EAST_WEST }),
    'eu-west-1': Object.freeze({
      'g4dn.xlarge': 0.587,
      'g4dn.2xlarge': 0.838,
      'g5.xlarge': 1.123,
      'g5.2xlarge': 1.353,
      'p3.2xlarge': 3.305,
    }),
    'eu-central-1': Object.freeze({
      'g4dn.xlarge': 0.658,
      'g4dn.2xlarge': 0.94,
      'g5.xlarge': 1.258,
      'p3.2xlarge': 3.823,
    }),
    'ap-northeast-1': Object.freeze({
      'g4dn.xlarge': 0.71,
      'g4dn.2xlarge': 1.015,
      'p3.2xlarge': 4.194,
    }),
  }),
  gp3UsdPerGbMonth: Object.freeze({
    'us-east-1': 0.08,
    'us-west-2': 0.08,
    'eu-west-1': 0.088,
    'eu-central-1': 0.0952,
    'ap-northeast-1': 0.096,
  }),
  notes: Object.freeze([
    'p4d.24xlarge and p5.48xlarge are the prices before AWS cut P4/P5 on-demand prices in June 2025; they are likely too high now.',
    'Regions other than us-east-1/us-west-2 list only the types whose price was known with confidence.',
  ]),
});

export interface SnapshotPrice {
  usdPerHour: number;
  source: 'snapshot';
  asOf: string;
}

/**
 * The snapshot's on-demand Linux price, or undefined when the table has no such cell.
 *
 * @example
 * getSnapshotPrice('us-east-1', 'g5.xlarge') // { usdPerHour: 1.006, source: 'snapshot', asOf: '2025-01-01' }
 */
export const getSnapshotPrice = (
  region: string,
  instanceType: string,
  snapshot: PriceSnapshot = PRICE_SNAPSHOT,
): SnapshotPrice | undefined => {
  const usdPerHour = snapshot.onDemandLinuxUsdPerHour[region]?.[instanceType];
  return usdPerHour === undefined ? undefined : { usdPerHour, source: 'snapshot', asOf: snapshot.asOf };
};

/**
 * The snapshot's gp3 price per GB-month, or undefined for a region it does not cover.
 *
 * @example
 * getSnapshotGp3Price('us-east-1') // { usdPerGbMonth: 0.08, source: 'snapshot', asOf: '2025-01-01' }
 */
export const getSnapshotGp3Price = (
  region: string,
  snapshot: PriceSnapshot = PRICE_SNAPSHOT,
): { usdPerGbMonth: number; source: 'snapshot'; asOf: string } | undefined => {
  const usdPerGbMonth = snapshot.gp3UsdPerGbMonth[region];
  return usdPerGbMonth === undefined ? undefined : { usdPerGbMonth, source: 'snapshot', asOf: snapshot.asOf };
};
