/** What a request's lifetime and idle policy become at launch: the instance's tags and its UserData values. */
import { EXPIRES_AT_TAG, IDLE_TEARDOWN_TAG, formatIdleTeardownTag } from '../launch/tags.js';
import type { DeploymentRequest, IdleTeardown } from '../types.js';
import { expiresAtFor } from './deadline.js';

export interface Lifecycle {
  expiresAt: string | null;
  idleTeardown: IdleTeardown | null;
  tags: Record<string, string>;
  userData: { expiresAt?: string; idleTeardown?: IdleTeardown };
}

/**
 * @example
 * lifecycleOf({ ...request, maxLifetimeMinutes: 120 }, '2026-12-02T07:30:00Z').tags;
 * // { 'gpu-deploy:expires-at': '2026-12-02T09:30:00Z' }
 */
export function lifecycleOf(request: Pick<DeploymentRequest, 'maxLifetimeMinutes' | 'idleTeardown'>, startTime: string): Lifecycle {
  const expiresAt = request.maxLifetimeMinutes === undefined ? null : expiresAtFor(startTime, request.maxLifetimeMinutes);
  const idleTeardown = request.idleTeardown ?? null;
  return {
    expiresAt,
    idleTeardown,
    tags: {
      ...(expiresAt ? { [EXPIRES_AT_TAG]: expiresAt } : {}),
      ...(idleTeardown ? { [IDLE_TEARDOWN_TAG]: formatIdleTeardownTag(idleTeardown) } : {}),
    },
    userData: { ...(expiresAt ? { expiresAt } : {}), ...(idleTeardown ? { idleTeardown } : {}) },
  };
}
