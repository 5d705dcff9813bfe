import { EC2Client } from '@aws-sdk/client-ec2';
import { cachedClient, SDK_MAX_ATTEMPTS } from './clients.js';

export const ec2Client = (region: string): EC2Client =>
  cachedClient('ec2', region, () => new EC2Client({ region, maxAttempts: SDK_MAX_ATTEMPTS }));
