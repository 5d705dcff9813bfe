/**
 * Adapter for EC2 `DescribeSpotPriceHistory`: the current spot price of an instance type in each zone.
 */
import {
  DescribeSpotPriceHistoryCommand,
  type EC2Client,
  type Filter,
  type SpotPrice,
  type _InstanceType,
} from '@aws-sdk/client-ec2';
import { toProjectError } from '../aws/classify.js';

export interface ZoneSpotPrice {
  usdPerHour: number;
  /** ISO-8601 time the price took effect. */
  timestamp: string;
}

export interface SpotPriceQuery {
  instanceType: string;
  region: string;
  /** Only these availability zones (names, e.g. `us-east-1a`); default all. */
  zones?: readonly string[];
  /** Asking from `now` makes AWS return just the price in effect now, per zone (default: the current time). */
  now?: Date;
}

// VPC and classic descriptions both exist in the history; both are what a Linux instance in a VPC pays today.
const LINUX_PRODUCT_DESCRIPTIONS = ['Linux/UNIX', 'Linux/UNIX (Amazon VPC)'];
const MAX_PAGES = 50;

/**
 * Keeps the newest usable price per zone: zero, negative or non-numeric prices are dropped, and so are zones of
 * another region (a client configured for the wrong region must not leak its prices in). Ties on time keep the
 * lower price, so the result does not depend on answer order.
 *
 * @example
 * newestPerZone([{ AvailabilityZone: 'us-east-1a', SpotPrice: '0.35', Timestamp: new Date() }], 'us-east-1')
 */
export const newestPerZone = (prices: readonly SpotPrice[], region: string): Record<string, ZoneSpotPrice> => {
  const best = new Map<string, { usdPerHour: number; time: number }>();
  for (const price of prices) {
    const zone = price.AvailabilityZone;
    const usdPerHour = Number(price.SpotPrice);
    const time = price.Timestamp?.getTime();
    if (zone === undefined || !zone.startsWith(region) || time === undefined || Number.isNaN(time)) continue;
    // Number('') is 0 and Number('abc') is NaN: both fail this test.
    if (!(usdPerHour > 0) || !Number.isFinite(usdPerHour)) continue;
    const current = best.get(zone);
    if (current === undefined || time > current.time || (time === current.time && usdPerHour < current.usdPerHour)) {
      best.set(zone, { usdPerHour, time });
    }
  }
  return Object.fromEntries(
    [...best.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([zone, { usdPerHour, time }]) => [zone, { usdPerHour, timestamp: new Date(time).toISOString() }]),
  );
};

/**
 * The current Linux spot price per availability zone, e.g. `{ 'us-east-1a': { usdPerHour: 0.35, timestamp } }`.
 * A zone is missing when AWS has no spot price for the type there (not offered, or no spot market).
 *
 * @example
 * const prices = await getSpotPrices(new EC2Client({ region: 'us-east-1' }), { instanceType: 'g5.xlarge', region: 'us-east-1' });
 */
export const getSpotPrices = async (
  ec2: EC2Client,
  { instanceType, region, zones, now = new Date() }: SpotPriceQuery,
): Promise<Record<string, ZoneSpotPrice>> => {
  const filters: Filter[] =
    zones === undefined || zones.length === 0 ? [] : [{ Name: 'availability-zone', Values: [...zones] }];
  const prices: SpotPrice[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const response = await ec2
      .send(
        new DescribeSpotPriceHistoryCommand({
          // The SDK types this as a closed union; new types reach AWS fine as plain strings.
          InstanceTypes: [instanceType as _InstanceType],
          ProductDescriptions: LINUX_PRODUCT_DESCRIPTIONS,
          StartTime: now,
          ...(filters.length > 0 ? { Filters: filters } : {}),
          MaxResults: 1000,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      )
      .catch((error: unknown) => {
        throw toProjectError(error, 'ec2:DescribeSpotPriceHistory');
      });
    prices.push(...(response.SpotPriceHistory ?? []));
    nextToken = response.NextToken === '' ? undefined : response.NextToken;
    if (nextToken === undefined) break;
  }
  const wanted = zones === undefined || zones.length === 0 ? undefined : new Set(zones);
  return Object.fromEntries(
    Object.entries(newestPerZone(prices, region)).filter(([zone]) => wanted === undefined || wanted.has(zone)),
  );
};
