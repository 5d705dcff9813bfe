import { createHash } from 'node:crypto';
import type { IdleTeardown } from '../types.js';

/** Deployment ids are Step Functions execution names: never a tag-filter wildcard (`*`, `?`). */
export const DEPLOYMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Rollback and teardown find a deployment's resources by this tag, never by name. */
export const DEPLOYMENT_TAG = 'gpu-deploy:deployment-id';
export const MANAGED_BY_TAG = 'gpu-deploy:managed-by';
/** The Step Functions execution that launched the instance: a spot interruption relaunches its request. */
export const EXECUTION_ARN_TAG = 'gpu-deploy:execution-arn';
/** Set by the spot interruption handler: when EC2 warned that it reclaims the instance. */
export const INTERRUPTED_AT_TAG = 'gpu-deploy:interrupted-at';

/** When the deployment's lifetime ends: ISO 8601 UTC to the second (2026-12-02T09:30:00Z). Absent: no lifetime. */
export const EXPIRES_AT_TAG = 'gpu-deploy:expires-at';
/** The idle teardown policy, as formatIdleTeardownTag writes it. Absent: no idle teardown. */
export const IDLE_TEARDOWN_TAG = 'gpu-deploy:idle-teardown';
/** The hourly USD price the plan chose for the launched attempt, and its source: `list` needs no Pricing call. */
export const HOURLY_PRICE_TAG = 'gpu-deploy:hourly-price';
export const PRICE_SOURCE_TAG = 'gpu-deploy:price-source';

/** An EC2 resource's tags as a map (key -> value); none for a resource that is not there. */
export function tagMap(resource: { Tags?: { Key?: string; Value?: string }[] } | undefined): Record<string, string> {
  return Object.fromEntries((resource?.Tags ?? []).map((tag) => [tag.Key ?? '', tag.Value ?? '']));
}

/** The idle policy as a tag value (only characters every AWS tag accepts): `minutes=30 below=5`. */
export function formatIdleTeardownTag(idle: IdleTeardown): string {
  return `minutes=${idle.minutes} below=${idle.gpuUtilizationBelowPercent}`;
}

/** The idle policy back from its tag value; undefined for a value formatIdleTeardownTag did not write. */
export function parseIdleTeardownTag(value: string | undefined): IdleTeardown | undefined {
  const match = /^minutes=(\d+) below=(\d+(?:\.\d+)?)$/.exec(value ?? '');
  return match ? { minutes: Number(match[1]), gpuUtilizationBelowPercent: Number(match[2]) } : undefined;
}

/**
 * The tags of everything a deployment creates. `executionArn` (when given) is kept in `gpu-deploy:execution-arn`,
 * so a spot interruption can find the request the instance was launched for.
 */
export function deploymentTags(deploymentId: string, extra: Record<string, string> = {}, executionArn?: string): { Key: string; Value: string }[] {
  return [
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
    // The user's own Name wins (EC2 refuses a tag key twice).
    ...('Name' in extra ? [] : [{ Key: 'Name', Value: `gpu-deploy-${deploymentId}`.slice(0, 255) }]),
    { Key: DEPLOYMENT_TAG, Value: deploymentId },
    { Key: MANAGED_BY_TAG, Value: 'gpu-deploy' },
    ...(executionArn ? [{ Key: EXECUTION_ARN_TAG, Value: executionArn.slice(0, 256) }] : []),
  ];
}

/**
 * RunInstances' idempotency token (max 64 ASCII chars): derived from the execution and what the attempt asks for
 * (zone, market, type), not its position, so a Step Functions retry of the same attempt can never start a second
 * instance even when the attempts were reordered in between, while a different attempt (other parameters) gets
 * its own token instead of IdempotentParameterMismatch. `generation` (0 unless EC2 answered
 * IdempotentInstanceTerminated: the token's instance is gone) gives the same attempt a fresh token.
 */
export function clientToken(executionId: string, attempt: { zone: string; market: string; instanceType: string }, generation = 0): string {
  const base = `${executionId}|${attempt.zone}|${attempt.market}|${attempt.instanceType}`;
  const digest = createHash('sha256').update(generation === 0 ? base : `${base}|g${generation}`).digest('hex');
  return `gd-${digest.slice(0, 48)}`;
}

/** A deployment id usable in names and tags: Step Functions execution names are already [A-Za-z0-9-_]{1,80}. */
export function deploymentIdFrom(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return cleaned.length > 0 ? cleaned : createHash('sha256').update(executionName).digest('hex').slice(0, 32);
}

/** When the deployment's GPU health check passed (ISO 8601 UTC): `list` shows the last verification from it. */
export const VERIFIED_AT_TAG = 'gpu-deploy:verified-at';
