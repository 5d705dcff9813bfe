import { estimateCost, type CostEstimate } from '../pricing/estimate.js';
import type { Market } from '../types.js';
import type { PlanPrices, ResolvedDocument } from '../workflow/document.js';

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
