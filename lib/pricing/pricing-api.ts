/**
 * Adapter for the AWS Price List Query API (`pricing:GetProducts`): the on-demand hourly price of an instance type.
 */
import { GetProductsCommand, type Filter, type PricingClient } from '@aws-sdk/client-pricing';
import { toProjectError } from '../aws/classify.js';
import { selectOnDemandPrice, type OnDemandPrice } from './products.js';
import { TtlCache } from '../cache.js';

/** The Pricing API is served only from us-east-1, eu-central-1 and ap-south-1; us-east-1 is the default. */
export const PRICING_API_REGION = 'us-east-1';

/**
 * The Pricing API endpoint region nearest to a deployment region (any of the three returns every region's prices).
 *
 * @example
 * pricingRegionFor('ap-northeast-1') // 'ap-south-1'
 * pricingRegionFor('eu-west-1')      // 'eu-central-1'
 * pricingRegionFor('us-west-2')      // 'us-east-1'
 */
export const pricingRegionFor = (region: string): string => {
  if (region.startsWith('ap-')) return 'ap-south-1';
  if (/^(eu|me|af|il)-/.test(region)) return 'eu-central-1';
  return PRICING_API_REGION;
};

/**
 * The GetProducts filters for one instance type in one region. They narrow the answer server-side; the parser
 * still checks every rule, because a TERM_MATCH on these does not exclude licence, SQL or reservation rows.
 *
 * @example
 * onDemandFilters('g5.xlarge', 'us-east-1')
 */
export const onDemandFilters = (instanceType: string, region: string): Filter[] =>
  (
    [
      ['instanceType', instanceType],
      ['regionCode', region],
      ['operatingSystem', 'Linux'],
      ['tenancy', 'Shared'],
      ['preInstalledSw', 'NA'],
      ['capacitystatus', 'Used'],
    ] as const
  ).map(([Field, Value]) => ({ Type: 'TERM_MATCH', Field, Value }));

/** A stand-in that echoes NextToken forever must not hang a Lambda; a real answer for one type is one page. */
const MAX_PAGES = 50;

/** The cache that `getOnDemandPrice` uses unless told otherwise; shared across warm Lambda invocations. */
export const defaultPriceCache = new TtlCache<string, OnDemandPrice>();

export interface GetOnDemandPriceOptions {
  /** A cache to use, or `false` for none (default: the shared `defaultPriceCache`). */
  cache?: TtlCache<string, OnDemandPrice> | false;
  /** The time to judge cache expiry at (default: the cache's clock). */
  now?: Date;
}

/**
 * Every `PriceList` item GetProducts returns for the filters, across pages.
 *
 * @example
 * const items = await fetchPriceList(new PricingClient({ region: 'us-east-1' }), onDemandFilters('g5.xlarge', 'us-east-1'));
 */
export const fetchPriceList = async (client: PricingClient, filters: Filter[]): Promise<string[]> => {
  const items: string[] = [];
  let nextToken: string | undefined;
  for (let page = 0; page < MAX_PAGES; page += 1) {
    const response = await client
      .send(
        new GetProductsCommand({
          ServiceCode: 'AmazonEC2',
          FormatVersion: 'aws_v1',
          Filters: filters,
          MaxResults: 100,
          ...(nextToken === undefined ? {} : { NextToken: nextToken }),
        }),
      )
      .catch((error: unknown) => {
        throw toProjectError(error, 'pricing:GetProducts');
      });
    items.push(...(response.PriceList ?? []));
    nextToken = response.NextToken === '' ? undefined : response.NextToken;
    if (nextToken === undefined) break;
  }
  return items;
};

/**
 * The on-demand Linux price per hour of `instanceType` in `region`, from the Pricing API, cached by region and type.
 * The client's own region should be `pricingRegionFor(region)`; the price is for `region` whichever endpoint answers.
 *
 * @throws PriceNotFoundError when the API answers but no SKU qualifies; Aws*Error when the call fails.
 * @example
 * const client = new PricingClient({ region: pricingRegionFor('eu-west-1') });
 * const price = await getOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'eu-west-1' });
 * price.usdPerHour // e.g. 1.123
 */
export const getOnDemandPrice = async (
  client: PricingClient,
  { instanceType, region }: { instanceType: string; region: string },
  { cache = defaultPriceCache, now }: GetOnDemandPriceOptions = {},
): Promise<OnDemandPrice> => {
  const key = `${region}:${instanceType}`;
  const at = now?.getTime();
  const cached = cache === false ? undefined : cache.get(key, at);
  if (cached !== undefined) return cached;
  const priceList = await fetchPriceList(client, onDemandFilters(instanceType, region));
  const price = selectOnDemandPrice(priceList, { instanceType, regionCode: region });
  if (cache !== false) cache.set(key, price, at);
  return price;
};
