import { DescribeInstanceTypeOfferingsCommand, DescribeInstanceTypesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetProductsCommand, PricingClient } from '@aws-sdk/client-pricing';
import { mockClient } from 'aws-sdk-client-mock';
import {
  candidateTypes,
  clearAlternativesCache,
  findAlternatives,
  offeredInRegion,
  quotaFit,
  rankAlternatives,
  type PricedCandidate,
} from '../../../lib/capacity/alternatives.js';
import { quotaDefinition, type VcpuQuota } from '../../../lib/capacity/quotas.js';
import { fromEc2, listNvidiaTypes } from '../../../lib/catalog/catalog.js';
import { defaultPriceCache } from '../../../lib/pricing/pricing-api.js';
import type { GpuSpec, InstanceTypeInfo } from '../../../lib/types.js';
import { CATALOG, ec2Type, pricingAnswer } from './helpers.js';

const ec2Mock = mockClient(EC2Client);
const pricingMock = mockClient(PricingClient);
const ec2 = new EC2Client({ region: 'us-east-1' });
const pricing = new PricingClient({ region: 'us-east-1' });

type GpuType = InstanceTypeInfo & { gpu: GpuSpec };
const TYPES = CATALOG.map((spec) => fromEc2(ec2Type(spec)) as GpuType);
const byName = (name: string): GpuType => TYPES.find((t) => t.instanceType === name)!;
const quota = (bucket: 'G' | 'P', market: 'spot' | 'on-demand', vcpus?: number): VcpuQuota => ({
  ...quotaDefinition(bucket, market),
  ...(vcpus === undefined ? { unknownReason: 'denied' } : { vcpus }),
});
const G5_REQUEST = { instanceType: 'g5.xlarge', architecture: 'x86_64' as const, gpuMemoryMiB: 22888 };

beforeEach(() => {
  ec2Mock.reset();
  pricingMock.reset();
  defaultPriceCache.clear();
  clearAlternativesCache();
});

describe('listNvidiaTypes', () => {
  test('the g* and p* families, NVIDIA only, across pages, sorted by name', async () => {
    // Prepare
    ec2Mock
      .on(DescribeInstanceTypesCommand)
      .resolvesOnce({ InstanceTypes: [ec2Type({ name: 'p5.4xlarge' }), ec2Type({ name: 'g4ad.xlarge', manufacturer: 'AMD' })], NextToken: 'page-2' })
      .resolvesOnce({ InstanceTypes: [ec2Type({ name: 'g6.xlarge' }), { InstanceType: 'g1.fake' as never }] });
    // Act
    const types = await listNvidiaTypes(ec2);
    // Assess
    expect(types.map((t) => t.instanceType)).toEqual(['g6.xlarge', 'p5.4xlarge']);
    const calls = ec2Mock.commandCalls(DescribeInstanceTypesCommand).map((c) => c.args[0].input);
    expect(calls).toEqual([
      { Filters: [{ Name: 'instance-type', Values: ['g*', 'p*'] }], MaxResults: 100 },
      { Filters: [{ Name: 'instance-type', Values: ['g*', 'p*'] }], MaxResults: 100, NextToken: 'page-2' },
    ]);
  });

  test('one type only', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: [ec2Type({ name: 'g6.xlarge' })] });
    // Act
    await listNvidiaTypes(ec2, 'g6.xlarge');
    // Assess
    expect(ec2Mock.commandCalls(DescribeInstanceTypesCommand)[0]?.args[0].input.Filters).toEqual([{ Name: 'instance-type', Values: ['g6.xlarge'] }]);
  });
});

