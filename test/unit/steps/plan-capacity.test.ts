import {
  DescribeAvailabilityZonesCommand,
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  DescribeSpotPriceHistoryCommand,
  EC2Client,
  GetSpotPlacementScoresCommand,
} from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { GetServiceQuotaCommand, ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { mockClient } from 'aws-sdk-client-mock';
import { clearAlternativesCache } from '../../../lib/capacity/alternatives.js';
import { clearQuotaCache } from '../../../lib/capacity/quotas.js';
import { clearUnavailable, markUnavailable } from '../../../lib/capacity/unavailable.js';
import { LaunchPlanEmptyError } from '../../../lib/errors.js';
import { defaultPriceCache } from '../../../lib/pricing/pricing-api.js';
import { estimateFor, planStep } from '../../../lib/steps/plan-capacity.js';
import { CATALOG, ec2Type, pricingAnswer, sdkError } from '../capacity/helpers.js';
import { productDoc } from '../pricing/helpers.js';
import { awsError, PRICES, resolvedDoc } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const pricingMock = mockClient(PricingClient);
const quotasMock = mockClient(ServiceQuotasClient);
const clients = {
  ec2: new EC2Client({ region: 'us-east-1' }),
  pricing: new PricingClient({ region: 'us-east-1' }),
  quotas: new ServiceQuotasClient({ region: 'us-east-1' }),
};
const NOW = new Date();
const unreachable = Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

function spotPrices(prices: Record<string, string>): void {
  ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
    SpotPriceHistory: Object.entries(prices).map(([AvailabilityZone, SpotPrice]) => ({ AvailabilityZone, SpotPrice, Timestamp: NOW })),
  });
}

/** vCPU quotas by code; a code left out answers NoSuchResourceException. */
function quotas(values: Record<string, number>): void {
  quotasMock.on(GetServiceQuotaCommand).callsFake(async (input: { QuotaCode?: string }) => {
    const value = values[input.QuotaCode ?? ''];
    if (value === undefined) throw sdkError('NoSuchResourceException', 400, 'no such quota');
    return { Quota: { QuotaCode: input.QuotaCode, Value: value } };
  });
}

const ZONE_IDS: Record<string, string> = { 'us-east-1a': 'use1-az6', 'us-east-1b': 'use1-az1', 'us-east-1c': 'use1-az2' };

/** Spot placement scores by zone name (EC2 answers by zone id). */
function placementScores(scores: Record<string, number>): void {
  ec2Mock.on(GetSpotPlacementScoresCommand).resolves({
    SpotPlacementScores: Object.entries(scores).map(([zone, Score]) => ({ Region: 'us-east-1', AvailabilityZoneId: ZONE_IDS[zone], Score })),
  });
  ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
    AvailabilityZones: Object.entries(ZONE_IDS).map(([ZoneName, ZoneId]) => ({ ZoneName, ZoneId })),
  });
}

/** The region's GPU types, all offered unless listed in `notOffered`. */
function catalog(notOffered: string[] = []): void {
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: CATALOG.map(ec2Type) });
  ec2Mock.on(DescribeInstanceTypeOfferingsCommand).callsFake(async (input: { Filters?: { Values?: string[] }[] }) => ({
    InstanceTypeOfferings: (input.Filters?.[0]?.Values ?? []).filter((t) => !notOffered.includes(t)).map((InstanceType) => ({ InstanceType, LocationType: 'region', Location: 'us-east-1' })),
  }));
}

beforeEach(() => {
  ec2Mock.reset();
  pricingMock.reset();
  quotasMock.reset();
  defaultPriceCache.clear();
  clearUnavailable();
  clearQuotaCache();
  clearAlternativesCache();
  // A healthy account by default: quotas known and ample, scores unavailable to this account, an empty GPU catalog.
  quotas({ 'L-DB2E81BA': 64, 'L-3819A6DF': 64, 'L-417A185B': 96, 'L-7212CCBC': 96 });
  ec2Mock.on(GetSpotPlacementScoresCommand).rejects(sdkError('UnauthorizedOperation', 403, 'You are not authorized to perform this operation.'));
  ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [] });
});

/** The notes without the placement-score note every default test carries. */
const otherNotes = (notes: string[]): string[] => notes.filter((n) => !n.startsWith('spot placement scores unknown'));

