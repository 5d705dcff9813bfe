import { getSnapshotGp3Price, getSnapshotPrice, PRICE_SNAPSHOT } from '../../../lib/pricing/snapshot.js';

const REQUIRED_REGIONS = ['us-east-1', 'us-west-2', 'eu-west-1', 'eu-central-1', 'ap-northeast-1'];
const US_EAST_1_TYPES = [
  'g4dn.xlarge', 'g4dn.2xlarge', 'g4dn.12xlarge', 'g5.xlarge', 'g5.2xlarge', 'g5.12xlarge', 'g5.48xlarge',
  'g5g.xlarge', 'g5g.2xlarge', 'g6.xlarge', 'g6.2xlarge', 'g6e.xlarge', 'g6e.2xlarge', 'p3.2xlarge',
  'p4d.24xlarge', 'p5.48xlarge',
];

describe('price snapshot', () => {
  test('looks up a known cell with its date and source', () => {
    expect(getSnapshotPrice('us-east-1', 'g5.xlarge')).toEqual({ usdPerHour: 1.006, source: 'snapshot', asOf: '2025-01-01' });
    expect(getSnapshotPrice('eu-west-1', 'g4dn.xlarge')?.usdPerHour).toBe(0.587);
  });

  test.each([
    ['g4dn.xlarge', 0.526],
    ['g4dn.2xlarge', 0.752],
    ['g5.xlarge', 1.006],
    ['g5.2xlarge', 1.212],
    ['g5g.xlarge', 0.42],
    ['g6.xlarge', 0.8048],
    ['g6e.xlarge', 1.861],
    ['p3.2xlarge', 3.06],
  ])('us-east-1 %s is %s', (type, price) => {
    expect(getSnapshotPrice('us-east-1', type)?.usdPerHour).toBe(price);
  });

  test('returns undefined for an unknown region or type', () => {
    expect(getSnapshotPrice('xx-nowhere-1', 'g5.xlarge')).toBeUndefined();
    expect(getSnapshotPrice('us-east-1', 'g9.huge')).toBeUndefined();
    expect(getSnapshotGp3Price('xx-nowhere-1')).toBeUndefined();
  });

  test('covers every required type in us-east-1 and gp3 in every required region', () => {
    expect(Object.keys(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour['us-east-1'] ?? {}).sort()).toEqual([...US_EAST_1_TYPES].sort());
    for (const region of REQUIRED_REGIONS) {
      expect(Object.keys(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour[region] ?? {}).length).toBeGreaterThan(0);
      expect(getSnapshotGp3Price(region)?.usdPerGbMonth).toBeGreaterThan(0);
    }
    expect(getSnapshotGp3Price('us-east-1')).toEqual({ usdPerGbMonth: 0.08, source: 'snapshot', asOf: '2025-01-01' });
  });

  test('carries a date, a source that admits it may be stale, and positive prices only', () => {
    expect(PRICE_SNAPSHOT.asOf).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(PRICE_SNAPSHOT.source).toMatch(/may be stale/);
    const all = Object.values(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour).flatMap((t) => Object.values(t));
    expect(all.every((p) => Number.isFinite(p) && p > 0)).toBe(true);
  });

  test('is frozen', () => {
    expect(Object.isFrozen(PRICE_SNAPSHOT)).toBe(true);
    expect(Object.isFrozen(PRICE_SNAPSHOT.onDemandLinuxUsdPerHour['us-east-1'])).toBe(true);
  });
});
