import { EC2Client } from '@aws-sdk/client-ec2';
import { PricingClient } from '@aws-sdk/client-pricing';
import { SSMClient } from '@aws-sdk/client-ssm';

/**
 * One SDK client per service and region, reused across warm Lambda invocations. Endpoints come from the SDK's
 * own configuration (`AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_<SERVICE>`), so an emulator needs no code of ours.
 * Retries are left to the state machine (`maxAttempts: 2` keeps one quick SDK retry for network blips).
 */
export interface AwsClients {
  ec2: EC2Client;
  ssm: SSMClient;
  pricing: PricingClient;
}

const cache = new Map<string, AwsClients>();

/** The Pricing API answers only in a few regions, whatever region is deployed to. */
export function pricingRegionFor(region: string): string {
  if (region.startsWith('ap-')) return 'ap-south-1';
  if (region.startsWith('eu-') || region.startsWith('me-') || region.startsWith('af-') || region.startsWith('il-')) {
    return 'eu-central-1';
  }
  return 'us-east-1';
}

export function clientsFor(region: string): AwsClients {
  const existing = cache.get(region);
  if (existing) return existing;
  const clients: AwsClients = {
    ec2: new EC2Client({ region, maxAttempts: 2 }),
    ssm: new SSMClient({ region, maxAttempts: 2 }),
    pricing: new PricingClient({ region: pricingRegionFor(region), maxAttempts: 2 }),
  };
  cache.set(region, clients);
  return clients;
}

/** Forget cached clients (the local runner changes endpoints between runs). */
export function resetClients(): void {
  cache.clear();
}
