import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsTransientError } from '../../../lib/errors.js';
import { PriceNotFoundError } from '../../../lib/pricing/errors.js';
import { resolveOnDemandPrice } from '../../../lib/pricing/on-demand.js';
import { productDoc } from './helpers.js';

const pricing = mockClient(PricingClient);
const client = new PricingClient({ region: 'us-east-1' });
const unreachable = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });

beforeEach(() => pricing.reset());

describe('resolveOnDemandPrice', () => {
  test('uses the Pricing API when it answers', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [productDoc({ usd: '1.1000000000' })] });
    const price = await resolveOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'us-east-1' }, { cache: false });
    expect(price).toMatchObject({ source: 'pricing-api', usdPerHour: 1.1 });
  });

  test('falls back to the dated snapshot, saying why, when the API cannot be reached', async () => {
    // Prepare
    pricing.on(GetProductsCommand).rejects(unreachable);
    // Act
    const price = await resolveOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'us-east-1' }, { cache: false });
    // Assess
    expect(price).toEqual({
      usdPerHour: 1.006,
      source: 'snapshot',
      asOf: '2025-01-01',
      instanceType: 'g5.xlarge',
      regionCode: 'us-east-1',
      fallbackReason: expect.stringContaining('AwsTransientError') as unknown as string,
    });
  });

  test('rethrows the API error when the snapshot has no cell either', async () => {
    pricing.on(GetProductsCommand).rejects(unreachable);
    await expect(
      resolveOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'sa-east-1' }, { cache: false }),
    ).rejects.toBeInstanceOf(AwsTransientError);
  });

  test('does not hide an authoritative "no price" behind the snapshot', async () => {
    pricing.on(GetProductsCommand).resolves({ PriceList: [] });
    await expect(
      resolveOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'us-east-1' }, { cache: false }),
    ).rejects.toBeInstanceOf(PriceNotFoundError);
  });
});
