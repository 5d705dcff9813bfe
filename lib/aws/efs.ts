import { EFSClient } from '@aws-sdk/client-efs';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

export const efsClient = (region: string): EFSClient =>
  cachedClient('efs', region, () => new EFSClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));
