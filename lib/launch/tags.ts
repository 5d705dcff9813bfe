import { createHash } from 'node:crypto';

/** Deployment ids are Step Functions execution names: never a tag-filter wildcard (`*`, `?`). */
export const DEPLOYMENT_ID_PATTERN = /^[A-Za-z0-9_-]{1,80}$/;

/** Rollback and teardown find a deployment's resources by this tag, never by name. */
export const DEPLOYMENT_TAG = 'gpu-deploy:deployment-id';
export const MANAGED_BY_TAG = 'gpu-deploy:managed-by';
/** The Step Functions execution that launched the instance: a spot interruption relaunches its request. */
export const EXECUTION_ARN_TAG = 'gpu-deploy:execution-arn';
/** Set by the spot interruption handler: when EC2 warned that it reclaims the instance. */
export const INTERRUPTED_AT_TAG = 'gpu-deploy:interrupted-at';

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
 * its own token instead of IdempotentParameterMismatch.
 */
export function clientToken(executionId: string, attempt: { zone: string; market: string; instanceType: string }): string {
  const digest = createHash('sha256').update(`${executionId}|${attempt.zone}|${attempt.market}|${attempt.instanceType}`).digest('hex');
  return `gd-${digest.slice(0, 48)}`;
}

/** A deployment id usable in names and tags: Step Functions execution names are already [A-Za-z0-9-_]{1,80}. */
export function deploymentIdFrom(executionName: string): string {
  const cleaned = executionName.replace(/[^A-Za-z0-9_-]/g, '-').slice(0, 80);
  return cleaned.length > 0 ? cleaned : createHash('sha256').update(executionName).digest('hex').slice(0, 32);
}
