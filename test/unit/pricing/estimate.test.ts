import { RequestInvalidError } from '../../../lib/errors.js';
import { estimateCost, type EstimateInput } from '../../../lib/pricing/estimate.js';

const BASE: EstimateInput = {
  instanceType: 'g5.xlarge',
  region: 'us-east-1',
  market: 'spot',
  onDemand: { usdPerHour: 1.006, source: 'pricing-api' },
  spot: { usdPerHour: 0.35, zone: 'us-east-1a', timestamp: '2025-06-01T10:00:00.000Z' },
  rootVolumeGiB: 100,
  gp3UsdPerGbMonth: 0.08,
};

describe('estimateCost', () => {
  test('spot: g5.xlarge at $0.35 with 100 GiB gp3', () => {
    // Act
    const estimate = estimateCost(BASE);
    // Assess: volume 100 × 0.08 / 730 = 0.010958… → 0.011; month = 730 × 0.35 + 8 = 263.50
    expect(estimate).toEqual({
      instanceType: 'g5.xlarge',
      region: 'us-east-1',
      market: 'spot',
      currency: 'USD',
      instance: { onDemandHourly: 1.006, spotHourly: 0.35, hourly: 0.35 },
      volume: { gib: 100, hourly: 0.011, monthly: 8 },
      total: { hourly: 0.361, daily: 8.66, monthly: 263.5 },
      savings: { hourly: 0.656, monthly: 478.88, percent: 65.2 },
      sources: [
        { what: 'on-demand-price', source: 'pricing-api' },
        { what: 'spot-price', source: 'ec2-spot-price-history', timestamp: '2025-06-01T10:00:00.000Z', zone: 'us-east-1a' },
        { what: 'gp3-price', source: 'snapshot', asOf: '2025-01-01' },
      ],
    });
  });

  test('on-demand: the same instance billed on-demand', () => {
    // Act
    const estimate = estimateCost({ ...BASE, market: 'on-demand' });
    // Assess: 1.006 + 0.010958… = 1.016958… → 1.017; day 24.407… → 24.41; month 734.38 + 8 = 742.38
    expect(estimate.instance).toEqual({ onDemandHourly: 1.006, spotHourly: 0.35, hourly: 1.006 });
    expect(estimate.total).toEqual({ hourly: 1.017, daily: 24.41, monthly: 742.38 });
    // Savings still say what spot would save.
    expect(estimate.savings).toEqual({ hourly: 0.656, monthly: 478.88, percent: 65.2 });
  });

  test('on-demand without a spot price has no savings, and keeps snapshot provenance', () => {
    const estimate = estimateCost({
      ...BASE,
      market: 'on-demand',
      spot: undefined,
      onDemand: { usdPerHour: 0.526, source: 'snapshot', asOf: '2025-01-01' },
      rootVolumeGiB: 0,
      gp3Source: { source: 'pricing-api' },
    });
    expect(estimate.savings).toBeUndefined();
    expect(estimate.instance).toEqual({ onDemandHourly: 0.526, hourly: 0.526 });
    expect(estimate.total).toEqual({ hourly: 0.526, daily: 12.62, monthly: 383.98 });
    expect(estimate.sources).toEqual([
      { what: 'on-demand-price', source: 'snapshot', asOf: '2025-01-01' },
      { what: 'gp3-price', source: 'pricing-api' },
    ]);
  });

  test('no float drift: 0.1 + 0.2 style inputs give exact decimals', () => {
    const estimate = estimateCost({ ...BASE, market: 'on-demand', spot: undefined, onDemand: { usdPerHour: 0.1, source: 's' }, rootVolumeGiB: 73, gp3UsdPerGbMonth: 0.2 });
    // 73 × 0.2 = 14.6 /month = 0.02 /h exactly; total 0.12 /h, 2.88 /day, 73 + 14.6 = 87.6 /month
    expect(estimate.volume).toEqual({ gib: 73, hourly: 0.02, monthly: 14.6 });
    expect(estimate.total).toEqual({ hourly: 0.12, daily: 2.88, monthly: 87.6 });
  });

  test('rounds half up at each precision', () => {
    // 0.00005 /h rounds to 0.0001; its month 0.0365 rounds to 0.04
    const estimate = estimateCost({ ...BASE, market: 'on-demand', spot: undefined, onDemand: { usdPerHour: 0.00005, source: 's' }, rootVolumeGiB: 0 });
    expect(estimate.total).toEqual({ hourly: 0.0001, daily: 0, monthly: 0.04 });
  });

  test('a spot price above on-demand shows negative savings', () => {
    const estimate = estimateCost({ ...BASE, spot: { ...BASE.spot!, usdPerHour: 1.106 } });
    expect(estimate.savings).toEqual({ hourly: -0.1, monthly: -73, percent: -9.9 });
  });

  test('a free on-demand price gives 0 % savings rather than dividing by zero', () => {
    const estimate = estimateCost({ ...BASE, onDemand: { usdPerHour: 0, source: 's' }, spot: { ...BASE.spot!, usdPerHour: 0 } });
    expect(estimate.savings).toEqual({ hourly: 0, monthly: 0, percent: 0 });
  });

  test.each([
    ['spot without a spot price', { spot: undefined }],
    ['a negative price', { onDemand: { usdPerHour: -1, source: 's' } }],
    ['a NaN price', { gp3UsdPerGbMonth: Number.NaN }],
    ['a fractional volume', { rootVolumeGiB: 10.5 }],
    ['a negative volume', { rootVolumeGiB: -1 }],
  ])('refuses %s with RequestInvalidError', (_name, change) => {
    expect(() => estimateCost({ ...BASE, ...change } as EstimateInput)).toThrow(RequestInvalidError);
  });
});
