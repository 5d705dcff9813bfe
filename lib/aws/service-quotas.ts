import { ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

/** Service Quotas answers per region: the vCPU quotas of EC2 are read in the region deployed to. */
export const serviceQuotasClient = (region: string): ServiceQuotasClient =>
  cachedClient('service-quotas', region, () => new ServiceQuotasClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));
