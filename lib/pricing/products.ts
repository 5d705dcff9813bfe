/**
 * Parsing of AWS Price List `GetProducts` documents (each `PriceList` item is a JSON *string*) down to the one
 * on-demand hourly price a user pays for a plain Linux, shared-tenancy EC2 instance.
 *
 * A GetProducts answer for one instance type holds many SKUs that look alike: Windows/RHEL/SQL variants,
 * dedicated and host tenancy, capacity-reservation rows (some $0.00), BYOL. Only one of them is the bill.
 */
import { PriceNotFoundError } from './errors.js';
import { isRecord } from '../guards.js';

/** The price of one instance type in one region, from the Pricing API. */
export interface OnDemandPrice {
  instanceType: string;
  regionCode: string;
  usdPerHour: number;
  sku: string;
  /** ISO-8601 date the price took effect. */
  effectiveDate: string;
  /** AWS's own wording, e.g. "$1.006 per On Demand Linux g5.xlarge Instance Hour". */
  description: string;
  source: 'pricing-api';
}

export interface PriceQuery {
  instanceType: string;
  regionCode: string;
}

/** One hourly on-demand rate of one product, flattened out of `terms.OnDemand`. */
export interface PriceCandidate {
  sku: string;
  rateCode: string;
  usdPerHour: number;
  effectiveDate: string;
  description: string;
}

/** Why a SKU or rate was left out; reported in `PriceNotFoundError.details` to make an empty answer explainable. */
export type RejectionReason =
  | 'unparseable'
  | 'product-family'
  | 'instance-type'
  | 'region'
  | 'operating-system'
  | 'tenancy'
  | 'pre-installed-software'
  | 'capacity-status'
  | 'license-model'
  | 'operation'
  | 'market-option'
  | 'usage-type'
  | 'no-on-demand-terms'
  | 'unit'
  | 'price';

type Attributes = Record<string, string>;

/** The parts of a product document the rules look at. */
export interface ParsedProduct {
  sku: string;
  productFamily: string;
  attributes: Attributes;
  onDemandTerms: unknown;
}


const stringsOnly = (value: Record<string, unknown>): Attributes =>
  Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'));

/**
 * Parses one `PriceList` item. Returns undefined for anything that is not a product document.
 *
 * @example
 * parseProductDocument('{"product":{"sku":"X","productFamily":"Compute Instance","attributes":{}},"terms":{}}');
 */
export const parseProductDocument = (item: string): ParsedProduct | undefined => {
  let doc: unknown;
  try {
    doc = JSON.parse(item);
  } catch {
    return undefined;
  }
  if (!isRecord(doc) || !isRecord(doc.product)) return undefined;
  const { product } = doc;
  if (typeof product.sku !== 'string' || !isRecord(product.attributes)) return undefined;
  return {
    sku: product.sku,
    productFamily: typeof product.productFamily === 'string' ? product.productFamily : '',
    attributes: stringsOnly(product.attributes),
    onDemandTerms: isRecord(doc.terms) ? doc.terms.OnDemand : undefined,
  };
};

/**
 * The product-level rules: the first one a product breaks, or undefined when it is a plain Linux instance.
 * Attributes that only newer documents carry (licenseModel, marketoption) are checked when present.
 *
 * @example
 * productRejection({ sku: 'X', productFamily: 'Storage', attributes: {}, onDemandTerms: {} }, q) // 'product-family'
 */
export const productRejection = (product: ParsedProduct, query: PriceQuery): RejectionReason | undefined => {
  const a = product.attributes;
  if (product.productFamily !== 'Compute Instance') return 'product-family';
  if (a.instanceType !== query.instanceType) return 'instance-type';
  if (a.regionCode !== query.regionCode) return 'region';
  if (a.operatingSystem !== 'Linux') return 'operating-system';
  if (a.tenancy !== 'Shared') return 'tenancy';
  if (a.preInstalledSw !== 'NA') return 'pre-installed-software';
  if (a.capacitystatus !== 'Used') return 'capacity-status';
  if (a.licenseModel !== undefined && a.licenseModel !== 'No License required') return 'license-model';
  // Plain Linux is exactly "RunInstances"; "RunInstances:0010" (RHEL), ":0004" (SQL) etc. carry a licence fee.
  if (a.operation !== 'RunInstances') return 'operation';
  if (a.marketoption !== undefined && a.marketoption !== 'OnDemand') return 'market-option';
  // "BoxUsage:g5.xlarge" or "USW2-BoxUsage:g5.xlarge"; "HostBoxUsage:" is a dedicated host, not this.
  if (!/(^|-)BoxUsage:/.test(a.usagetype ?? '')) return 'usage-type';
  return undefined;
};

/**
 * Every rate under `terms.OnDemand`, whatever its unit or price (the rate rules are applied separately).
 *
 * @example
 * onDemandRates(parseProductDocument(item)!) // [{ sku, rateCode, unit: 'Hrs', usd: '1.0060000000', ... }]
 */
