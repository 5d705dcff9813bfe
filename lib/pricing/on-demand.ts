/**
 * The on-demand price with its fallback: the Pricing API first, the dated snapshot only when the API cannot be
 * reached (network, credentials, throttling, a local emulator without a Pricing endpoint).
 */
import type { PricingClient } from '@aws-sdk/client-pricing';
import { PriceNotFoundError } from './errors.js';
import { getOnDemandPrice, type GetOnDemandPriceOptions } from './pricing-api.js';
import type { OnDemandPrice } from './products.js';
import { getSnapshotPrice, type SnapshotPrice } from './snapshot.js';

export type ResolvedOnDemandPrice =
  | OnDemandPrice
  | (SnapshotPrice & { instanceType: string; regionCode: string; fallbackReason: string });

/**
 * @throws PriceNotFoundError when the API answered without a qualifying price (the snapshot is not consulted: the
 *   API is the authority); the API's own error when it failed and the snapshot has no cell either.
 * @example
 * const price = await resolveOnDemandPrice(client, { instanceType: 'g5.xlarge', region: 'us-east-1' });
 * price.source // 'pricing-api', or 'snapshot' with asOf and fallbackReason when offline
 */
export const resolveOnDemandPrice = async (
  client: PricingClient,
  request: { instanceType: string; region: string },
  options: GetOnDemandPriceOptions = {},
): Promise<ResolvedOnDemandPrice> => {
  try {
    return await getOnDemandPrice(client, request, options);
  } catch (error) {
    if (error instanceof PriceNotFoundError) throw error;
    const snapshot = getSnapshotPrice(request.region, request.instanceType);
    if (snapshot === undefined) throw error;
    return {
      ...snapshot,
      instanceType: request.instanceType,
      regionCode: request.region,
      fallbackReason: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    };
  }
};