describe('planStep', () => {
  test('Pricing API answer: on-demand from the API, spot per zone, spot-first plan, both estimates, no notes', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc({ usd: '1.0060000000', effectiveDate: '2025-05-01T00:00:00Z' })] });
    spotPrices({ 'us-east-1a': '0.45', 'us-east-1b': '0.40' });
    placementScores({ 'us-east-1a': 9, 'us-east-1b': 7 });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual([]);
    expect(plan.prices.onDemand).toEqual({ usdPerHour: 1.006, source: 'pricing-api', asOf: '2025-05-01T00:00:00Z' });
    expect(plan.prices.gp3).toEqual({ usdPerGbMonth: 0.08, source: 'snapshot', asOf: '2025-01-01' });
    // The better placement score first, then price.
    expect(plan.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual([
      'us-east-1a/spot',
      'us-east-1b/spot',
      'us-east-1a/on-demand',
      'us-east-1b/on-demand',
    ]);
    expect(plan.attempts[0]?.reason).toBe('spot at $0.45/h (55% below on-demand), placement score 9/10');
    expect(plan.placementScores).toEqual({ 'us-east-1a': 9, 'us-east-1b': 7 });
    expect(plan.quotas.map((q) => `${q.code}=${q.vcpus}`)).toEqual(['L-DB2E81BA=64', 'L-3819A6DF=64']);
    expect(plan.alternatives).toEqual([]);
    expect(plan.estimates.spot).toMatchObject({ market: 'spot', instance: { spotHourly: 0.45, onDemandHourly: 1.006 }, volume: { gib: 100 } });
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
    expect(otherNotes(plan.notes)).toHaveLength(1);
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
    expect(otherNotes(plan.notes)).toEqual([
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
    expect(otherNotes(plan.notes)).toEqual([expect.stringMatching(/^Spot prices unavailable \(AwsAccessDeniedError: .*\): spot is not planned$/)]);
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

async function planFailure(promise: Promise<unknown>): Promise<LaunchPlanEmptyError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof LaunchPlanEmptyError) return error;
    throw error;
  }
  throw new Error('expected LaunchPlanEmptyError');
}