describe('offeredInRegion', () => {
  test('region-level offerings, 100 types per call, across pages', async () => {
    // Prepare
    const names = Array.from({ length: 150 }, (_, i) => `g9.${i}xlarge`);
    ec2Mock
      .on(DescribeInstanceTypeOfferingsCommand)
      .resolvesOnce({ InstanceTypeOfferings: [{ InstanceType: 'g9.1xlarge' as never }], NextToken: 'more' })
      .resolvesOnce({ InstanceTypeOfferings: [{ InstanceType: 'g9.2xlarge' as never }, {}] })
      .resolvesOnce({ InstanceTypeOfferings: [{ InstanceType: 'g9.149xlarge' as never }] });
    // Act
    const offered = await offeredInRegion(ec2, names);
    // Assess
    expect([...offered]).toEqual(['g9.1xlarge', 'g9.2xlarge', 'g9.149xlarge']);
    const calls = ec2Mock.commandCalls(DescribeInstanceTypeOfferingsCommand).map((c) => c.args[0].input);
    expect(calls.map((c) => [c.LocationType, c.Filters?.[0]?.Values?.length, c.NextToken])).toEqual([
      ['region', 100, undefined],
      ['region', 100, 'more'],
      ['region', 50, undefined],
    ]);
  });
});

describe('candidateTypes', () => {
  test('NVIDIA, whole GPUs, same architecture, at least the GPU memory, not the requested type; closest first', () => {
    // Act
    const candidates = candidateTypes(TYPES, G5_REQUEST);
    // Assess: not g4dn (16 GiB), g5g (arm64), g6f (a fraction of a GPU), g4ad (AMD), g5.xlarge itself
    expect(candidates.map((t) => t.instanceType)).toEqual(['g6.xlarge', 'g5.2xlarge', 'g6e.xlarge', 'p5.4xlarge']);
  });

  test('GPU memory reported a little lower for the same nominal size still counts (A10G 24,576 vs L4 22,888 MiB)', () => {
    expect(candidateTypes(TYPES, { ...G5_REQUEST, gpuMemoryMiB: 24576 }).map((t) => t.instanceType)).toContain('g6.xlarge');
    expect(candidateTypes(TYPES, { ...G5_REQUEST, gpuMemoryMiB: 40000 }).map((t) => t.instanceType)).toEqual(['g6e.xlarge', 'p5.4xlarge']);
  });

  test('arm64: only arm64 types', () => {
    expect(candidateTypes(TYPES, { instanceType: 'g5g.2xlarge', architecture: 'arm64', gpuMemoryMiB: 16384 }).map((t) => t.instanceType)).toEqual(['g5g.xlarge']);
  });
});

describe('quotaFit', () => {
  test.each([
    ['a known quota that fits in one market', [quota('G', 'spot', 0), quota('G', 'on-demand', 8)], ['spot', 'on-demand'], 'within'],
    ['every market known and too small', [quota('G', 'spot', 0), quota('G', 'on-demand', 2)], ['spot', 'on-demand'], false],
    ['one market unknown', [quota('G', 'spot', 0), quota('G', 'on-demand')], ['spot', 'on-demand'], 'unknown'],
    ['no quota read for the bucket', [quota('P', 'on-demand', 0)], ['on-demand'], 'unknown'],
    ['only the markets in play count', [quota('G', 'spot', 64), quota('G', 'on-demand', 0)], ['on-demand'], false],
  ] as const)('%s', (_label, quotas, markets, expected) => {
    expect(quotaFit({ instanceType: 'g6.xlarge', vcpus: 4 }, quotas, markets)).toBe(expected);
  });
});

