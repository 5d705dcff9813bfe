import { buildLaunchPlan, type LaunchAttempt, type PlanInput } from '../../../lib/capacity/plan.js';
import { LaunchPlanEmptyError } from '../../../lib/errors.js';

const ZONES = ['us-east-1a', 'us-east-1b', 'us-east-1c'];
const input = (overrides: Partial<PlanInput> = {}): PlanInput => ({
  instanceType: 'g5.xlarge',
  zones: ZONES,
  market: 'auto',
  onDemandHourly: 1.006,
  spotPrices: { 'us-east-1a': 0.45, 'us-east-1b': 0.38, 'us-east-1c': 0.41 },
  ...overrides,
});
const order = (attempts: LaunchAttempt[]): string[] => attempts.map((a) => `${a.zone}/${a.market}`);

function planError(overrides: Partial<PlanInput>): LaunchPlanEmptyError {
  try {
    buildLaunchPlan(input(overrides));
  } catch (error) {
    if (error instanceof LaunchPlanEmptyError) return error;
    throw error;
  }
  throw new Error('expected LaunchPlanEmptyError');
}

describe('buildLaunchPlan: auto', () => {
  test('spot first, cheapest zone first, then on-demand in every zone in zone order', () => {
    // Act
    const attempts = buildLaunchPlan(input());
    // Assess
    expect(order(attempts)).toEqual([
      'us-east-1b/spot',
      'us-east-1c/spot',
      'us-east-1a/spot',
      'us-east-1a/on-demand',
      'us-east-1b/on-demand',
      'us-east-1c/on-demand',
    ]);
    expect(attempts[0]).toEqual({
      zone: 'us-east-1b',
      market: 'spot',
      instanceType: 'g5.xlarge',
      expectedHourly: 0.38,
      maxPrice: 1.006,
      reason: 'spot at $0.38/h (62% below on-demand)',
    });
    expect(attempts[3]).toEqual({
      zone: 'us-east-1a',
      market: 'on-demand',
      instanceType: 'g5.xlarge',
      expectedHourly: 1.006,
      reason: 'on-demand at $1.006/h',
    });
    expect(attempts[3]).not.toHaveProperty('maxPrice');
  });

  test('spot only where it is cheaper than on-demand; zones without a spot price get no spot attempt', () => {
    // Act
    const attempts = buildLaunchPlan(input({ spotPrices: { 'us-east-1a': 1.2, 'us-east-1c': 0.5 } }));
    // Assess
    expect(order(attempts).filter((a) => a.endsWith('spot'))).toEqual(['us-east-1c/spot']);
    expect(attempts.filter((a) => a.market === 'on-demand')).toHaveLength(3);
  });

  test('equal spot prices are ordered by zone name', () => {
    // Act
    const attempts = buildLaunchPlan(input({ spotPrices: { 'us-east-1c': 0.4, 'us-east-1a': 0.4 } }));
    // Assess
    expect(order(attempts).slice(0, 2)).toEqual(['us-east-1a/spot', 'us-east-1c/spot']);
  });

  test('prices are rounded to 4 decimals', () => {
    // Act
    const [first] = buildLaunchPlan(input({ onDemandHourly: 1.00612345, spotPrices: { 'us-east-1a': 0.123456789 } }));
    // Assess
    expect(first).toMatchObject({ expectedHourly: 0.1235, maxPrice: 1.0061, reason: 'spot at $0.1235/h (88% below on-demand)' });
  });

  test('unknown on-demand price: spot has no ceiling (no maxPrice, no saving), on-demand is planned with price unknown', () => {
    // Act
    const attempts = buildLaunchPlan(input({ onDemandHourly: undefined, spotPrices: { 'us-east-1a': 0.4 } }));
    // Assess
    expect(attempts[0]).toEqual({ zone: 'us-east-1a', market: 'spot', instanceType: 'g5.xlarge', expectedHourly: 0.4, reason: 'spot at $0.4/h' });
    expect(attempts.slice(1)).toEqual(
      ZONES.map((zone) => ({ zone, market: 'on-demand', instanceType: 'g5.xlarge', reason: 'on-demand (price unknown)' })),
    );
  });
});

describe('buildLaunchPlan: spot only and on-demand only', () => {
  test('spot only: every priced zone, even above on-demand, and no on-demand attempt', () => {
    // Act
    const attempts = buildLaunchPlan(input({ market: 'spot', spotPrices: { 'us-east-1a': 1.5, 'us-east-1b': 0.4 } }));
    // Assess
    expect(order(attempts)).toEqual(['us-east-1b/spot', 'us-east-1a/spot']);
    expect(attempts[0]).not.toHaveProperty('maxPrice');
    expect(attempts[1]?.reason.startsWith('spot at $1.5/h')).toBe(true);
  });

  test('on-demand only: no spot attempt even when spot is cheaper', () => {
    // Act
    const attempts = buildLaunchPlan(input({ market: 'on-demand' }));
    // Assess
    expect(order(attempts)).toEqual(['us-east-1a/on-demand', 'us-east-1b/on-demand', 'us-east-1c/on-demand']);
  });
});

