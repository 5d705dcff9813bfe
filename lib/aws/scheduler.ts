import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

export const schedulerClient = (region: string): SchedulerClient =>
  cachedClient('scheduler', region, () => new SchedulerClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));