describe('planStep: vCPU quotas', () => {
  test('asks Service Quotas only for the type\'s bucket and the markets in play', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    // Act
    const plan = await planStep(resolvedDoc({ market: 'on-demand' }), clients);
    // Assess
    expect(quotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input)).toEqual([{ ServiceCode: 'ec2', QuotaCode: 'L-DB2E81BA' }]);
    expect(plan.quotas).toEqual([{ bucket: 'G', market: 'on-demand', code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances', vcpus: 64 }]);
    expect(ec2Mock.commandCalls(GetSpotPlacementScoresCommand)).toHaveLength(0);
  });

  test('a P type reads the P quotas', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [] });
    spotPrices({ 'us-east-1a': '10' });
    // Act
    const plan = await planStep(resolvedDoc({ instanceType: 'p5.4xlarge' }), clients);
    // Assess
    expect(plan.quotas.map((q) => `${q.code}=${q.vcpus}`)).toEqual(['L-417A185B=96', 'L-7212CCBC=96']);
    expect(quotasMock.commandCalls(GetServiceQuotaCommand).map((c) => c.args[0].input.QuotaCode).sort()).toEqual(['L-417A185B', 'L-7212CCBC']);
  });

  test('spot quota too small: spot is dropped with a note, on-demand stays', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    quotas({ 'L-DB2E81BA': 64, 'L-3819A6DF': 0 });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.attempts.map((a) => a.market)).toEqual(['on-demand', 'on-demand']);
    expect(otherNotes(plan.notes)).toEqual(['spot not planned: g5.xlarge needs 4 vCPUs and the "All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs']);
    expect(plan.estimates).not.toHaveProperty('spot');
  });

  test('on-demand quota too small: on-demand is dropped, spot stays', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    quotas({ 'L-DB2E81BA': 2, 'L-3819A6DF': 8 });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual(['us-east-1a/spot']);
    expect(otherNotes(plan.notes)).toEqual([expect.stringContaining('on-demand not planned: g5.xlarge needs 4 vCPUs and the "Running On-Demand G and VT instances" (L-DB2E81BA) quota is 2 vCPUs')]);
  });

  test('both quotas too small: LaunchPlanEmptyError naming both quotas, how to raise them, and alternatives within quota', async () => {
    // Prepare: the G bucket has no room; the P type's quota is unknown (not read), so it may be suggested
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer({ 'g5.xlarge': '1.006', 'p5.4xlarge': '6.88' }));
    spotPrices({ 'us-east-1a': '0.45' });
    quotas({ 'L-DB2E81BA': 0, 'L-3819A6DF': 0 });
    catalog();
    // Act
    const error = await planFailure(planStep(resolvedDoc(), clients));
    // Assess
    expect(error.name).toBe('LaunchPlanEmptyError');
    expect(error.message).toContain('g5.xlarge needs 4 vCPUs and the "All G and VT Spot Instance Requests" (L-3819A6DF) quota is 0 vCPUs');
    expect(error.message).toContain('"Running On-Demand G and VT instances" (L-DB2E81BA) quota is 0 vCPUs');
    expect(error.hint).toContain('aws service-quotas request-service-quota-increase --service-code ec2 --quota-code L-3819A6DF --desired-value 4 --region us-east-1');
    expect(error.hint).toContain('https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/L-DB2E81BA');
    expect(error.details?.alternatives).toEqual([
      { instanceType: 'p5.4xlarge', gpu: { model: 'H100', count: 1, memoryGiB: 80 }, vcpus: 16, onDemandHourly: 6.88, priceSource: 'pricing-api', quota: 'unknown' },
    ]);
    expect(error.message).toContain('Other NVIDIA types offered in us-east-1 that fit: try p5.4xlarge ($6.88/h, 1 x H100 80 GiB)');
  });

  test.each([
    ['AccessDeniedException', 400, 'User is not authorized to perform: servicequotas:GetServiceQuota'],
    ['NoSuchResourceException', 400, 'This service is not available in the current Region.'],
    ['TooManyRequestsException', 429, 'Rate exceeded'],
  ])('a quota that cannot be read (%s): a note, and no attempt dropped', async (code, status, message) => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    quotasMock.on(GetServiceQuotaCommand).rejects(sdkError(code, status, message));
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.attempts.map((a) => a.market)).toEqual(['spot', 'on-demand', 'on-demand']);
    expect(otherNotes(plan.notes)).toEqual([
      `quota unknown: "Running On-Demand G and VT instances" (L-DB2E81BA), "All G and VT Spot Instance Requests" (L-3819A6DF) could not be read (${code}: ${message}); on-demand and spot attempts are kept`,
    ]);
    expect(plan.quotas.every((q) => q.unknownReason === `${code}: ${message}`)).toBe(true);
  });
});

describe('planStep: spot placement scores', () => {
  test('not allowed for the account: a note, and spot ordered by price', async () => {
    // Prepare (the default: UnauthorizedOperation)
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45', 'us-east-1b': '0.40' });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual([
      'spot placement scores unknown (GetSpotPlacementScores: UnauthorizedOperation: You are not authorized to perform this operation.); spot is ordered by price only',
    ]);
    expect(plan.attempts.slice(0, 2).map((a) => a.zone)).toEqual(['us-east-1b', 'us-east-1a']);
    expect(plan).not.toHaveProperty('placementScores');
  });

  test('an endpoint that does not implement it (a 500 without an AWS code, as moto answers): a note', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    ec2Mock.on(GetSpotPlacementScoresCommand).rejects(Object.assign(new Error('@aws-sdk XML parse error\nmore'), { $metadata: { httpStatusCode: 500 } }));
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual(['spot placement scores unknown (GetSpotPlacementScores: HTTP 500 with no AWS error code); spot is ordered by price only']);
  });

  test('no scores given: a note', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    ec2Mock.on(GetSpotPlacementScoresCommand).resolves({ SpotPlacementScores: [] });
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.notes).toEqual(['spot placement scores: EC2 gave none for g5.xlarge in us-east-1; spot is ordered by price only']);
    expect(ec2Mock.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(0);
  });

  test('auto: spot in a zone scoring below 3 is not planned; spot: it is tried last', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45', 'us-east-1b': '0.40' });
    placementScores({ 'us-east-1a': 6, 'us-east-1b': 2 });
    // Act
    const auto = await planStep(resolvedDoc(), clients);
    const spotOnly = await planStep(resolvedDoc({ market: 'spot' }), clients);
    // Assess
    expect(auto.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual(['us-east-1a/spot', 'us-east-1a/on-demand', 'us-east-1b/on-demand']);
    expect(auto.notes).toEqual(['spot not planned in us-east-1b (2/10): placement score below 3 of 10']);
    expect(spotOnly.attempts.map((a) => `${a.zone}/${a.market}`)).toEqual(['us-east-1a/spot', 'us-east-1b/spot']);
    expect(spotOnly.attempts[1]?.reason).toBe('spot at $0.4/h (60% below on-demand), placement score 2/10');
    expect(spotOnly.notes).toEqual(['spot in us-east-1b (2/10) tried last: placement score below 3 of 10']);
    expect(ec2Mock.commandCalls(GetSpotPlacementScoresCommand)[0]?.args[0].input).toMatchObject({
      InstanceTypes: ['g5.xlarge'],
      TargetCapacity: 1,
      SingleAvailabilityZone: true,
      RegionNames: ['us-east-1'],
    });
  });
});

