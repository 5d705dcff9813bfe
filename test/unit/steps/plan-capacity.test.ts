import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { clearUnavailable, markUnavailable } from '../../../lib/capacity/unavailable.js';
import { LaunchPlanEmptyError } from '../../../lib/errors.js';
import { defaultPriceCache } from '../../../lib/pricing/pricing-api.js';
import { estimateFor, planStep } from '../../../lib/steps/plan-capacity.js';
import { productDoc } from '../pricing/helpers.js';
import { awsError, PRICES, resolvedDoc } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const pricingMock = mockClient(PricingClient);
const clients = { ec2: new EC2Client({ region: 'us-east-1' }), pricing: new PricingClient({ region: 'us-east-1' }) };
const NOW = new Date();
const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function spotPrices(prices: Record<string, string>): void {
  ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
    SpotPriceHistory: Object.entries(prices).map(([AvailabilityZone, SpotPrice]) => ({ AvailabilityZone, SpotPrice, Timestamp: NOW })),
  });
}

beforeEach(() => {
  ec2Mock.reset();
  pricingMock.reset();
  defaultPriceCache.clear();
  clearUnavailable();
});

describe('planStep', () => {
  test('Pricing API answer: on-demand from the API, spot per zone, spot-first plan, both estimates, no notes', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc({ usd: '1.0060000000', effectiveDate: '2025-05-01T00:00:00Z' })] });
    spotPrices({ 'us-east-1a': '0.45', 'us-east-1b': '0.40' });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual([]);
    expect(plan.prices.onDemand).toEqual({ usdPerHour: 1.006, source: 'pricing-api', asOf: '2025-05-01T00:00:00Z' });
    expect(plan.prices.gp3).toEqual({ usdPerGbMonth: 0.08, source: 'snapshot', asOf: '2025-01-01' });
    expect(plan.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual([
      'us-east-1b/spot',
      'us-east-1a/spot',
      'us-east-1a/on-demand',
      'us-east-1b/on-demand',
    ]);
    expect(plan.estimates.spot).toMatchObject({ market: 'spot', instance: { spotHourly: 0.4, onDemandHourly: 1.006 }, volume: { gib: 100 } });
    expect(plan.estimates.onDemand).toMatchObject({ market: 'on-demand', instance: { hourly: 1.006 } });
    expect(ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)[0]?.args[0].input.Filters).toEqual([
      { Name: 'availability-zone', Values: ['us-east-1a', 'us-east-1b'] },
    ]);
  });

  test('Pricing API unreachable: the dated snapshot, with a note saying so and why', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).rejects(unreachable);
    spotPrices({ 'us-east-1a': '0.45' });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.prices.onDemand).toEqual({ usdPerHour: 1.006, source: 'snapshot', asOf: '2025-01-01' });
    expect(plan.notes).toHaveLength(1);
    expect(plan.notes[0]).toMatch(/^On-demand price from the offline snapshot dated 2025-01-01: the Pricing API did not answer \(AwsTransientError: /);
    expect(plan.estimates.onDemand?.sources[0]).toEqual({ what: 'on-demand-price', source: 'snapshot', asOf: '2025-01-01' });
  });

  test('no price anywhere: on-demand attempts carry no price and there is no estimate', async () => {
    // Prepare: sa-east-1 has no snapshot cell, neither on-demand nor gp3
    pricingMock.on(GetProductsCommand).rejects(unreachable);
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({});
    // Act
    const plan = await planStep(resolvedDoc({ region: 'sa-east-1' }, {}, { zones: ['sa-east-1a'] }), clients);
    // Assess
    expect(plan.prices).not.toHaveProperty('onDemand');
    expect(plan.attempts).toEqual([{ zone: 'sa-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', reason: 'on-demand (price unknown)' }]);
    expect(plan.estimates).toEqual({});
    expect(plan.notes).toEqual([
      expect.stringMatching(/^On-demand price unknown \(AwsTransientError: .*\): on-demand attempts carry no price$/),
      'EC2 publishes no spot price for g5.xlarge in sa-east-1: spot is not planned',
      "gp3 price for sa-east-1 not in the snapshot: using us-east-1's",
    ]);
    expect(plan.prices.gp3.usdPerGbMonth).toBe(0.08);
  });

  test('spot market unavailable: a note, and only on-demand attempts', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    ec2Mock.on(DescribeSpotPriceHistoryCommand).rejects(awsError('UnauthorizedOperation', 403));
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual([expect.stringMatching(/^Spot prices unavailable \(AwsAccessDeniedError: .*\): spot is not planned$/)]);
    expect(plan.attempts.every((a) => a.market === 'on-demand')).toBe(true);
    expect(plan.estimates).not.toHaveProperty('spot');
  });

  test('market on-demand: spot prices are not even asked for', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    // Act
    const plan = await planStep(resolvedDoc({ market: 'on-demand' }), clients);
    // Assess
    expect(ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(0);
    expect(plan.prices.spot).toEqual({});
    expect(plan.attempts.map((a) => a.market)).toEqual(['on-demand', 'on-demand']);
  });

  test('market spot: only spot attempts and only a spot estimate', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    // Act
    const plan = await planStep(resolvedDoc({ market: 'spot' }), clients);
    // Assess
    expect(plan.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual(['us-east-1a/spot']);
    expect(Object.keys(plan.estimates)).toEqual(['spot']);
  });

  test('zones that just ran out of capacity are planned last', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45', 'us-east-1b': '0.40' });
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1b', market: 'spot' });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.attempts.at(-1)).toMatchObject({ zone: 'us-east-1b', market: 'spot', reason: expect.stringContaining('ran out of capacity recently') });
    expect(plan.estimates.spot?.sources).toContainEqual(expect.objectContaining({ what: 'spot-price', zone: 'us-east-1a' }));
  });

  test('a price cap below everything → LaunchPlanEmptyError', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    // Act + Assess
    await expect(planStep(resolvedDoc({ maxHourlyPrice: 0.1 }), clients)).rejects.toBeInstanceOf(LaunchPlanEmptyError);
  });

  test('the root volume of the estimate is at least the AMI snapshot', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({});
    // Act
    const plan = await planStep(resolvedDoc({ rootVolumeGiB: 50 }, { rootSnapshotGiB: 120 }), clients);
    // Assess
    expect(plan.estimates.onDemand?.volume.gib).toBe(120);
  });
});

