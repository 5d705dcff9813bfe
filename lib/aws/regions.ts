/**
 * Whether a region exists, decided before any AWS call. A typo (`us-east-9`) must not reach an endpoint: AWS then
 * answers with a DNS failure (or an emulator with an HTML page) that reads like a transient fault.
 *
 * The decision, in order:
 * 1. The name must look like an AWS region (REGION in lib/request-fields.ts): the request's own check.
 * 2. A region the AWS SDK's partition data lists (@aws-sdk/core's `partition()`, the table every SDK client resolves
 *    its endpoints from, updated with each SDK release) exists.
 * 3. A region the SDK does not list may be newer than the SDK. Against AWS itself (no AWS_ENDPOINT_URL), its EC2
 *    endpoint's DNS name decides: AWS publishes `ec2.<region>.<partition DNS suffix>` for every region, and no name
 *    for a region that does not exist (ENOTFOUND). When DNS cannot answer at all (offline), the region is let through:
 *    the call then fails as a network fault would. Against an emulator or proxy (AWS_ENDPOINT_URL), which mirrors
 *    AWS's published regions, an unlisted region is refused.
 * A hard-coded list of regions is not used: it would refuse every region AWS opens after it was written.
 */
import { partition } from '@aws-sdk/core/client';
import { lookup } from 'node:dns/promises';
import { RequestInvalidError } from '../errors.js';
import { REGION } from '../request-fields.js';

/** What the SDK's partition data says of a region name. */
export interface RegionInfo {
  /** Listed by the SDK (e.g. `US East (N. Virginia)`); false for a name it only matches by pattern, or not at all. */
  known: boolean;
  description?: string;
  /** The DNS suffix of the partition the name falls in (`amazonaws.com`, `amazonaws.com.cn`). */
  dnsSuffix: string;
}

export function regionInfo(region: string): RegionInfo {
  const found = partition(region) as { description?: string; dnsSuffix: string };
  // The partitions also list pseudo-regions (`aws-global`), which no request names: REGION keeps them out.
  const known = found.description !== undefined && REGION.test(region);
  return { known, dnsSuffix: found.dnsSuffix, ...(known && found.description ? { description: found.description } : {}) };
}

/** Listed regions of the same family (`us-east-9` -> us-east-1, us-east-2): the likely meant ones. */
export function sameFamily(region: string): string[] {
  const stem = region.replace(/-\d+$/, '');
  return Array.from({ length: 9 }, (_, i) => `${stem}-${i + 1}`).filter((name) => name !== region && regionInfo(name).known);
}

/** True when the SDK sends EC2 calls somewhere other than AWS (an emulator or a proxy). */
export const endpointConfigured = (env: NodeJS.ProcessEnv = process.env): boolean => Boolean(env.AWS_ENDPOINT_URL || env.AWS_ENDPOINT_URL_EC2);

export interface RegionCheckOptions {
  /** How the user named it (`--region`), for the message. */
  flag?: string;
  /** The region is one of the local cloud's (the emulator knows AWS's published regions only). */
  emulated?: boolean;
  env?: NodeJS.ProcessEnv;
  /** DNS lookup of a host name (node:dns/promises' lookup by default). */
  resolve?: (host: string) => Promise<unknown>;
}

const notFound = (error: unknown): boolean => (error as { code?: unknown } | null)?.code === 'ENOTFOUND';

/**
 * Refuses a region that does not exist, by name, before anything is asked of it (see the module's comment).
 *
 * @example
 * await assertRegionExists('us-east-9'); // RequestInvalidError: us-east-9 is not an AWS region ... (did you mean us-east-1, us-east-2?)
 * @throws RequestInvalidError
 */
export async function assertRegionExists(region: string, options: RegionCheckOptions = {}): Promise<void> {
  const flag = options.flag ?? '--region';
  const family = (): string => {
    const meant = sameFamily(region);
    return meant.length > 0 ? `Did you mean ${meant.join(' or ')}? ` : '';
  };
  if (!REGION.test(region)) {
    throw new RequestInvalidError(`${flag} must be an AWS region such as us-east-1 (got ${JSON.stringify(region.slice(0, 40))})`, {
      hint: 'Pass a region name such as us-east-1 or eu-west-1 (gpu-deploy list --all-regions lists those of your account)',
      details: { region },
    });
  }
  const info = regionInfo(region);
  if (info.known) return;
  const emulated = options.emulated === true || endpointConfigured(options.env ?? process.env);
  const host = `ec2.${region}.${info.dnsSuffix}`;
  if (!emulated) {
    try {
      await (options.resolve ?? lookup)(host);
      return;
    } catch (error) {
      if (!notFound(error)) return;
    }
  }
  const why = emulated ? 'the AWS SDK of gpu-deploy does not list it, and the local cloud (or AWS_ENDPOINT_URL) emulates the listed ones only' : `the AWS SDK does not list it and ${host} does not exist`;
  throw new RequestInvalidError(`${region} is not an AWS region: ${why}`, {
    hint: `${family()}Pass an existing region with ${flag} (gpu-deploy list --all-regions lists those enabled for your account)`,
    details: { region },
  });
}