export const onDemandRates = (
  product: ParsedProduct,
): Array<{ sku: string; rateCode: string; unit: string; usd: string; effectiveDate: string; description: string }> => {
  if (!isRecord(product.onDemandTerms)) return [];
  return Object.values(product.onDemandTerms).filter(isRecord).flatMap((term) => {
    const effectiveDate = typeof term.effectiveDate === 'string' ? term.effectiveDate : '';
    const dimensions = isRecord(term.priceDimensions) ? Object.values(term.priceDimensions).filter(isRecord) : [];
    return dimensions.map((d) => ({
      sku: product.sku,
      rateCode: typeof d.rateCode === 'string' ? d.rateCode : '',
      unit: typeof d.unit === 'string' ? d.unit : '',
      usd: isRecord(d.pricePerUnit) && typeof d.pricePerUnit.USD === 'string' ? d.pricePerUnit.USD : '',
      effectiveDate,
      description: typeof d.description === 'string' ? d.description : '',
    }));
  });
};

/** A price string as a positive number, or undefined ($0.00 rows are reservation bookkeeping, not a price). */
const positiveUsd = (usd: string): number | undefined => {
  const value = usd.trim() === '' ? Number.NaN : Number(usd);
  return Number.isFinite(value) && value > 0 ? value : undefined;
};

const dateValue = (iso: string): number => {
  const value = Date.parse(iso);
  return Number.isNaN(value) ? Number.NEGATIVE_INFINITY : value;
};

/**
 * Orders candidates best first: newest effectiveDate, then lowest price, then SKU and rate code, so the same
 * price list always gives the same answer.
 *
 * @example
 * candidates.sort(compareCandidates)[0]
 */
export const compareCandidates = (x: PriceCandidate, y: PriceCandidate): number =>
  dateValue(y.effectiveDate) - dateValue(x.effectiveDate) ||
  x.usdPerHour - y.usdPerHour ||
  x.sku.localeCompare(y.sku) ||
  x.rateCode.localeCompare(y.rateCode);

/**
 * Sorts a price list into the qualifying hourly rates and a count of rejections by reason.
 *
 * @example
 * const { candidates, rejected } = collectCandidates(priceList, { instanceType: 'g5.xlarge', regionCode: 'us-east-1' });
 */
export const collectCandidates = (
  priceList: readonly string[],
  query: PriceQuery,
): { candidates: PriceCandidate[]; rejected: Partial<Record<RejectionReason, number>> } => {
  const rejected: Partial<Record<RejectionReason, number>> = {};
  const reject = (reason: RejectionReason): void => {
    rejected[reason] = (rejected[reason] ?? 0) + 1;
  };
  const candidates: PriceCandidate[] = [];
  for (const item of priceList) {
    const product = parseProductDocument(item);
    if (product === undefined) {
      reject('unparseable');
      continue;
    }
    const reason = productRejection(product, query);
    if (reason !== undefined) {
      reject(reason);
      continue;
    }
    const rates = onDemandRates(product);
    if (rates.length === 0) reject('no-on-demand-terms');
    for (const rate of rates) {
      const usdPerHour = positiveUsd(rate.usd);
      if (rate.unit !== 'Hrs') reject('unit');
      else if (usdPerHour === undefined) reject('price');
      else candidates.push({ ...rate, usdPerHour });
    }
  }
  return { candidates, rejected };
};

/**
 * The on-demand hourly price a user pays for a plain Linux instance (shared tenancy, no pre-installed software,
 * no licence fee, capacity actually used), picked from a GetProducts `PriceList`.
 *
 * @throws PriceNotFoundError when no SKU qualifies; `details.rejected` counts why each one was left out.
 * @example
 * const price = selectOnDemandPrice(response.PriceList ?? [], { instanceType: 'g5.xlarge', regionCode: 'us-east-1' });
 * price.usdPerHour // 1.006
 */
export const selectOnDemandPrice = (priceList: readonly string[], query: PriceQuery): OnDemandPrice => {
  const { candidates, rejected } = collectCandidates(priceList, query);
  const best = [...candidates].sort(compareCandidates)[0];
  if (best === undefined) {
    throw new PriceNotFoundError(
      `No on-demand Linux price for ${query.instanceType} in ${query.regionCode} (${priceList.length} SKUs examined)`,
      {
        hint: `Check that ${query.instanceType} is sold in ${query.regionCode}, or choose another instance type or region.`,
        details: { ...query, examined: priceList.length, rejected },
      },
    );
  }
  return {
    instanceType: query.instanceType,
    regionCode: query.regionCode,
    usdPerHour: best.usdPerHour,
    sku: best.sku,
    effectiveDate: best.effectiveDate,
    description: best.description,
    source: 'pricing-api',
  };
};
