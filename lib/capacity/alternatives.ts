/**
 * Alternative NVIDIA types for a request that cannot be served: same CPU architecture, at least the requested GPU
 * memory, offered in the region, within the vCPU quota when it is known, ranked by on-demand price.
 *
 * API calls, cold: DescribeInstanceTypes (g* and p*, 1-2 pages) and DescribeInstanceTypeOfferings (region level,
 * one call) — both cached per region for six hours — plus at most `PRICE_LOOKUPS` Pricing GetProducts calls,
 * cached by the pricing module for hours and falling back to the dated snapshot.
 */
import { DescribeInstanceTypeOfferingsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { callAws } from '../aws/classify.js';
import { TtlCache } from '../cache.js';
import { listNvidiaTypes, type NvidiaInstanceType } from '../catalog/catalog.js';
import { resolveOnDemandPrice } from '../pricing/on-demand.js';
import type { Architecture, InstanceTypeInfo, Market, MarketChoice } from '../types.js';
import { quotaBucket, shortReason, type VcpuQuota } from './quotas.js';
import type { Alternative } from './suggest.js';

export type { Alternative } from './suggest.js';

/** How many candidates get a price lookup (closest to the request first). */
export const PRICE_LOOKUPS = 5;
/** How many alternatives a plan keeps. */
export const MAX_ALTERNATIVES = 3;
/**
 * EC2 reports nominally equal GPUs with different sizes (a "24 GB" A10G as 24,576 or 22,888 MiB depending on the
 * data's age, an L4 as 22,888 MiB): GPU memory within this fraction below the request counts as "at least".
 */
export const GPU_MEMORY_TOLERANCE = 0.1;

type GpuType = NvidiaInstanceType;


/**
 * The types of the list that the client's region offers (DescribeInstanceTypeOfferings at region level).
 *
 * @example
 * await offeredInRegion(ec2, ['g6.xlarge', 'p5.48xlarge']) // Set { 'g6.xlarge' }
 */
export async function offeredInRegion(ec2: EC2Client, instanceTypes: readonly string[]): Promise<Set<string>> {
  const offered = new Set<string>();
  for (let start = 0; start < instanceTypes.length; start += 100) {
    const chunk = instanceTypes.slice(start, start + 100);
    let NextToken: string | undefined;
    do {
      const out = await callAws('DescribeInstanceTypeOfferings', () =>
        ec2.send(
          new DescribeInstanceTypeOfferingsCommand({
            LocationType: 'region',
            Filters: [{ Name: 'instance-type', Values: chunk }],
            ...(NextToken ? { NextToken } : {}),
          }),
        ),
      );
      for (const offering of out?.InstanceTypeOfferings ?? []) if (offering.InstanceType) offered.add(offering.InstanceType);
      NextToken = out?.NextToken || undefined;
    } while (NextToken);
  }
  return offered;
}

// Holds the in-flight lookup too, so callers that overlap (a CLI prefetch and the plan) share one set of calls.
const catalogCache = new TtlCache<string, Promise<GpuType[]>>();

export function clearAlternativesCache(): void {
  catalogCache.clear();
}

/** The region's NVIDIA types that it offers, cached per region for six hours. */
export async function regionNvidiaCatalog(ec2: EC2Client, region: string): Promise<GpuType[]> {
  const cached = catalogCache.get(region);
  if (cached) return cached;
  const lookup = (async () => {
    const types = (await listNvidiaTypes(ec2)).filter((t) => t.gpu.count >= 1);
    const offered = await offeredInRegion(ec2, types.map((t) => t.instanceType));
    return types.filter((t) => offered.has(t.instanceType));
  })();
  catalogCache.set(region, lookup);
  // A failed lookup is not remembered.
  lookup.catch(() => catalogCache.delete(region));
  return lookup;
}

/**
 * The candidates for a request, closest first (least GPU memory, then fewest vCPUs, then fewest GPUs): NVIDIA,
 * whole GPUs, the same architecture, at least the requested total GPU memory (less `GPU_MEMORY_TOLERANCE`), not the
 * requested type. Pure.
 *
 * @example
 * candidateTypes(catalog, { instanceType: 'g5.xlarge', architecture: 'x86_64', gpuMemoryMiB: 22888 })
 */
export function candidateTypes(
  types: readonly GpuType[],
  request: { instanceType: string; architecture: Architecture; gpuMemoryMiB: number },
): GpuType[] {
  return types
    .filter(
      (t) =>
        t.instanceType !== request.instanceType &&
        t.gpu.manufacturer.toUpperCase() === 'NVIDIA' &&
        t.gpu.count >= 1 &&
        t.architectures.includes(request.architecture) &&
        t.gpu.memoryMiB >= request.gpuMemoryMiB * (1 - GPU_MEMORY_TOLERANCE),
    )
    .sort(
      (a, b) =>
        a.gpu.memoryMiB - b.gpu.memoryMiB ||
        a.vcpus - b.vcpus ||
        a.gpu.count - b.gpu.count ||
        a.instanceType.localeCompare(b.instanceType, 'en', { numeric: true }),
    );
}

/**
 * Whether a type fits the vCPU quota of its bucket in at least one market in play: `within` when a known quota
 * fits, `unknown` when none is known, false when every market's quota is known and too small.
 */
export function quotaFit(type: Pick<InstanceTypeInfo, 'instanceType' | 'vcpus'>, quotas: readonly VcpuQuota[], markets: readonly Market[]): 'within' | 'unknown' | false {
  const bucket = quotaBucket(type.instanceType);
  let unknown = false;
  for (const market of markets) {
    const quota = quotas.find((q) => q.bucket === bucket && q.market === market);
    if (quota?.vcpus === undefined) unknown = true;
    else if (type.vcpus <= quota.vcpus) return 'within';
  }
  return unknown ? 'unknown' : false;
}

export interface PricedCandidate {
  type: GpuType;
  onDemandHourly?: number;
  priceSource?: string;
}

/**
 * Keeps the candidates within quota (or quota unknown) and, for on-demand only, at or below the price cap; ranks
 * them by on-demand price (unknown prices last, in candidate order). Pure.
 */
export function rankAlternatives(
  priced: readonly PricedCandidate[],
  options: { quotas: readonly VcpuQuota[]; market: MarketChoice; maxHourlyPrice?: number; limit?: number },
): Alternative[] {
  const markets: Market[] = options.market === 'auto' ? ['spot', 'on-demand'] : [options.market];
  const ranked: Alternative[] = [];
  const withIndex = priced.map((p, index) => ({ ...p, index }));
  withIndex.sort(
    (a, b) =>
      (a.onDemandHourly ?? Number.POSITIVE_INFINITY) - (b.onDemandHourly ?? Number.POSITIVE_INFINITY) || a.index - b.index,
  );
  for (const { type, onDemandHourly, priceSource } of withIndex) {
    const fit = quotaFit(type, options.quotas, markets);
    if (fit === false) continue;
    if (options.market === 'on-demand' && options.maxHourlyPrice !== undefined && onDemandHourly !== undefined && onDemandHourly > options.maxHourlyPrice) continue;
    ranked.push({
      instanceType: type.instanceType,
      gpu: { model: type.gpu.model, count: type.gpu.count, memoryGiB: Math.round(type.gpu.memoryMiB / 1024) },
      vcpus: type.vcpus,
      ...(onDemandHourly === undefined ? {} : { onDemandHourly }),
      ...(priceSource === undefined ? {} : { priceSource }),
      quota: fit,
    });
  }
  return ranked.slice(0, options.limit ?? MAX_ALTERNATIVES);
}

export interface AlternativesRequest {
  instanceType: string;
  region: string;
  architecture: Architecture;
  gpuMemoryMiB: number;
  market: MarketChoice;
  maxHourlyPrice?: number;
}

/**
 * The alternatives for a request, looked up and ranked. Prices come from the Pricing API or the dated snapshot;
 * a candidate whose price cannot be found is kept, ranked after the priced ones.
 *
 * @throws Aws*Error when EC2 cannot list the types or offerings (the caller degrades)
 * @example
 * const { alternatives } = await findAlternatives({ ec2, pricing }, { instanceType: 'g5.xlarge', region: 'us-east-1', architecture: 'x86_64', gpuMemoryMiB: 22888, market: 'auto' }, quotas);
 */
export async function findAlternatives(
  clients: { ec2: EC2Client; pricing: PricingClient },
  request: AlternativesRequest,
  quotas: readonly VcpuQuota[] = [],
): Promise<{ alternatives: Alternative[]; notes: string[] }> {
  const catalog = await regionNvidiaCatalog(clients.ec2, request.region);
  const markets: Market[] = request.market === 'auto' ? ['spot', 'on-demand'] : [request.market];
  const candidates = candidateTypes(catalog, request).filter((t) => quotaFit(t, quotas, markets) !== false).slice(0, PRICE_LOOKUPS);
  const notes: string[] = [];
  const priceErrors = new Map<string, string>();
  const priced = await Promise.all(
    candidates.map(async (type): Promise<PricedCandidate> => {
      try {
        const price = await resolveOnDemandPrice(clients.pricing, { instanceType: type.instanceType, region: request.region });
        return { type, onDemandHourly: price.usdPerHour, priceSource: price.source === 'snapshot' ? `snapshot ${price.asOf}` : 'pricing-api' };
      } catch (error) {
        priceErrors.set(type.instanceType, shortReason(error));
        return { type };
      }
    }),
  );
  const alternatives = rankAlternatives(priced, {
    quotas,
    market: request.market,
    ...(request.maxHourlyPrice === undefined ? {} : { maxHourlyPrice: request.maxHourlyPrice }),
  });
  for (const a of alternatives) {
    const reason = priceErrors.get(a.instanceType);
    if (reason) notes.push(`alternative ${a.instanceType}: on-demand price unknown (${reason})`);
  }
  const snapshot = alternatives.find((a) => a.priceSource?.startsWith('snapshot'));
  if (snapshot) notes.push(`alternatives priced from the offline ${snapshot.priceSource}: the Pricing API did not answer`);
  return { alternatives, notes };
}
