/**
 * Adapter for Service Quotas `GetServiceQuota`: the account's EC2 vCPU quotas for GPU instances, per quota bucket
 * (G and VT, P) and market (on-demand, spot). A quota that cannot be read (no permission, no Service Quotas in the
 * region, an emulator without it) is returned as unknown with the reason, never as an error: the plan proceeds.
 */
import { GetServiceQuotaCommand, type ServiceQuotasClient } from '@aws-sdk/client-service-quotas';
import { awsErrorCode } from '../aws/classify.js';
import { TtlCache } from '../cache.js';
import { GpuDeployError } from '../errors.js';
import type { Market } from '../types.js';

/** EC2 counts GPU instances against one vCPU quota per bucket and market: g* and vt* in G, p* in P. */
export type QuotaBucket = 'G' | 'P';

export interface VcpuQuotaDefinition {
  bucket: QuotaBucket;
  market: Market;
  /** Service Quotas code (service code `ec2`). */
  code: string;
  /** The quota's name in the Service Quotas console. */
  name: string;
}

/** The EC2 vCPU quotas that GPU launches count against. */
export const VCPU_QUOTAS: readonly VcpuQuotaDefinition[] = Object.freeze([
  { bucket: 'G', market: 'on-demand', code: 'L-DB2E81BA', name: 'Running On-Demand G and VT instances' },
  { bucket: 'P', market: 'on-demand', code: 'L-417A185B', name: 'Running On-Demand P instances' },
  { bucket: 'G', market: 'spot', code: 'L-3819A6DF', name: 'All G and VT Spot Instance Requests' },
  { bucket: 'P', market: 'spot', code: 'L-7212CCBC', name: 'All P Spot Instance Requests' },
]);

/** A quota as read: `vcpus` when known, else `unknownReason`. Plain JSON (it travels in the plan). */
export interface VcpuQuota extends VcpuQuotaDefinition {
  vcpus?: number;
  unknownReason?: string;
}

/**
 * The quota bucket of an instance type, or undefined for a type outside the G/VT and P families.
 *
 * @example
 * quotaBucket('g5.xlarge') // 'G'
 * quotaBucket('p4d.24xlarge') // 'P'
 */
export function quotaBucket(instanceType: string): QuotaBucket | undefined {
  const family = (instanceType.split('.')[0] ?? '').toLowerCase();
  if (/^(g|vt)\d/.test(family) || /^gr\d/.test(family)) return 'G';
  if (/^p\d/.test(family)) return 'P';
  return undefined;
}

/** The definition of one bucket and market's quota. */
export function quotaDefinition(bucket: QuotaBucket, market: Market): VcpuQuotaDefinition {
  const found = VCPU_QUOTAS.find((q) => q.bucket === bucket && q.market === market);
  if (!found) throw new RangeError(`no vCPU quota for ${bucket}/${market}`);
  return found;
}

/** Quotas change when an increase is granted; ten minutes keeps warm Lambdas cheap and soon sees the change. */
export const QUOTA_TTL_MS = 10 * 60 * 1000;
const quotaCache = new TtlCache<string, number>({ ttlMs: QUOTA_TTL_MS });

export function clearQuotaCache(): void {
  quotaCache.clear();
}

/**
 * An error in a few words for a note: the AWS error code and the first line of its message, or the HTTP status when
 * the answer carried no AWS error code (an endpoint that does not implement the operation). Project errors are
 * described by the SDK error they wrap.
 *
 * @example
 * shortReason(accessDenied) // 'AccessDeniedException: User is not authorized to perform servicequotas:GetServiceQuota'
 */
export function shortReason(error: unknown): string {
  const inner = error instanceof GpuDeployError && error.cause !== undefined ? error.cause : error;
  const status = (inner as { $metadata?: { httpStatusCode?: unknown } } | null)?.$metadata?.httpStatusCode;
  const code = awsErrorCode(inner);
  const message = (inner instanceof Error ? inner.message : String(inner)).split('\n')[0]?.trim() ?? '';
  const text =
    code !== undefined
      ? message && message !== code
        ? `${code}: ${message}`
        : code
      : typeof status === 'number'
        ? `HTTP ${status} with no AWS error code`
        : message || 'unknown error';
  return text.length > 160 ? `${text.slice(0, 157)}...` : text;
}

/**
 * Reads the vCPU quotas of the given buckets and markets (default: all four), in parallel, cached for ten minutes.
 * Never throws: a quota that cannot be read comes back with `unknownReason`.
 *
 * @example
 * const quotas = await getVcpuQuotas(serviceQuotasClient('us-east-1'), 'us-east-1', { buckets: ['G'] });
 * // [{ bucket: 'G', market: 'on-demand', code: 'L-DB2E81BA', vcpus: 64, … }, { bucket: 'G', market: 'spot', … }]
 */
export async function getVcpuQuotas(
  client: ServiceQuotasClient,
  region: string,
  options: { buckets?: readonly QuotaBucket[]; markets?: readonly Market[] } = {},
): Promise<VcpuQuota[]> {
  const wanted = VCPU_QUOTAS.filter(
    (q) => (options.buckets ?? ['G', 'P']).includes(q.bucket) && (options.markets ?? ['on-demand', 'spot']).includes(q.market),
  );
  return Promise.all(
    wanted.map(async (definition): Promise<VcpuQuota> => {
      const key = `${region}|${definition.code}`;
      const cached = quotaCache.get(key);
      if (cached !== undefined) return { ...definition, vcpus: cached };
      try {
        const out = await client.send(new GetServiceQuotaCommand({ ServiceCode: 'ec2', QuotaCode: definition.code }));
        const value = out?.Quota?.Value;
        if (typeof value !== 'number' || !Number.isFinite(value)) return { ...definition, unknownReason: 'Service Quotas returned no value' };
        quotaCache.set(key, value);
        return { ...definition, vcpus: value };
      } catch (error) {
        return { ...definition, unknownReason: shortReason(error) };
      }
    }),
  );
}

/**
 * The console address and CLI command that raise a quota to at least `vcpus`.
 *
 * @example
 * howToRaise(quotaDefinition('G', 'spot'), 4, 'us-east-1')
 */
export function howToRaise(quota: VcpuQuotaDefinition, vcpus: number, region: string): string {
  return (
    `request an increase of "${quota.name}" (${quota.code}) to at least ${vcpus} vCPUs in the Service Quotas console ` +
    `(https://console.aws.amazon.com/servicequotas/home/services/ec2/quotas/${quota.code}?region=${region}) or with ` +
    `\`aws service-quotas request-service-quota-increase --service-code ec2 --quota-code ${quota.code} --desired-value ${vcpus} --region ${region}\``
  );
}
