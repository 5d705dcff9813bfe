import type { EC2Client } from '@aws-sdk/client-ec2';
import type { PricingClient } from '@aws-sdk/client-pricing';
import { buildLaunchPlan } from '../capacity/plan.js';
import { recentlyUnavailable } from '../capacity/unavailable.js';
import { estimateCost, type CostEstimate } from '../pricing/estimate.js';
import { resolveOnDemandPrice } from '../pricing/on-demand.js';
import { getSnapshotGp3Price } from '../pricing/snapshot.js';
import { getSpotPrices } from '../pricing/spot.js';
import type { Market } from '../types.js';
import type { PlanPrices, PlanResult, ResolvedDocument } from '../workflow/document.js';

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
      notes.push(`Spot prices unavailable (${reason(error)}): spot is not planned`);
    }
  }
  const gp3Snapshot = getSnapshotGp3Price(region) ?? getSnapshotGp3Price(GP3_DEFAULT_REGION);
  const gp3 = gp3Snapshot ?? { usdPerGbMonth: 0.08, source: 'snapshot', asOf: 'unknown' };
  if (!getSnapshotGp3Price(region)) notes.push(`gp3 price for ${region} not in the snapshot: using ${GP3_DEFAULT_REGION}'s`);
  return { ...(onDemand ? { onDemand } : {}), spot, gp3 };
}

/** The estimate of running the deployment in one market and zone, or undefined when its price is unknown. */
export function estimateFor(doc: ResolvedDocument, prices: PlanPrices, market: Market, zone: string): CostEstimate | undefined {
  if (!prices.onDemand) return undefined;
  // Spot enters only a spot estimate: an on-demand estimate shows what is paid, not what spot would save.
  const spot = market === 'spot' ? prices.spot[zone] : undefined;
  if (market === 'spot' && !spot) return undefined;
  return estimateCost({
    instanceType: doc.request.instanceType,
    region: doc.request.region,
    market,
    onDemand: prices.onDemand,
    ...(spot ? { spot: { usdPerHour: spot.usdPerHour, zone, timestamp: spot.timestamp, source: 'describe-spot-price-history' } } : {}),
    rootVolumeGiB: Math.max(doc.request.rootVolumeGiB, doc.ami.rootSnapshotGiB ?? 0),
    gp3UsdPerGbMonth: prices.gp3.usdPerGbMonth,
    gp3Source: { source: prices.gp3.source, ...(prices.gp3.asOf ? { asOf: prices.gp3.asOf } : {}) },
  });
}

/**
 * PlanCapacity: gathers offerings' prices (on-demand from the Pricing API or the dated snapshot, spot per zone),
 * orders the launch attempts and estimates the cost.
 *
 * @throws LaunchPlanEmptyError when nothing fits the market and price cap
 */
export async function planStep(doc: ResolvedDocument, clients: { ec2: EC2Client; pricing: PricingClient }): Promise<PlanResult> {
  const notes: string[] = [];
  const prices = await gatherPrices(doc, clients, notes);
  const { instanceType, region, market, maxHourlyPrice } = doc.request;
  const attempts = buildLaunchPlan({
    instanceType,
    zones: doc.zones,
    market,
    ...(maxHourlyPrice === undefined ? {} : { maxHourlyPrice }),
    ...(prices.onDemand ? { onDemandHourly: prices.onDemand.usdPerHour } : {}),
    spotPrices: Object.fromEntries(Object.entries(prices.spot).map(([zone, p]) => [zone, p.usdPerHour])),
    recentlyUnavailable: recentlyUnavailable(region, instanceType, doc.zones),
  });
  const firstSpot = attempts.find((a) => a.market === 'spot');
  const firstOnDemand = attempts.find((a) => a.market === 'on-demand');
  const spotEstimate = firstSpot ? estimateFor(doc, prices, 'spot', firstSpot.zone) : undefined;
  const onDemandEstimate = firstOnDemand ? estimateFor(doc, prices, 'on-demand', firstOnDemand.zone) : undefined;
  return {
    attempts,
    prices,
    estimates: { ...(spotEstimate ? { spot: spotEstimate } : {}), ...(onDemandEstimate ? { onDemand: onDemandEstimate } : {}) },
    notes,
  };
}
