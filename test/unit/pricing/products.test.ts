import { PriceNotFoundError } from '../../../lib/pricing/errors.js';
import { collectCandidates, parseProductDocument, selectOnDemandPrice } from '../../../lib/pricing/products.js';
import { productDoc, QUERY } from './helpers.js';

const GOOD = productDoc();

describe('selectOnDemandPrice', () => {
  test('returns the plain Linux on-demand price with its provenance', () => {
    // Prepare
    const priceList = [GOOD];
    // Act
    const price = selectOnDemandPrice(priceList, QUERY);
    // Assess
    expect(price).toEqual({
      instanceType: 'g5.xlarge',
      regionCode: 'us-east-1',
      usdPerHour: 1.006,
      sku: 'GOODSKU000000001',
      effectiveDate: '2025-01-01T00:00:00Z',
      description: '$1.006 per On Demand Linux g5.xlarge Instance Hour',
      source: 'pricing-api',
    });
  });

  test('accepts a regional usage type prefix (USW2-BoxUsage:)', () => {
    const doc = productDoc({ attributes: { regionCode: 'us-west-2', usagetype: 'USW2-BoxUsage:g5.xlarge' } });
    expect(selectOnDemandPrice([doc], { instanceType: 'g5.xlarge', regionCode: 'us-west-2' }).usdPerHour).toBe(1.006);
  });

  test('accepts documents without licenseModel or marketoption (older documents)', () => {
    const doc = productDoc({ attributes: { licenseModel: undefined, marketoption: undefined } });
    expect(selectOnDemandPrice([doc], QUERY).usdPerHour).toBe(1.006);
  });

  test('ignores Reserved terms', () => {
    expect(selectOnDemandPrice([productDoc({ reserved: true })], QUERY).usdPerHour).toBe(1.006);
  });

  // Each rejection rule: a decoy that breaks exactly one rule, cheaper than the good SKU so it would win if kept.
  const decoys: Array<[string, string, string]> = [
    ['a $0.00 SKU', productDoc({ sku: 'ZERO', usd: '0.0000000000' }), 'price'],
    ['a non-numeric price', productDoc({ sku: 'NAN', usd: 'n/a' }), 'price'],
    ['an empty price', productDoc({ sku: 'EMPTY', usd: '' }), 'price'],
    ['a non-Hrs unit', productDoc({ sku: 'QTY', unit: 'Quantity', usd: '0.5000000000' }), 'unit'],
    ['Windows', productDoc({ sku: 'WIN', usd: '0.5', attributes: { operatingSystem: 'Windows', operation: 'RunInstances:0002' } }), 'operating-system'],
    ['RHEL', productDoc({ sku: 'RHEL', usd: '0.5', attributes: { operatingSystem: 'RHEL' } }), 'operating-system'],
    ['a BYOL licence', productDoc({ sku: 'BYOL', usd: '0.5', attributes: { licenseModel: 'Bring your own license' } }), 'license-model'],
    ['dedicated tenancy', productDoc({ sku: 'DED', usd: '0.5', attributes: { tenancy: 'Dedicated', usagetype: 'DedicatedUsage:g5.xlarge' } }), 'tenancy'],
    ['a DedicatedUsage usage type on a Shared row', productDoc({ sku: 'DEDU', usd: '0.5', attributes: { usagetype: 'DedicatedUsage:g5.xlarge' } }), 'usage-type'],
    ['a HostBoxUsage usage type', productDoc({ sku: 'HOST', usd: '0.5', attributes: { usagetype: 'HostBoxUsage:g5' } }), 'usage-type'],
    ['a Reservation usage type', productDoc({ sku: 'RES', usd: '0.5', attributes: { usagetype: 'Reservation:g5.xlarge' } }), 'usage-type'],
    ['UnusedCapacityReservation', productDoc({ sku: 'UNUSED', usd: '0.5', attributes: { capacitystatus: 'UnusedCapacityReservation', usagetype: 'UnusedBox:g5.xlarge' } }), 'capacity-status'],
    ['AllocatedCapacityReservation', productDoc({ sku: 'ALLOC', usd: '0.5', attributes: { capacitystatus: 'AllocatedCapacityReservation' } }), 'capacity-status'],
    ['pre-installed SQL', productDoc({ sku: 'SQL', usd: '0.5', attributes: { preInstalledSw: 'SQL Std' } }), 'pre-installed-software'],
    ['a RunInstances:xxxx operation', productDoc({ sku: 'OP', usd: '0.5', attributes: { operation: 'RunInstances:0004' } }), 'operation'],
    ['a non-OnDemand market option', productDoc({ sku: 'CB', usd: '0.5', attributes: { marketoption: 'CapacityBlock' } }), 'market-option'],
    ['another instance type', productDoc({ sku: 'TYPE', usd: '0.5', attributes: { instanceType: 'g5.2xlarge' } }), 'instance-type'],
    ['another region', productDoc({ sku: 'REGION', usd: '0.5', attributes: { regionCode: 'eu-west-1' } }), 'region'],
    ['another product family', productDoc({ sku: 'FAM', usd: '0.5', productFamily: 'Compute Instance (bare metal)' }), 'product-family'],
    ['a product without on-demand terms', productDoc({ sku: 'NOOD', onDemand: null }), 'no-on-demand-terms'],
    ['text that is not JSON', '{not json', 'unparseable'],
    ['JSON that is not a product', JSON.stringify({ product: { attributes: {} } }), 'unparseable'],
  ];

  test.each(decoys)('rejects %s', (_name, decoy, reason) => {
    // Prepare
    const priceList = [decoy, GOOD, decoy];
    // Act
    const price = selectOnDemandPrice(priceList, QUERY);
    const alone = collectCandidates([decoy], QUERY);
    // Assess
    expect(price.sku).toBe('GOODSKU000000001');
    expect(alone.candidates).toEqual([]);
    expect(alone.rejected).toEqual({ [reason]: 1 });
  });

  test('prefers the newest effectiveDate even when it is dearer', () => {
    const old = productDoc({ sku: 'OLD', usd: '0.9000000000', effectiveDate: '2024-01-01T00:00:00Z' });
    const newer = productDoc({ sku: 'NEW', usd: '1.0060000000', effectiveDate: '2025-03-01T00:00:00Z' });
    expect(selectOnDemandPrice([old, newer], QUERY).sku).toBe('NEW');
    expect(selectOnDemandPrice([newer, old], QUERY).sku).toBe('NEW');
  });

  test('on the same date, prefers the lower price', () => {
    const dear = productDoc({ sku: 'DEAR', usd: '1.1000000000' });
    const cheap = productDoc({ sku: 'CHEAP', usd: '1.0060000000' });
    expect(selectOnDemandPrice([dear, cheap], QUERY).sku).toBe('CHEAP');
  });

  test('breaks a full tie by SKU, whatever the order of the list', () => {
    const a = productDoc({ sku: 'AAAA' });
    const b = productDoc({ sku: 'BBBB' });
    expect(selectOnDemandPrice([b, a], QUERY).sku).toBe('AAAA');
    expect(selectOnDemandPrice([a, b], QUERY).sku).toBe('AAAA');
  });

  test('ranks an unparseable effectiveDate last', () => {
    const undated = productDoc({ sku: 'UNDATED', usd: '0.1', effectiveDate: 'soon' });
    expect(selectOnDemandPrice([undated, GOOD], QUERY).sku).toBe('GOODSKU000000001');
  });

  test('throws PriceNotFoundError with a hint and the rejection counts when nothing qualifies', () => {
    // Prepare
    const priceList = [productDoc({ usd: '0.0000000000' }), productDoc({ attributes: { tenancy: 'Host' } })];
    // Act
    const act = (): unknown => selectOnDemandPrice(priceList, QUERY);
    // Assess
    expect(act).toThrow(PriceNotFoundError);
    try {
      act();
    } catch (error) {
      const e = error as PriceNotFoundError;
      expect(e.name).toBe('PriceNotFoundError');
      expect(e.hint).toContain('g5.xlarge');
      expect(e.details).toEqual({ ...QUERY, examined: 2, rejected: { price: 1, tenancy: 1 } });
    }
  });

  test('throws on an empty price list', () => {
    expect(() => selectOnDemandPrice([], QUERY)).toThrow(/No on-demand Linux price for g5.xlarge in us-east-1/);
  });
});

describe('parseProductDocument', () => {
  test('tolerates odd shapes without throwing', () => {
    expect(parseProductDocument('[]')).toBeUndefined();
    expect(parseProductDocument('null')).toBeUndefined();
    expect(parseProductDocument(JSON.stringify({ product: { sku: 'X', attributes: { a: 1, b: 'x' } } }))).toEqual({
      sku: 'X',
      productFamily: '',
      attributes: { b: 'x' },
      onDemandTerms: undefined,
    });
  });

  test('skips malformed terms and dimensions', () => {
    const doc = JSON.stringify({
      product: { sku: 'X', productFamily: 'Compute Instance', attributes: {} },
      terms: { OnDemand: { bad: 'x', t: { priceDimensions: { d: { pricePerUnit: 'x' } } }, u: {} } },
    });
    const product = parseProductDocument(doc);
    expect(product).toBeDefined();
    const result = collectCandidates([doc], QUERY);
    expect(result.rejected).toEqual({ 'instance-type': 1 });
  });
});
