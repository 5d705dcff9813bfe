import type { Instance } from '@aws-sdk/client-ec2';
import { accessCommands, regionOfArn, viaOfExecution, type AccessBlock } from './access.js';
import {
  DEPLOYMENT_TAG,
  EXECUTION_ARN_TAG,
  EXPIRES_AT_TAG,
  HOURLY_PRICE_TAG,
  IDLE_TEARDOWN_TAG,
  INTERRUPTED_AT_TAG,
  PRICE_SOURCE_TAG,
  VERIFIED_AT_TAG,
  parseIdleTeardownTag,
  tagMap,
} from '../launch/tags.js';
import type { IdleTeardown } from '../types.js';
import { WORKSPACE_TAG } from '../workspace/names.js';

/** One managed instance as `list` and `GET /deployments` show it: everything read from EC2 and its tags. */
export interface DeploymentRow {
  deploymentId: string;
  instanceId: string;
  region: string;
  state: string;
  instanceType: string;
  zone: string;
  market: 'spot' | 'on-demand';
  launchedAt: string | null;
  /** Hours since launch while the instance runs; 0 when it does not (stopped instances bill no compute). */
  uptimeHours: number;
  /** The hourly price the plan chose, from the launch tag; null when the plan did not know it. */
  hourlyPrice: number | null;
  priceSource: string | null;
  /** uptime x price, in USD; null when the price is unknown. */
  costSoFar: number | null;
  /** `verified at …`, `interrupted at …` or `unknown`: what the tags say of the last verification. */
  verification: string;
  expiresAt: string | null;
  idleTeardown: IdleTeardown | null;
  /** The lifetime in words: `expires at …`, the idle policy, or `no lifetime: runs until you tear it down`. */
  lifetime: string;
  /** The workspace the instance mounts at /workspace (its gpu-deploy:workspace tag), or null. */
  workspace: string | null;
  access: AccessBlock;
}

const BILLED_STATES = new Set(['pending', 'running']);

export const roundUsd = (value: number): number => Math.round(value * 100) / 100;

function priceOf(value: string | undefined): number | null {
  if (value === undefined || !/^\d+(\.\d+)?$/.test(value)) return null;
  const price = Number(value);
  return price > 0 ? price : null;
}

export function lifetimeText(expiresAt: string | null, idle: IdleTeardown | null): string {
  const parts = [
    ...(expiresAt ? [`expires at ${expiresAt}`] : []),
    ...(idle ? [`torn down after ${idle.minutes} idle minutes (GPU below ${idle.gpuUtilizationBelowPercent}%)`] : []),
  ];
  return parts.length > 0 ? parts.join('; ') : 'no lifetime: runs until you tear it down';
}

/**
 * A managed instance as a row: uptime from its launch time to `now`, and the cost so far from the price the plan
 * chose (its tag), so listing needs no Pricing call.
 *
 * @example
 * deploymentRow(instance, 'us-east-1', new Date()).costSoFar // 0.78 after 2 h at $0.389/h
 */
export function deploymentRow(instance: Instance, region: string, now: Date, options: { local?: boolean } = {}): DeploymentRow {
  const tags = tagMap(instance);
  const deploymentId = tags[DEPLOYMENT_TAG] ?? '';
  const state = instance.State?.Name ?? 'unknown';
  const launched = instance.LaunchTime ? new Date(instance.LaunchTime) : undefined;
  const uptimeHours = launched && BILLED_STATES.has(state) ? Math.max(0, (now.getTime() - launched.getTime()) / 3_600_000) : 0;
  const hourlyPrice = priceOf(tags[HOURLY_PRICE_TAG]);
  const expiresAt = tags[EXPIRES_AT_TAG] || null;
  const idleTeardown = parseIdleTeardownTag(tags[IDLE_TEARDOWN_TAG]) ?? null;
  const verification = tags[INTERRUPTED_AT_TAG]
    ? `spot interruption warned at ${tags[INTERRUPTED_AT_TAG]}`
    : tags[VERIFIED_AT_TAG]
      ? `GPU verified at ${tags[VERIFIED_AT_TAG]}`
      : 'unknown';
  return {
    deploymentId,
    instanceId: instance.InstanceId ?? '',
    region,
    state,
    instanceType: instance.InstanceType ?? '',
    zone: instance.Placement?.AvailabilityZone ?? '',
    market: instance.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
    launchedAt: launched ? launched.toISOString() : null,
    uptimeHours: Math.round(uptimeHours * 100) / 100,
    hourlyPrice,
    priceSource: tags[PRICE_SOURCE_TAG] || null,
    costSoFar: hourlyPrice === null ? null : roundUsd(hourlyPrice * uptimeHours),
    verification,
    expiresAt,
    idleTeardown,
    lifetime: lifetimeText(expiresAt, idleTeardown),
    workspace: tags[WORKSPACE_TAG] || null,
    // Listed from the local cloud: --local; else as it was made (a local run's execution ARN: --aws; the stack's).
    access: accessCommands(deploymentId, region, {
      via: options.local ? 'local' : viaOfExecution(tags[EXECUTION_ARN_TAG]),
      ...(regionOfArn(tags[EXECUTION_ARN_TAG]) ? { stackRegion: regionOfArn(tags[EXECUTION_ARN_TAG]) } : {}),
    }),
  };
}

export interface DeploymentTotals {
  running: number;
  /** USD per hour of the running instances whose price is known. */
  hourly: number;
  soFar: number;
  /** Running instances without a price tag (not in the sums). */
  unknownPrice: number;
}

export function totals(rows: readonly DeploymentRow[]): DeploymentTotals {
  const running = rows.filter((r) => BILLED_STATES.has(r.state));
  const priced = running.filter((r) => r.hourlyPrice !== null);
  return {
    running: running.length,
    hourly: roundUsd(priced.reduce((sum, r) => sum + (r.hourlyPrice ?? 0), 0)),
    soFar: roundUsd(priced.reduce((sum, r) => sum + (r.costSoFar ?? 0), 0)),
    unknownPrice: running.length - priced.length,
  };
}

/** The totals line: `3 running, $2.41/h, $57.80 so far` (and how many have no known price). */
export function totalsLine(t: DeploymentTotals): string {
  const unknown = t.unknownPrice > 0 ? ` (${t.unknownPrice} without a known price, not counted)` : '';
  return `${t.running} running, $${t.hourly.toFixed(2)}/h, $${t.soFar.toFixed(2)} so far${unknown}`;
}
