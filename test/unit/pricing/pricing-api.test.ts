import { GetProductsCommand, PricingClient, ThrottlingException } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsThrottlingError } from '../../../lib/errors.js';
import { PriceNotFoundError } from '../../../lib/pricing/errors.js';
import {
  defaultPriceCache,
  getOnDemandPrice,
  onDemandFilters,
  PRICING_API_REGION,
  pricingRegionFor,
} from '../../../lib/pricing/pricing-api.js';
import type { OnDemandPrice } from '../../../lib/pricing/products.js';
import { TtlCache } from '../../../lib/cache.js';
import { productDoc } from './helpers.js';

const pricing = mockClient(PricingClient);
const client = new PricingClient({ region: 'us-east-1' });
const REQUEST = { instanceType: 'g5.xlarge', region: 'us-east-1' };

beforeEach(() => {
  pricing.reset();
  defaultPriceCache.clear();
});

describe('pricingRegionFor', () => {
  test.each([
    ['us-east-1', 'us-east-1'],
    ['us-west-2', 'us-east-1'],
    ['ca-central-1', 'us-east-1'],
    ['sa-east-1', 'us-east-1'],
    ['ap-northeast-1', 'ap-south-1'],
    ['ap-southeast-2', 'ap-south-1'],
    ['eu-west-1', 'eu-central-1'],
    ['me-south-1', 'eu-central-1'],
    ['af-south-1', 'eu-central-1'],
    ['il-central-1', 'eu-central-1'],
  ])('%s is priced from %s', (region, expected) => {
    expect(pricingRegionFor(region)).toBe(expected);
  });

  test('the default endpoint region is us-east-1', () => {
    expect(PRICING_API_REGION).toBe('us-east-1');
  });
});

describe('getOnDemandPrice', () => {
  test('sends AmazonEC2 with the TERM_MATCH filters and parses the answer', async () => {
    // Prepare
    pricing.on(GetProductsCommand).resolves({ FormatVersion: 'aws_v1', PriceList: [productDoc()] });
    // Act
    const price = await getOnDemandPrice(client, REQUEST, { cache: false });
    // Assess
    expect(price.usdPerHour).toBe(1.006);
    const calls = pricing.commandCalls(GetProductsCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input?.ServiceCode).toBe('AmazonEC2');
    expect(input?.NextToken).toBeUndefined();
    expect(input?.Filters).toEqual([
      { Type: 'TERM_MATCH', Field: 'instanceType', Value: 'g5.xlarge' },
      { Type: 'TERM_MATCH', Field: 'regionCode', Value: 'us-east-1' },
      { Type: 'TERM_MATCH', Field: 'operatingSystem', Value: 'Linux' },
      { Type: 'TERM_MATCH', Field: 'tenancy', Value: 'Shared' },
      { Type: 'TERM_MATCH', Field: 'preInstalledSw', Value: 'NA' },
      { Type: 'TERM_MATCH', Field: 'capacitystatus', Value: 'Used' },
    ]);
    expect(onDemandFilters('g5.xlarge', 'us-east-1')).toEqual(input?.Filters);
  });

  test('follows NextToken across pages and chooses among all pages', async () => {
    // Prepare: the qualifying SKU is only on the second page
    pricing
      .on(GetProductsCommand)
      .resolvesOnce({ PriceList: [productDoc({ sku: 'WIN', attributes: { operatingSystem: 'Windows' } })], NextToken: 't1' })
      .resolvesOnce({ PriceList: [productDoc({ sku: 'LINUX' })], NextToken: 't2' })
      .resolvesOnce({ PriceList: [], NextToken: '' });
    // Act
    const price = await getOnDemandPrice(client, REQUEST, { cache: false });
    // Assess
    expect(price.sku).toBe('LINUX');
    const tokens = pricing.commandCalls(GetProductsCommand).map((c) => c.args[0].input.NextToken);
    expect(tokens).toEqual([undefined, 't1', 't2']);
  });

  test('stops after a bounded number of pages when a server echoes NextToken forever', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [productDoc()], NextToken: 'again' });
    await getOnDemandPrice(client, REQUEST, { cache: false });
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(50);
  });

  test('a missing PriceList means no price', async () => {
    pricing.on(GetProductsCommand).resolves({});
    await expect(getOnDemandPrice(client, REQUEST, { cache: false })).rejects.toBeInstanceOf(PriceNotFoundError);
  });

  test('a cache hit makes no call; the entry expires after the TTL', async () => {
    // Prepare
    let clock = 1_000_000;
    const cache = new TtlCache<string, OnDemandPrice>({ ttlMs: 60_000, clock: () => clock });
    pricing.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    // Act
    await getOnDemandPrice(client, REQUEST, { cache });
    clock += 59_999;
    const hit = await getOnDemandPrice(client, REQUEST, { cache });
    const callsWhileFresh = pricing.commandCalls(GetProductsCommand).length;
    clock += 1;
    await getOnDemandPrice(client, REQUEST, { cache });
    // Assess
    expect(hit.usdPerHour).toBe(1.006);
    expect(callsWhileFresh).toBe(1);
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(2);
  });

  test('the cache is keyed by region and instance type', async () => {
    const cache = new TtlCache<string, OnDemandPrice>();
    pricing.on(GetProductsCommand).resolves({
      PriceList: [productDoc(), productDoc({ sku: 'W2', attributes: { regionCode: 'us-west-2', usagetype: 'USW2-BoxUsage:g5.xlarge' } })],
    });
    await getOnDemandPrice(client, REQUEST, { cache });
    const west = await getOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'us-west-2' }, { cache });
    expect(west.sku).toBe('W2');
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(2);
    expect(cache.size).toBe(2);
  });

  test('`now` sets the instant the cache is judged at', async () => {
    const cache = new TtlCache<string, OnDemandPrice>({ ttlMs: 1000, clock: () => 0 });
    pricing.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    await getOnDemandPrice(client, REQUEST, { cache, now: new Date(5000) });
    await getOnDemandPrice(client, REQUEST, { cache, now: new Date(5999) });
    await getOnDemandPrice(client, REQUEST, { cache, now: new Date(6000) });
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(2);
  });

  test('uses the shared default cache when none is given', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [productDoc()] });
    await getOnDemandPrice(client, REQUEST);
    await getOnDemandPrice(client, REQUEST);
    expect(pricing.commandCalls(GetProductsCommand)).toHaveLength(1);
    expect(defaultPriceCache.get('us-east-1:g5.xlarge')?.usdPerHour).toBe(1.006);
  });

  test('does not cache a missing price', async () => {
    const cache = new TtlCache<string, OnDemandPrice>();
    pricing.on(GetProductsCommand).resolves({ PriceList: [] });
    await expect(getOnDemandPrice(client, REQUEST, { cache })).rejects.toThrow(PriceNotFoundError);
    expect(cache.size).toBe(0);
  });

  test('turns an SDK throttling exception into AwsThrottlingError', async () => {
    // Prepare
    pricing.on(GetProductsCommand).rejects(new ThrottlingException({ message: 'Rate exceeded', $metadata: {} }));
    // Act
    const result = getOnDemandPrice(client, REQUEST, { cache: false });
    // Assess
    await expect(result).rejects.toBeInstanceOf(AwsThrottlingError);
    await expect(getOnDemandPrice(client, REQUEST, { cache: false })).rejects.toMatchObject({
      details: { code: 'ThrottlingException', operation: 'pricing:GetProducts' },
    });
  });
});
