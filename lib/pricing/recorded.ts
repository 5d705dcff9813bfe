/**
 * Readers for the price documents shipped in `local/pricing/`, which the local Pricing stand-in serves and the
 * local run uses for spot prices. They are synthetic documents in the real AWS shapes, built from the dated
 * snapshot (see local/pricing/README.md) — not live recordings.
 */
import { existsSync, readFileSync } from 'node:fs';
import { findRepoRoot } from '../local/paths.js';
import { join } from 'node:path';
import { isRecord } from '../guards.js';

/** Where the documents live, relative to the repository root. */
export const RECORDED_PRICING_DIR = join('local', 'pricing');

export interface RecordedSpotPrices {
  asOf: string;
  source: string;
  /** region → instance type → zone → USD per hour. */
  prices: Record<string, Record<string, Record<string, number>>>;
}

export interface RecordedOptions {
  /** The repository root (default: the nearest directory above this module that holds package.json). */
  root?: string;
}

export { findRepoRoot } from '../local/paths.js';

const defaultRoot = (): string | undefined => findRepoRoot();

// The names become path segments: anything but a real region or instance type name is refused (no "../").
const REGION = /^[a-z]{2}(-[a-z]+)+-\d+$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9-]+$/;

const readJson = (file: string): unknown => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as unknown) : undefined);


/**
 * The recorded GetProducts `PriceList` (JSON strings) for one instance type in one region, or undefined when there
 * is no such file (or no repository around this module, as in a Lambda bundle).
 *
 * @example
 * const items = loadRecordedPriceList('us-east-1', 'g5.xlarge');
 * if (items) selectOnDemandPrice(items, { instanceType: 'g5.xlarge', regionCode: 'us-east-1' }).usdPerHour; // 1.006
 */
export const loadRecordedPriceList = (
  region: string,
  instanceType: string,
  { root = defaultRoot() }: RecordedOptions = {},
): string[] | undefined => {
  if (root === undefined || !REGION.test(region) || !INSTANCE_TYPE.test(instanceType)) return undefined;
  const doc = readJson(join(root, RECORDED_PRICING_DIR, region, `${instanceType}.json`));
  if (!isRecord(doc) || !Array.isArray(doc.PriceList)) return undefined;
  return doc.PriceList.filter((item): item is string => typeof item === 'string');
};

/**
 * The recorded spot prices (`local/pricing/spot-prices.json`), or undefined when absent.
 *
 * @example
 * loadRecordedSpotPrices()?.prices['us-east-1']?.['g5.xlarge']?.['us-east-1a'] // e.g. 0.3621
 */
export const loadRecordedSpotPrices = ({ root = defaultRoot() }: RecordedOptions = {}): RecordedSpotPrices | undefined => {
  if (root === undefined) return undefined;
  const doc = readJson(join(root, RECORDED_PRICING_DIR, 'spot-prices.json'));
  if (!isRecord(doc) || typeof doc.asOf !== 'string' || typeof doc.source !== 'string' || !isRecord(doc.prices)) {
    return undefined;
  }
  return doc as unknown as RecordedSpotPrices;
};