describe('buildLaunchPlan: maxHourlyPrice', () => {
  test('drops attempts above the cap and sets the spot maxPrice to the cap', () => {
    // Act
    const attempts = buildLaunchPlan(input({ maxHourlyPrice: 0.42 }));
    // Assess
    expect(order(attempts)).toEqual(['us-east-1b/spot', 'us-east-1c/spot']);
    expect(attempts.every((a) => a.maxPrice === 0.42)).toBe(true);
  });

  test('a cap above on-demand: spot maxPrice is the on-demand price (auto), on-demand kept', () => {
    // Act
    const attempts = buildLaunchPlan(input({ maxHourlyPrice: 5 }));
    // Assess
    expect(attempts.filter((a) => a.market === 'spot').map((a) => a.maxPrice)).toEqual([1.006, 1.006, 1.006]);
    expect(attempts.filter((a) => a.market === 'on-demand')).toHaveLength(3);
  });

  test('spot only with a cap: maxPrice is the cap', () => {
    // Act
    const attempts = buildLaunchPlan(input({ market: 'spot', maxHourlyPrice: 2 }));
    // Assess
    expect(attempts.map((a) => a.maxPrice)).toEqual([2, 2, 2]);
  });

  test('a cap equal to the on-demand price keeps on-demand', () => {
    expect(buildLaunchPlan(input({ market: 'on-demand', maxHourlyPrice: 1.006 }))).toHaveLength(3);
  });

  test('unknown on-demand price with a cap: spot capped, on-demand still planned (price unknown)', () => {
    // Act
    const attempts = buildLaunchPlan(input({ onDemandHourly: undefined, maxHourlyPrice: 0.4 }));
    // Assess
    expect(order(attempts)).toEqual(['us-east-1b/spot', 'us-east-1a/on-demand', 'us-east-1b/on-demand', 'us-east-1c/on-demand']);
    expect(attempts[0]?.maxPrice).toBe(0.4);
  });
});

describe('buildLaunchPlan: recently unavailable', () => {
  test('zones that just ran out go last, in their original relative order, with the reason', () => {
    // Act
    const attempts = buildLaunchPlan(
      input({ recentlyUnavailable: new Set(['us-east-1b|spot', 'us-east-1a|on-demand']) }),
    );
    // Assess
    expect(order(attempts)).toEqual([
      'us-east-1c/spot',
      'us-east-1a/spot',
      'us-east-1b/on-demand',
      'us-east-1c/on-demand',
      'us-east-1b/spot',
      'us-east-1a/on-demand',
    ]);
    expect(attempts[4]?.reason).toBe('spot at $0.38/h (62% below on-demand); ran out of capacity recently');
    expect(attempts[5]?.reason).toBe('on-demand at $1.006/h; ran out of capacity recently');
    expect(attempts[0]?.reason).not.toContain('recently');
  });

  test('everything recently unavailable is still planned (tried last, not skipped)', () => {
    // Prepare
    const all = new Set(ZONES.flatMap((z) => [`${z}|spot`, `${z}|on-demand`]));
    // Act
    const attempts = buildLaunchPlan(input({ recentlyUnavailable: all }));
    // Assess
    expect(attempts).toHaveLength(6);
    expect(attempts.every((a) => a.reason.endsWith('; ran out of capacity recently'))).toBe(true);
  });
});

describe('buildLaunchPlan: LaunchPlanEmptyError', () => {
  test('spot only and no spot price published', () => {
    // Act
    const error = planError({ market: 'spot', spotPrices: {} });
    // Assess
    expect(error.message).toBe('No way to launch g5.xlarge with market=spot: no spot price is published for it in these zones');
    expect(error.hint).toBe('Raise maxHourlyPrice, set market to auto, or choose another instance type');
    expect(error.details).toEqual({
      instanceType: 'g5.xlarge',
      market: 'spot',
      maxHourlyPrice: undefined,
      onDemandHourly: 1.006,
      spotPrices: {},
    });
  });

  test('a cap below everything', () => {
    // Act
    const error = planError({ maxHourlyPrice: 0.1 });
    // Assess
    expect(error.message).toBe('No way to launch g5.xlarge with market=auto: nothing is offered at or below $0.1/h (on-demand is $1.006/h)');
  });

  test('a cap below everything, on-demand price unknown, spot only', () => {
    // Act
    const error = planError({ market: 'spot', maxHourlyPrice: 0.1, onDemandHourly: undefined });
    // Assess
    expect(error.message).toBe('No way to launch g5.xlarge with market=spot: nothing is offered at or below $0.1/h (on-demand is $?/h)');
  });

  test('no zone', () => {
    // Act
    const error = planError({ zones: [] });
    // Assess
    expect(error.message).toBe('No way to launch g5.xlarge with market=auto: no zone offers it');
  });
});

describe('buildLaunchPlan: spot that saves nothing', () => {
  test('auto does not plan spot at exactly the on-demand price', () => {
    // Act
    const attempts = buildLaunchPlan(input({ spotPrices: { 'us-east-1a': 1.006, 'us-east-1b': 0.5 } }));
    // Assess
    expect(order(attempts)).toEqual(['us-east-1b/spot', 'us-east-1a/on-demand', 'us-east-1b/on-demand', 'us-east-1c/on-demand']);
  });

  test('spot-only above on-demand says "above", not a negative saving', () => {
    // Act
    const [attempt] = buildLaunchPlan(input({ market: 'spot', spotPrices: { 'us-east-1a': 1.5 } }));
    // Assess
    expect(attempt?.reason).toBe('spot at $1.5/h (49% above on-demand)');
  });
});
