import { PricingClient } from '@aws-sdk/client-pricing';
import { pricingRegionFor } from '../pricing/pricing-api.js';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

/** The Pricing API answers only in a few regions, whatever region is deployed to. */
export const pricingClient = (region: string): PricingClient => {
  const apiRegion = pricingRegionFor(region);
  return cachedClient('pricing', apiRegion, () => new PricingClient({ region: apiRegion, maxAttempts: SDK_MAX_ATTEMPTS }));
};
