import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import type { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { AwsThrottlingError } from '../errors.js';
import { serviceQuotasClient } from '../aws/service-quotas.js';
import { findAlternatives, regionNvidiaCatalog } from '../capacity/alternatives.js';
import { estimateFor } from '../capacity/estimate.js';
import type { CapacityFacts } from '../capacity/facts.js';
import { getSpotPlacementScores } from '../capacity/placement.js';
import { planLaunch } from '../capacity/plan.js';
import { getVcpuQuotas, quotaBucket, shortReason } from '../capacity/quotas.js';
import { withAlternatives, type Alternative } from '../capacity/suggest.js';
import { recentlyUnavailable } from '../capacity/unavailable.js';
import { LaunchPlanEmptyError } from '../errors.js';
import { resolveOnDemandPrice } from '../pricing/on-demand.js';
import { getSnapshotGp3Price } from '../pricing/snapshot.js';
import { getSpotPrices } from '../pricing/spot.js';
import type { Market } from '../types.js';
import type { PlanPrices, PlanResult, ResolvedDocument } from '../workflow/document.js';

export { estimateFor } from '../capacity/estimate.js';

/** The plan with the capacity facts (alternatives, quotas, placement scores) that PlanCapacity adds. */
export type CapacityPlanResult = PlanResult & CapacityFacts;

export interface PlanClients {
  ec2: EC2Client;
  pricing: PricingClient;
  /** Service Quotas in the deployment's region (default: the shared client for it). */
  quotas?: ServiceQuotasClient;
}

const reason = (error: unknown): string => (error instanceof Error ? `${error.name}: ${error.message}` : String(error));

/** gp3 where the snapshot has no cell for the region: us-east-1's price, the lowest, so the estimate is a floor. */
const GP3_DEFAULT_REGION = 'us-east-1';

async function gatherPrices(doc: ResolvedDocument, clients: { ec2: EC2Client; pricing: PricingClient }, notes: string[]): Promise<PlanPrices> {
  const { instanceType, region, market } = doc.request;
  let onDemand: PlanPrices['onDemand'];
  try {
    const price = await resolveOnDemandPrice(clients.pricing, { instanceType, region });
    if (price.source === 'snapshot') {
      onDemand = { usdPerHour: price.usdPerHour, source: 'snapshot', asOf: price.asOf };
      notes.push(`On-demand price from the offline snapshot dated ${price.asOf}: the Pricing API did not answer (${price.fallbackReason})`);
    } else {
      onDemand = { usdPerHour: price.usdPerHour, source: 'pricing-api', asOf: price.effectiveDate };
    }
  } catch (error) {
    notes.push(`On-demand price unknown (${reason(error)}): on-demand attempts carry no price`);
  }
  let spot: PlanPrices['spot'] = {};
  if (market !== 'on-demand') {
    try {
      spot = await getSpotPrices(clients.ec2, { instanceType, region, zones: doc.zones });
      if (Object.keys(spot).length === 0) notes.push(`EC2 publishes no spot price for ${instanceType} in ${region}: spot is not planned`);
    } catch (error) {
      // Throttling is retried by the state machine: planning on-demand only would silently forgo spot savings.
      if (error instanceof AwsThrottlingError) throw error;
      notes.push(`Spot prices unavailable (${reason(error)}): spot is not planned`);
    }
  }
  const gp3Snapshot = getSnapshotGp3Price(region) ?? getSnapshotGp3Price(GP3_DEFAULT_REGION);
  const gp3 = gp3Snapshot ?? { usdPerGbMonth: 0.08, source: 'snapshot', asOf: 'unknown' };
  if (!getSnapshotGp3Price(region)) notes.push(`gp3 price for ${region} not in the snapshot: using ${GP3_DEFAULT_REGION}'s`);
  return { ...(onDemand ? { onDemand } : {}), spot, gp3 };
}

/**
 * PlanCapacity: gathers, in parallel, the on-demand price (Pricing API or the dated snapshot), spot prices per zone,
 * the vCPU quotas of the type's bucket, spot placement scores and alternative types; then orders the launch
 * attempts and estimates the cost. Quotas, scores and alternatives degrade to notes when they cannot be read.
 *
 * API calls, cold (market auto): GetProducts 1, DescribeSpotPriceHistory 1, GetServiceQuota 2,
 * GetSpotPlacementScores 1 (+ DescribeAvailabilityZones 1 when it gives scores), DescribeInstanceTypes 1-2,
 * DescribeInstanceTypeOfferings 1, GetProducts for alternatives at most 5. Warm: quotas, the type catalog and
 * prices come from caches.
 *
 * @throws LaunchPlanEmptyError when nothing fits the market, price cap or quota, with alternatives in its message
 */
export async function planStep(doc: ResolvedDocument, clients: PlanClients): Promise<CapacityPlanResult> {
  const notes: string[] = [];
  const { instanceType, region, market, maxHourlyPrice, architecture } = doc.request;
  const markets: Market[] = market === 'auto' ? ['spot', 'on-demand'] : [market];
  const bucket = quotaBucket(instanceType);
  // Start the region's GPU catalog now, beside the quotas: findAlternatives shares this in-flight lookup.
  regionNvidiaCatalog(clients.ec2, region).catch(() => undefined);
  const quotasPromise = bucket ? getVcpuQuotas(clients.quotas ?? serviceQuotasClient(region), region, { buckets: [bucket], markets }) : Promise.resolve([]);
  const placementPromise: Promise<{ scores?: Record<string, number>; note?: string }> =
    market === 'on-demand'
      ? Promise.resolve({})
      : getSpotPlacementScores(clients.ec2, { instanceType, region }).then(
          (scores) =>
            Object.keys(scores).length > 0
              ? { scores }
              : { note: `spot placement scores: EC2 gave none for ${instanceType} in ${region}; spot is ordered by price only` },
          (error: unknown) => ({ note: `spot placement scores unknown (GetSpotPlacementScores: ${shortReason(error)}); spot is ordered by price only` }),
        );
  const alternativesPromise: Promise<{ alternatives: Alternative[]; notes: string[] }> = quotasPromise
    .then((quotas) =>
      findAlternatives(
        clients,
        {
          instanceType,
          region,
          architecture,
          gpuMemoryMiB: doc.instanceType.gpu.memoryMiB,
          market,
          ...(maxHourlyPrice === undefined ? {} : { maxHourlyPrice }),
        },
        quotas,
      ),
    )
    .catch((error: unknown) => ({ alternatives: [], notes: [`alternative types unknown (${shortReason(error)})`] }));
  const [prices, quotas, placement, found] = await Promise.all([gatherPrices(doc, clients, notes), quotasPromise, placementPromise, alternativesPromise]);
  if (placement.note) notes.push(placement.note);

  let plan;
  try {
    plan = planLaunch({
      instanceType,
      zones: doc.zones,
      market,
      region,
      vcpus: doc.instanceType.vcpus,
      quotas,
      ...(placement.scores ? { placementScores: placement.scores } : {}),
      ...(maxHourlyPrice === undefined ? {} : { maxHourlyPrice }),
      ...(prices.onDemand ? { onDemandHourly: prices.onDemand.usdPerHour } : {}),
      spotPrices: Object.fromEntries(Object.entries(prices.spot).map(([zone, p]) => [zone, p.usdPerHour])),
      recentlyUnavailable: recentlyUnavailable(region, instanceType, doc.zones),
    });
  } catch (error) {
    if (error instanceof LaunchPlanEmptyError) throw withAlternatives(error, found.alternatives, region);
    throw error;
  }
  notes.push(...plan.notes, ...found.notes);
  const { attempts } = plan;
  const firstSpot = attempts.find((a) => a.market === 'spot');
  const firstOnDemand = attempts.find((a) => a.market === 'on-demand');
  const spotEstimate = firstSpot ? estimateFor(doc, prices, 'spot', firstSpot.zone) : undefined;
  const onDemandEstimate = firstOnDemand ? estimateFor(doc, prices, 'on-demand', firstOnDemand.zone) : undefined;
  return {
    attempts,
    prices,
    estimates: { ...(spotEstimate ? { spot: spotEstimate } : {}), ...(onDemandEstimate ? { onDemand: onDemandEstimate } : {}) },
    notes,
    alternatives: found.alternatives,
    quotas,
    ...(placement.scores ? { placementScores: placement.scores } : {}),
  };
}
