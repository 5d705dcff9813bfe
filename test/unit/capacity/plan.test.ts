import { buildLaunchPlan, planLaunch, type LaunchAttempt, type PlanInput } from '../../../lib/capacity/plan.js';
import { quotaDefinition, type VcpuQuota } from '../../../lib/capacity/quotas.js';
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

const quota = (market: 'spot' | 'on-demand', vcpus: number | undefined, bucket: 'G' | 'P' = 'G'): VcpuQuota => ({
  ...quotaDefinition(bucket, market),
  ...(vcpus === undefined ? { unknownReason: 'AccessDeniedException: no' } : { vcpus }),
});

describe('planLaunch: vCPU quotas', () => {
  test('a known quota that fits changes nothing and adds no note', () => {
    // Act
    const plan = planLaunch(input({ vcpus: 4, quotas: [quota('spot', 4), quota('on-demand', 64)] }));
    // Assess
    expect(plan.attempts).toHaveLength(6);
    expect(plan.notes).toEqual([]);
  });

  test('spot quota short in auto: spot dropped with a note, on-demand kept', () => {
    // Act
    const plan = planLaunch(input({ vcpus: 4, quotas: [quota('spot', 0), quota('on-demand', 64)] }));
    // Assess
    expect(order(plan.attempts)).toEqual(['us-east-1a/on-demand', 'us-east-1b/on-demand', 'us-east-1c/on-demand']);
    expect(plan.notes).toEqual(['spot not planned: g5.xlarge needs 4 vCPUs and the "All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs']);
  });

  test('on-demand quota short in auto: on-demand dropped, spot kept', () => {
    // Act
    const plan = planLaunch(input({ vcpus: 8, quotas: [quota('spot', 8), quota('on-demand', 4)] }));
    // Assess
    expect(plan.attempts.every((a) => a.market === 'spot')).toBe(true);
    expect(plan.notes).toEqual([expect.stringMatching(/^on-demand not planned: g5\.xlarge needs 8 vCPUs and the "Running On-Demand G and VT instances" \(L-DB2E81BA\) quota is 4 vCPUs$/)]);
  });

  test('spot only with a short spot quota: LaunchPlanEmptyError naming the quota and how to raise it', () => {
    // Act
    const error = planError({ market: 'spot', vcpus: 4, region: 'us-east-1', quotas: [quota('spot', 0), quota('on-demand', 0)] });
    // Assess
    expect(error.message).toBe('No way to launch g5.xlarge with market=spot: g5.xlarge needs 4 vCPUs and the "All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs');
    expect(error.hint).toBe(
      'To launch g5.xlarge, request an increase of "All G and VT Spot Instance Requests" (L-3819A6DF) to at least 4 vCPUs in the Service Quotas console ' +
        '(https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/L-3819A6DF?region=us-east-1) or with ' +
        '`aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-3819A6DF --desired-value 4 --region us-east-1`. ' +
        'Or choose a type with fewer vCPUs, or set market to auto',
    );
    expect(error.details).toMatchObject({ vcpus: 4, quotas: [{ code: 'L-3819A6DF', vcpus: 0 }] });
  });

  test('auto with both quotas short: both named; the region comes from the zones when not given', () => {
    // Act
    const error = planError({ vcpus: 4, quotas: [quota('spot', 0), quota('on-demand', 2)] });
    // Assess
    expect(error.message).toContain('"All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs');
    expect(error.message).toContain('"Running On-Demand G and VT instances" (L-DB2E81BA) quota is 2 vCPUs');
    expect(error.hint).toContain('--quota-code L-3819A6DF --desired-value 4 --region us-east-1`; or request an increase of "Running On-Demand G and VT instances"');
    expect(error.hint).toMatch(/Or choose a type with fewer vCPUs$/);
  });

  test('a quota short for one market and a price cap for the other: both reasons', () => {
    // Act
    const error = planError({ vcpus: 4, maxHourlyPrice: 0.5, quotas: [quota('spot', 0), quota('on-demand', 64)] });
    // Assess
    expect(error.message).toBe(
      'No way to launch g5.xlarge with market=auto: g5.xlarge needs 4 vCPUs and the "All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs; on-demand ($1.006/h) is above maxHourlyPrice $0.5/h',
    );
  });

  test('unknown quotas drop nothing: one note per reason', () => {
    // Act
    const plan = planLaunch(input({ vcpus: 4, quotas: [quota('spot', undefined), quota('on-demand', undefined)] }));
    // Assess
    expect(plan.attempts).toHaveLength(6);
    expect(plan.notes).toEqual([
      'quota unknown: "All G and VT Spot Instance Requests" (L-3819A6DF), "Running On-Demand G and VT instances" (L-DB2E81BA) could not be read (AccessDeniedException: no); spot and on-demand attempts are kept',
    ]);
  });

  test('quotas of another bucket or market not in play are ignored', () => {
    // Act
    const plan = planLaunch(input({ market: 'on-demand', vcpus: 4, quotas: [quota('spot', 0), quota('on-demand', 0, 'P'), quota('spot', undefined, 'P')] }));
    // Assess
    expect(plan.attempts).toHaveLength(3);
    expect(plan.notes).toEqual([]);
  });

  test('vCPUs unknown: a known quota drops nothing', () => {
    expect(planLaunch(input({ quotas: [quota('spot', 0), quota('on-demand', 0)] })).attempts).toHaveLength(6);
  });
});

