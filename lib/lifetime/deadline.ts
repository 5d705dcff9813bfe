/**
 * The lifetime's arithmetic: when a deployment expires, the one-time schedule that tears it down, and the line that
 * says what will end it. Pure functions: data in, data out.
 */
import { createHash } from 'node:crypto';
import type { IdleTeardown } from '../types.js';

/** The instance's own backstop shuts it down this long after the deadline, so the cloud's teardown acts first. */
export const BACKSTOP_GRACE_MINUTES = 10;

/** What `status`, the API and the run output say of a deployment with neither a lifetime nor an idle teardown. */
export const NO_LIFETIME_TEXT = 'no lifetime: runs until you tear it down';

/** EventBridge Scheduler names: 1 to 64 of [0-9A-Za-z-_.]. */
const SCHEDULE_NAME_MAX = 64;
const SCHEDULE_PREFIX = 'teardown-';

/** ISO 8601 UTC to the second, the form of the expires-at tag (2026-12-02T09:30:00Z). */
export const toSecondIso = (date: Date): string => `${date.toISOString().slice(0, 19)}Z`;

/**
 * The deadline: `minutes` after `start`, to the second. The Launch step counts from the execution's start time, so
 * a retried Launch writes the same deadline (RunInstances with the same ClientToken must send the same parameters).
 *
 * @example
 * expiresAtFor('2026-12-02T07:30:00.123Z', 120); // '2026-12-02T09:30:00Z'
 */
export function expiresAtFor(start: string | Date, minutes: number): string {
  const from = new Date(start);
  if (Number.isNaN(from.getTime())) throw new RangeError(`Not a time: ${String(start)}`);
  return toSecondIso(new Date(Math.floor(from.getTime() / 1000) * 1000 + minutes * 60_000));
}

/** Seconds since the epoch of an expires-at value, as the instance's backstop reads it. */
export const epochSeconds = (iso: string): number => Math.floor(new Date(iso).getTime() / 1000);

/**
 * EventBridge Scheduler's one-time expression (`at(yyyy-mm-ddThh:mm:ss)`, read in ScheduleExpressionTimezone UTC).
 *
 * @example
 * atExpression('2026-12-02T09:30:00Z'); // 'at(2026-12-02T09:30:00)'
 */
export function atExpression(expiresAt: string): string {
  const date = new Date(expiresAt);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not a time: ${expiresAt}`);
  return `at(${date.toISOString().slice(0, 19)})`;
}

/**
 * The schedule's name, derived from the deployment id alone (so teardown and extend find it without a lookup):
 * `teardown-<id>`, or for ids too long for Scheduler's 64 characters, a prefix of the id and a hash of all of it.
 *
 * @example
 * scheduleNameFor('cli-1234'); // 'teardown-cli-1234'
 */
export function scheduleNameFor(deploymentId: string): string {
  const plain = `${SCHEDULE_PREFIX}${deploymentId}`;
  if (plain.length <= SCHEDULE_NAME_MAX) return plain;
  const digest = createHash('sha256').update(deploymentId).digest('hex').slice(0, 16);
  return `${SCHEDULE_PREFIX}${deploymentId.slice(0, SCHEDULE_NAME_MAX - SCHEDULE_PREFIX.length - digest.length - 1)}-${digest}`;
}

/**
 * The new deadline of `extend --minutes N`: N minutes more than the current deadline, or than now when there is
 * none or it has already passed.
 *
 * @example
 * extendedDeadline('2026-12-02T09:30:00Z', 60, new Date('2026-12-02T09:00:00Z')); // '2026-12-02T10:30:00Z'
 */
export function extendedDeadline(current: string | undefined, minutes: number, now: Date): string {
  const currentMs = current === undefined ? Number.NaN : new Date(current).getTime();
  const base = Number.isNaN(currentMs) ? now.getTime() : Math.max(currentMs, now.getTime());
  return expiresAtFor(new Date(base), minutes);
}

/** What ends a deployment by itself: its deadline, its idle policy, and one line saying so. */
export interface LifetimeView {
  expiresAt: string | null;
  idleTeardown: IdleTeardown | null;
  summary: string;
}

/** How the deadline is enforced: by the stack's schedule (and the backstop), by the backstop alone, or not known. */
const enforcement = (scheduled: boolean | undefined): string =>
  scheduled === true
    ? `its schedule tears it down then; the instance's own backstop ${BACKSTOP_GRACE_MINUTES} minutes later if that fails`
    : scheduled === false
      ? `no teardown schedule: the instance shuts itself down ${BACKSTOP_GRACE_MINUTES} minutes later`
      : `the instance shuts itself down ${BACKSTOP_GRACE_MINUTES} minutes later at the latest`;

/**
 * @example
 * lifetimeView(null, null).summary; // 'no lifetime: runs until you tear it down'
 */
export function lifetimeView(expiresAt: string | null | undefined, idle: IdleTeardown | null | undefined, scheduled?: boolean): LifetimeView {
  const parts = [
    ...(expiresAt ? [`expires at ${expiresAt} (${enforcement(scheduled)})`] : []),
    ...(idle ? [`idle teardown after ${idle.minutes} idle minutes (GPU below ${idle.gpuUtilizationBelowPercent}%, no Ollama use, no session)`] : []),
  ];
  return { expiresAt: expiresAt ?? null, idleTeardown: idle ?? null, summary: parts.length > 0 ? parts.join('; ') : NO_LIFETIME_TEXT };
}

const isIdle = (value: unknown): value is IdleTeardown =>
  typeof value === 'object' && value !== null && typeof (value as IdleTeardown).minutes === 'number' && typeof (value as IdleTeardown).gpuUtilizationBelowPercent === 'number';

/**
 * What ends a deployment, from its success output (the deploy state machine's result): `status`, the API and the
 * run output show it. Older outputs without the fields read as no lifetime.
 */
export function lifetimeOfResult(result: unknown): LifetimeView {
  const doc = typeof result === 'object' && result !== null ? (result as Record<string, unknown>) : {};
  const expiresAt = typeof doc.expiresAt === 'string' ? doc.expiresAt : null;
  const lifetime = typeof doc.lifetime === 'object' && doc.lifetime !== null ? (doc.lifetime as { schedule?: unknown }) : undefined;
  const scheduled = lifetime === undefined ? undefined : typeof lifetime.schedule === 'object' && lifetime.schedule !== null;
  return lifetimeView(expiresAt, isIdle(doc.idleTeardown) ? doc.idleTeardown : null, scheduled);
}
