/**
 * What a workspace costs to keep: EFS storage per GB-month by storage class, from a dated snapshot of AWS's public
 * EFS price list (the Pricing API is not asked: the storage price changes rarely, and `list` and `plan` must answer
 * offline too). Output that uses it names the snapshot and its date. Elastic throughput is billed per GB read and
 * written on top; it depends on use and is not estimated here.
 */
import type { WorkspaceSize } from './file-system.js';

export interface EfsStoragePrices {
  standardUsdPerGbMonth: number;
  iaUsdPerGbMonth: number;
  archiveUsdPerGbMonth: number;
}

export const EFS_PRICE_SNAPSHOT = Object.freeze({
  asOf: '2026-12-01',
  source: "Transcribed from AWS's public Amazon EFS price list (Regional storage classes); an offline snapshot that may be stale",
  /** Regions whose prices were known with confidence; others use us-east-1's (the lowest: the estimate is a floor). */
  regions: Object.freeze({
    'us-east-1': Object.freeze({ standardUsdPerGbMonth: 0.3, iaUsdPerGbMonth: 0.016, archiveUsdPerGbMonth: 0.008 }),
    'us-east-2': Object.freeze({ standardUsdPerGbMonth: 0.3, iaUsdPerGbMonth: 0.016, archiveUsdPerGbMonth: 0.008 }),
    'us-west-2': Object.freeze({ standardUsdPerGbMonth: 0.3, iaUsdPerGbMonth: 0.016, archiveUsdPerGbMonth: 0.008 }),
  }) as Readonly<Record<string, EfsStoragePrices>>,
  /** Per GB read and written with Elastic throughput, us-east-1 (not in the storage estimate). */
  elasticUsdPerGb: Object.freeze({ read: 0.03, write: 0.06 }),
});

const FALLBACK_REGION = 'us-east-1';
const GB = 1024 ** 3;

export interface WorkspaceStorageEstimate {
  /** What the file system holds now (metered size), in GiB, and per class. */
  storedGiB: number;
  standardGiB: number;
  iaGiB: number;
  archiveGiB: number;
  prices: EfsStoragePrices;
  /** USD per month at today's size, 2 decimals. */
  monthly: number;
  source: 'snapshot';
  asOf: string;
  /** What the figure leaves out or assumes. */
  note: string;
}

const gib = (bytes: number): number => Math.round((bytes / GB) * 1000) / 1000;

/**
 * The monthly storage cost of a workspace at its size today, billed for as long as it exists, whatever runs.
 *
 * @example
 * workspaceStorageEstimate('us-east-1', { totalBytes: 10 * 1024 ** 3, standardBytes: 10 * 1024 ** 3, iaBytes: 0, archiveBytes: 0 }).monthly; // 3
 */
export function workspaceStorageEstimate(region: string, size: WorkspaceSize): WorkspaceStorageEstimate {
  const known = EFS_PRICE_SNAPSHOT.regions[region];
  const prices = known ?? (EFS_PRICE_SNAPSHOT.regions[FALLBACK_REGION] as EfsStoragePrices);
  const usd = (size.standardBytes / GB) * prices.standardUsdPerGbMonth + (size.iaBytes / GB) * prices.iaUsdPerGbMonth + (size.archiveBytes / GB) * prices.archiveUsdPerGbMonth;
  return {
    storedGiB: gib(size.totalBytes),
    standardGiB: gib(size.standardBytes),
    iaGiB: gib(size.iaBytes),
    archiveGiB: gib(size.archiveBytes),
    prices,
    monthly: Math.round(usd * 100) / 100,
    source: 'snapshot',
    asOf: EFS_PRICE_SNAPSHOT.asOf,
    note: `${known ? '' : `no snapshot price for ${region}: ${FALLBACK_REGION}'s; `}billed while the workspace exists, also when no instance runs; Elastic throughput reads ($${EFS_PRICE_SNAPSHOT.elasticUsdPerGb.read}/GB) and writes ($${EFS_PRICE_SNAPSHOT.elasticUsdPerGb.write}/GB) come on top`,
  };
}