describe('estimateFor', () => {
  test('on-demand in a zone with a spot price: what on-demand costs, without spot or savings', () => {
    // Act
    const estimate = estimateFor(resolvedDoc(), PRICES, 'on-demand', 'us-east-1b');
    // Assess
    expect(estimate).toMatchObject({ market: 'on-demand', instance: { hourly: 1.006, onDemandHourly: 1.006 } });
    expect(estimate?.instance).not.toHaveProperty('spotHourly');
    expect(estimate).not.toHaveProperty('savings');
    expect(estimate?.sources.map((s) => s.what)).toEqual(['on-demand-price', 'gp3-price']);
  });

  test('spot in a zone: the spot price and its source', () => {
    // Act
    const estimate = estimateFor(resolvedDoc(), PRICES, 'spot', 'us-east-1a');
    // Assess
    expect(estimate?.instance.hourly).toBe(0.45);
    expect(estimate?.sources[1]).toEqual({ what: 'spot-price', source: 'describe-spot-price-history', timestamp: '2025-06-01T11:00:00.000Z', zone: 'us-east-1a' });
  });

  test('spot in a zone without a spot price → undefined', () => {
    expect(estimateFor(resolvedDoc(), PRICES, 'spot', 'us-east-1c')).toBeUndefined();
  });

  test('no on-demand price → undefined', () => {
    const { onDemand: _omitted, ...withoutOnDemand } = PRICES;
    expect(estimateFor(resolvedDoc(), withoutOnDemand, 'on-demand', 'us-east-1a')).toBeUndefined();
  });

  test('a gp3 price without a date leaves asOf out of its source', () => {
    // Act
    const estimate = estimateFor(resolvedDoc(), { ...PRICES, gp3: { usdPerGbMonth: 0.1, source: 'pricing-api' } }, 'on-demand', 'us-east-1c');
    // Assess
    expect(estimate?.sources.at(-1)).toEqual({ what: 'gp3-price', source: 'pricing-api' });
    expect(estimate?.volume).toEqual({ gib: 100, hourly: 0.0137, monthly: 10 });
  });
});