describe('planStep: alternatives', () => {
  test('same architecture, at least the GPU memory, offered, ranked by on-demand price; at most three', async () => {
    // Prepare: g6e.xlarge is not offered in this region
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer());
    spotPrices({ 'us-east-1a': '0.45' });
    catalog(['g6e.xlarge']);
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.alternatives.map((a) => `${a.instanceType}:${a.onDemandHourly ?? '?'}`)).toEqual(['g6.xlarge:0.8048', 'g5.2xlarge:1.212', 'p5.4xlarge:?']);
    expect(plan.alternatives[0]).toEqual({ instanceType: 'g6.xlarge', gpu: { model: 'L4', count: 1, memoryGiB: 22 }, vcpus: 4, onDemandHourly: 0.8048, priceSource: 'pricing-api', quota: 'within' });
    expect(plan.alternatives[2]?.quota).toBe('unknown');
    expect(otherNotes(plan.notes)).toEqual([expect.stringMatching(/^alternative p5\.4xlarge: on-demand price unknown \(PriceNotFoundError: /)]);
  });

  test('the lookup is cached per region: a second plan lists the types again from memory', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer());
    spotPrices({ 'us-east-1a': '0.45' });
    catalog();
    // Act
    await planStep(resolvedDoc(), clients);
    await planStep(resolvedDoc(), clients);
    // Assess
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)).toHaveLength(1);
    expect(ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand)).toHaveLength(1);
    // Quotas too: read once, cached for ten minutes.
    expect(quotasMock.commandCalls(GetServiceQuotaCommand)).toHaveLength(2);
  });

  test('EC2 will not list the types: a note, and the plan proceeds without alternatives', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    spotPrices({ 'us-east-1a': '0.45' });
    ec2Mock.on(DescribeInstanceTypesCommand).rejects(sdkError('UnauthorizedOperation', 403, 'not authorized'));
    // Act
    const plan = await planStep(resolvedDoc(), clients);
    // Assess
    expect(plan.alternatives).toEqual([]);
    expect(otherNotes(plan.notes)).toEqual(['alternative types unknown (UnauthorizedOperation: not authorized)']);
    expect(plan.attempts.length).toBeGreaterThan(0);
  });

  test('a price cap below everything: the error suggests alternatives (message and details)', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer());
    spotPrices({ 'us-east-1a': '0.45' });
    catalog();
    // Act
    const error = await planFailure(planStep(resolvedDoc({ maxHourlyPrice: 0.1 }), clients));
    // Assess
    expect(error.message).toBe(
      'No way to launch g5.xlarge with market=auto: nothing is offered at or below $0.1/h (on-demand is $1.006/h). ' +
        'Other NVIDIA types offered in us-east-1 that fit: try g6.xlarge ($0.80/h, 1 x L4 22 GiB), g5.2xlarge ($1.21/h, 1 x A10G 22 GiB) or g6e.xlarge ($1.86/h, 1 x L40S 45 GiB)',
    );
    expect(error.hint).toBe('Raise maxHourlyPrice, set market to auto, or choose another instance type');
    expect((error.details?.alternatives as unknown[]).length).toBe(3);
  });

  test('no offering in the region: LaunchPlanEmptyError, alternatives still suggested', async () => {
    // Prepare
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer());
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({});
    catalog();
    // Act
    const error = await planFailure(planStep(resolvedDoc({}, {}, { zones: [] }), clients));
    // Assess
    expect(error.message).toMatch(/^No way to launch g5\.xlarge with market=auto: no zone offers it\. Other NVIDIA types offered in us-east-1 that fit: try g6\.xlarge/);
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
