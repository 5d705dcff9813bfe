import { mkdtempSync, readdirSync, readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateAll } from '../../../local/pricing/generate.js';
import { selectOnDemandPrice } from '../../../lib/pricing/products.js';
import { findRepoRoot, loadRecordedPriceList, loadRecordedSpotPrices } from '../../../lib/pricing/recorded.js';
import { getSnapshotPrice, PRICE_SNAPSHOT } from '../../../lib/pricing/snapshot.js';

const ROOT = findRepoRoot(process.cwd()) ?? process.cwd();
const CELLS = Object.entries(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour).flatMap(([region, table]) =>
  Object.keys(table).map((instanceType) => [region, instanceType] as const),
);

describe('recorded GetProducts documents', () => {
  test.each(CELLS)('%s %s parses to exactly the snapshot price', (region, instanceType) => {
    // Prepare
    const priceList = loadRecordedPriceList(region, instanceType);
    // Act
    const price = selectOnDemandPrice(priceList ?? [], { instanceType, regionCode: region });
    // Assess
    expect(price.usdPerHour).toBe(getSnapshotPrice(region, instanceType)?.usdPerHour);
    expect(price.effectiveDate).toBe(`${PRICE_SNAPSHOT.asOf}T00:00:00Z`);
  });

  test('every file holds decoys the parser must reject, including a $0.00 row', () => {
    const priceList = loadRecordedPriceList('us-east-1', 'g5.xlarge') ?? [];
    const docs = priceList.map((item) => JSON.parse(item) as { product: { attributes: Record<string, string> } });
    const attrs = docs.map((d) => d.product.attributes);
    expect(priceList.length).toBe(8);
    expect(attrs.map((a) => a.capacitystatus)).toEqual(expect.arrayContaining(['UnusedCapacityReservation', 'AllocatedCapacityReservation']));
    expect(attrs.map((a) => a.operation)).toEqual(expect.arrayContaining(['RunInstances:0002', 'RunInstances:0010', 'RunInstances:0004']));
    expect(attrs.some((a) => a.usagetype?.startsWith('DedicatedUsage:'))).toBe(true);
    expect(priceList.some((item) => item.includes('"USD":"0.0000000000"'))).toBe(true);
  });

  test('the us-east-1 set covers the required types', () => {
    const files = readdirSync(join(ROOT, 'local/pricing/us-east-1'));
    for (const type of ['g4dn.xlarge', 'g4dn.2xlarge', 'g5.xlarge', 'g5.2xlarge', 'g5g.xlarge', 'g6.xlarge', 'g6e.xlarge', 'p3.2xlarge', 'p4d.24xlarge', 'p5.48xlarge']) {
      expect(files).toContain(`${type}.json`);
    }
  });

  test('the files on disk are what the generator produces from the snapshot (regenerate if this fails)', () => {
    for (const [path, text] of generateAll()) {
      expect({ path, text: readFileSync(join(ROOT, path), 'utf8') }).toEqual({ path, text });
    }
  });

  test('returns undefined for unknown cells and refuses path-like names', () => {
    expect(loadRecordedPriceList('us-east-1', 'g9.huge')).toBeUndefined();
    expect(loadRecordedPriceList('../../etc', 'passwd')).toBeUndefined();
    expect(loadRecordedPriceList('us-east-1', '../spot-prices')).toBeUndefined();
    expect(loadRecordedPriceList('us-east-1', 'g5.xlarge', { root: '/nonexistent' })).toBeUndefined();
  });

  test('returns undefined for a file that is not a GetProducts body, and drops non-string items', () => {
    const root = mkdtempSync(join(tmpdir(), 'pricing-'));
    mkdirSync(join(root, 'local/pricing/us-east-1'), { recursive: true });
    writeFileSync(join(root, 'local/pricing/us-east-1/g5.xlarge.json'), JSON.stringify({ FormatVersion: 'aws_v1' }));
    writeFileSync(join(root, 'local/pricing/us-east-1/g5.2xlarge.json'), JSON.stringify({ PriceList: ['{}', 7] }));
    writeFileSync(join(root, 'local/pricing/spot-prices.json'), JSON.stringify({ asOf: 1 }));
    expect(loadRecordedPriceList('us-east-1', 'g5.xlarge', { root })).toBeUndefined();
    expect(loadRecordedPriceList('us-east-1', 'g5.2xlarge', { root })).toEqual(['{}']);
    expect(loadRecordedSpotPrices({ root })).toBeUndefined();
    expect(loadRecordedSpotPrices({ root: join(root, 'missing') })).toBeUndefined();
  });
});

describe('recorded spot prices', () => {
  test('are labelled synthetic and sit 55–70 % below on-demand in us-east-1 zones a, b, c, d, f', () => {
    // Act
    const spot = loadRecordedSpotPrices();
    // Assess
    expect(spot?.source).toMatch(/SYNTHETIC/);
    expect(spot?.asOf).toBe(PRICE_SNAPSHOT.asOf);
    const table = spot?.prices['us-east-1'] ?? {};
    expect(Object.keys(table).sort()).toEqual(Object.keys(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour['us-east-1'] ?? {}).sort());
    for (const [type, zones] of Object.entries(table)) {
      const onDemand = getSnapshotPrice('us-east-1', type)?.usdPerHour ?? Number.NaN;
      expect(Object.keys(zones)).toEqual(['us-east-1a', 'us-east-1b', 'us-east-1c', 'us-east-1d', 'us-east-1f']);
      for (const price of Object.values(zones)) {
        const discount = 1 - price / onDemand;
        expect(discount).toBeGreaterThanOrEqual(0.549);
        expect(discount).toBeLessThanOrEqual(0.701);
      }
      expect(new Set(Object.values(zones)).size).toBeGreaterThan(1);
    }
  });
});

describe('findRepoRoot', () => {
  test('finds the directory with package.json, or undefined at the filesystem root', () => {
    expect(readdirSync(ROOT)).toContain('package.json');
    expect(findRepoRoot(join(ROOT, 'lib', 'pricing'))).toBe(ROOT);
    expect(findRepoRoot(mkdtempSync(join(tmpdir(), 'noroot-')))).toBeUndefined();
  });
});
