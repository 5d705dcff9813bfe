import { SSMClient } from '@aws-sdk/client-ssm';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

export const ssmClient = (region: string): SSMClient =>
  cachedClient('ssm', region, () => new SSMClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));