describe('rankAlternatives', () => {
  const priced: PricedCandidate[] = [
    { type: byName('p5.4xlarge') },
    { type: byName('g6e.xlarge'), onDemandHourly: 1.861, priceSource: 'pricing-api' },
    { type: byName('g5.2xlarge'), onDemandHourly: 1.212, priceSource: 'snapshot 2025-01-01' },
    { type: byName('g6.xlarge'), onDemandHourly: 0.8048, priceSource: 'pricing-api' },
  ];

  test('by on-demand price, unknown prices last, three at most', () => {
    // Act
    const ranked = rankAlternatives(priced, { quotas: [], market: 'auto' });
    // Assess
    expect(ranked.map((a) => a.instanceType)).toEqual(['g6.xlarge', 'g5.2xlarge', 'g6e.xlarge']);
    expect(ranked[1]).toEqual({ instanceType: 'g5.2xlarge', gpu: { model: 'A10G', count: 1, memoryGiB: 22 }, vcpus: 8, onDemandHourly: 1.212, priceSource: 'snapshot 2025-01-01', quota: 'unknown' });
    expect(rankAlternatives(priced, { quotas: [], market: 'auto', limit: 10 }).at(-1)).toEqual({
      instanceType: 'p5.4xlarge',
      gpu: { model: 'H100', count: 1, memoryGiB: 80 },
      vcpus: 16,
      quota: 'unknown',
    });
  });

  test('outside a known quota: left out; within: marked', () => {
    // Act: 4 vCPUs of G on-demand room, spot not in play
    const ranked = rankAlternatives(priced, { quotas: [quota('G', 'on-demand', 4)], market: 'on-demand' });
    // Assess
    expect(ranked.map((a) => `${a.instanceType}:${a.quota}`)).toEqual(['g6.xlarge:within', 'g6e.xlarge:within', 'p5.4xlarge:unknown']);
  });

  test('on-demand only: a known price above the cap is left out; auto keeps it (spot may be under the cap)', () => {
    expect(rankAlternatives(priced, { quotas: [], market: 'on-demand', maxHourlyPrice: 1 }).map((a) => a.instanceType)).toEqual(['g6.xlarge', 'p5.4xlarge']);
    expect(rankAlternatives(priced, { quotas: [], market: 'auto', maxHourlyPrice: 1 })).toHaveLength(3);
  });
});

describe('findAlternatives', () => {
  test('the Pricing API unreachable: snapshot prices, said so in a note', async () => {
    // Prepare
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: CATALOG.map(ec2Type) });
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: [{ InstanceType: 'g6.xlarge' }, { InstanceType: 'g5.2xlarge' }] });
    pricingMock.on(GetProductsCommand).rejects(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }));
    // Act
    const { alternatives, notes } = await findAlternatives({ ec2, pricing }, { ...G5_REQUEST, region: 'us-east-1', market: 'auto' });
    // Assess
    expect(alternatives.map((a) => `${a.instanceType}:${a.onDemandHourly}:${a.priceSource}`)).toEqual(['g6.xlarge:0.8048:snapshot 2025-01-01', 'g5.2xlarge:1.212:snapshot 2025-01-01']);
    expect(notes).toEqual(['alternatives priced from the offline snapshot 2025-01-01: the Pricing API did not answer']);
  });

  test('at most five price lookups, closest candidates first', async () => {
    // Prepare
    const many = Array.from({ length: 8 }, (_, i) => ({ name: `g6.${i + 1}xlarge`, vcpus: 4 * (i + 1) }));
    ec2Mock.on(DescribeInstanceTypesCommand).resolves({ InstanceTypes: many.map(ec2Type) });
    ec2Mock.on(DescribeInstanceTypeOfferingsCommand).resolves({ InstanceTypeOfferings: many.map((m) => ({ InstanceType: m.name as never })) });
    pricingMock.on(GetProductsCommand).callsFake(pricingAnswer({ 'g6.2xlarge': '0.9776' }));
    // Act
    const { alternatives, notes } = await findAlternatives({ ec2, pricing }, { ...G5_REQUEST, region: 'us-east-1', market: 'auto' });
    // Assess
    expect(pricingMock.commandCalls(GetProductsCommand)).toHaveLength(5);
    expect(alternatives.map((a) => a.instanceType)).toEqual(['g6.2xlarge', 'g6.1xlarge', 'g6.3xlarge']);
    expect(notes).toEqual([
      expect.stringMatching(/^alternative g6\.1xlarge: on-demand price unknown \(PriceNotFoundError/),
      expect.stringMatching(/^alternative g6\.3xlarge: on-demand price unknown/),
    ]);
  });
});
