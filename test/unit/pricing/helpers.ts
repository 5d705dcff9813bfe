/** Builds real-shaped GetProducts product documents for the pricing tests. */

export interface DocOptions {
  sku?: string;
  productFamily?: string;
  attributes?: Record<string, string | undefined>;
  usd?: string;
  unit?: string;
  effectiveDate?: string;
  description?: string;
  /** Extra OnDemand terms, or `null` for a document without any. */
  onDemand?: Record<string, unknown> | null;
  reserved?: boolean;
}

export const BASE_ATTRIBUTES: Record<string, string> = {
  instanceType: 'g5.xlarge',
  regionCode: 'us-east-1',
  location: 'US East (N. Virginia)',
  operatingSystem: 'Linux',
  tenancy: 'Shared',
  preInstalledSw: 'NA',
  capacitystatus: 'Used',
  licenseModel: 'No License required',
  operation: 'RunInstances',
  marketoption: 'OnDemand',
  usagetype: 'BoxUsage:g5.xlarge',
  vcpu: '4',
  servicecode: 'AmazonEC2',
};

export const productDoc = (options: DocOptions = {}): string => {
  const sku = options.sku ?? 'GOODSKU000000001';
  const attributes = Object.fromEntries(
    Object.entries({ ...BASE_ATTRIBUTES, ...options.attributes }).filter(([, v]) => v !== undefined),
  );
  const term = `${sku}.JRTCKXETXF`;
  const rate = `${term}.6YS6EN2CT7`;
  const onDemand =
    options.onDemand === null
      ? undefined
      : (options.onDemand ?? {
          [term]: {
            priceDimensions: {
              [rate]: {
                unit: options.unit ?? 'Hrs',
                endRange: 'Inf',
                description: options.description ?? `$${Number(options.usd ?? '1.006')} per On Demand Linux g5.xlarge Instance Hour`,
                appliesTo: [],
                rateCode: rate,
                beginRange: '0',
                pricePerUnit: { USD: options.usd ?? '1.0060000000' },
              },
            },
            sku,
            effectiveDate: options.effectiveDate ?? '2025-01-01T00:00:00Z',
            offerTermCode: 'JRTCKXETXF',
            termAttributes: {},
          },
        });
  return JSON.stringify({
    product: { productFamily: options.productFamily ?? 'Compute Instance', attributes, sku },
    serviceCode: 'AmazonEC2',
    terms: {
      ...(onDemand === undefined ? {} : { OnDemand: onDemand }),
      ...(options.reserved === true
        ? {
            Reserved: {
              [`${sku}.4NA7Y494T4`]: {
                priceDimensions: {
                  [`${sku}.4NA7Y494T4.6YS6EN2CT7`]: { unit: 'Hrs', pricePerUnit: { USD: '0.1000000000' }, description: 'RI' },
                },
                effectiveDate: '2030-01-01T00:00:00Z',
              },
            },
          }
        : {}),
    },
    version: '20250101000000',
    publicationDate: '2025-01-01T00:00:00Z',
  });
};

export const QUERY = { instanceType: 'g5.xlarge', regionCode: 'us-east-1' } as const;