describe('planLaunch: spot placement scores', () => {
  const SCORES = { 'us-east-1a': 9, 'us-east-1b': 2, 'us-east-1c': 5 };

  test('auto: spot by score (high first), below the threshold left out with a note; reasons carry the score', () => {
    // Act
    const plan = planLaunch(input({ placementScores: SCORES }));
    // Assess
    expect(order(plan.attempts)).toEqual(['us-east-1a/spot', 'us-east-1c/spot', 'us-east-1a/on-demand', 'us-east-1b/on-demand', 'us-east-1c/on-demand']);
    expect(plan.attempts[0]?.reason).toBe('spot at $0.45/h (55% below on-demand), placement score 9/10');
    expect(plan.attempts[2]?.reason).toBe('on-demand at $1.006/h');
    expect(plan.notes).toEqual(['spot not planned in us-east-1b (2/10): placement score below 3 of 10']);
  });

  test('spot: a low score is kept, tried last', () => {
    // Act
    const plan = planLaunch(input({ market: 'spot', placementScores: SCORES }));
    // Assess
    expect(order(plan.attempts)).toEqual(['us-east-1a/spot', 'us-east-1c/spot', 'us-east-1b/spot']);
    expect(plan.notes).toEqual(['spot in us-east-1b (2/10) tried last: placement score below 3 of 10']);
  });

  test('equal scores: cheaper first; zones without a score after the scored ones', () => {
    // Act
    const plan = planLaunch(input({ placementScores: { 'us-east-1a': 7, 'us-east-1c': 7 } }));
    // Assess
    expect(order(plan.attempts).slice(0, 3)).toEqual(['us-east-1c/spot', 'us-east-1a/spot', 'us-east-1b/spot']);
    expect(plan.attempts[2]?.reason).toBe('spot at $0.38/h (62% below on-demand), no placement score');
  });

  test('a custom threshold', () => {
    // Act
    const plan = planLaunch(input({ placementScores: SCORES, scoreThreshold: 6 }));
    // Assess
    expect(order(plan.attempts).filter((a) => a.endsWith('/spot'))).toEqual(['us-east-1a/spot']);
  });

  test('no scores (empty): price order, no mention', () => {
    // Act
    const plan = planLaunch(input({ placementScores: {} }));
    // Assess
    expect(order(plan.attempts).slice(0, 3)).toEqual(['us-east-1b/spot', 'us-east-1c/spot', 'us-east-1a/spot']);
    expect(plan.attempts[0]?.reason).not.toContain('placement');
  });

  test('auto, every spot zone scoring low and on-demand over the cap: LaunchPlanEmptyError says why', () => {
    // Act
    const error = planError({ maxHourlyPrice: 0.5, placementScores: { 'us-east-1a': 1, 'us-east-1b': 2, 'us-east-1c': 1 } });
    // Assess
    expect(error.message).toBe(
      'No way to launch g5.xlarge with market=auto: spot placement scores are below 3 of 10 in us-east-1a (1/10), us-east-1b (2/10), us-east-1c (1/10); on-demand ($1.006/h) is above maxHourlyPrice $0.5/h',
    );
    expect(error.details).toMatchObject({ placementScores: { 'us-east-1a': 1 } });
  });

  test('a recently failed zone still goes last, after a low score', () => {
    // Act
    const plan = planLaunch(input({ market: 'spot', placementScores: SCORES, recentlyUnavailable: new Set(['us-east-1a|spot']) }));
    // Assess
    expect(order(plan.attempts)).toEqual(['us-east-1c/spot', 'us-east-1b/spot', 'us-east-1a/spot']);
  });
});
