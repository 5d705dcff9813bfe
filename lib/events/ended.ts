/**
 * The events of a deployment that ended by itself, published by the teardown that the ending started:
 * `GPU Deployment Expired` (its lifetime's schedule, or the instance's backstop) and `GPU Deployment Idle` (the
 * instance's idle guard shut it down).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { isRecord } from '../guards.js';
import { DETAIL_TYPES, publishEvent } from './eventbridge.js';

export const ENDED_REASONS = ['expired', 'idle'] as const;
export type EndedReason = (typeof ENDED_REASONS)[number];

/** What the teardown ASL passes to the notify Task once the deployment is torn down. */
export interface EndedNotifyInput {
  reason: EndedReason;
  execution: { id: string; name: string };
  /** The teardown's document: deploymentId, region, instanceId (when an instance's end started it), rollback. */
  document: unknown;
}

export interface EndedEventDetail {
  deploymentId: string | null;
  region: string | null;
  reason: EndedReason;
  instanceId: string | null;
  teardownExecutionArn: string;
  terminatedInstances: string[];
  deletedSecurityGroups: string[];
}

export const isEndedNotifyInput = (input: unknown): input is EndedNotifyInput =>
  isRecord(input) && typeof input.reason === 'string' && (ENDED_REASONS as readonly string[]).includes(input.reason);

const text = (value: unknown): string | null => (typeof value === 'string' && value.length > 0 ? value : null);
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** @example endedEventDetail({ reason: 'idle', execution, document: { deploymentId: 'cli-1', region: 'eu-west-1' } }).reason; // 'idle' */
export function endedEventDetail(input: EndedNotifyInput): EndedEventDetail {
  const doc = isRecord(input.document) ? input.document : {};
  const rollback = isRecord(doc.rollback) ? doc.rollback : {};
  return {
    deploymentId: text(doc.deploymentId),
    region: text(doc.region),
    reason: input.reason,
    instanceId: text(doc.instanceId),
    teardownExecutionArn: input.execution.id,
    terminatedInstances: strings(rollback.terminatedInstances),
    deletedSecurityGroups: strings(rollback.deletedSecurityGroups),
  };
}

/** Publishes why the deployment ended. */
export async function publishEnded(input: EndedNotifyInput, events: EventBridgeClient, busName?: string): Promise<{ eventId: string; detailType: string }> {
  const detailType = input.reason === 'expired' ? DETAIL_TYPES.expired : DETAIL_TYPES.idle;
  const { eventId } = await publishEvent(events, {
    detailType,
    detail: endedEventDetail(input) as unknown as Record<string, unknown>,
    resources: input.execution.id.startsWith('arn:') ? [input.execution.id] : [],
    ...(busName ? { busName } : {}),
  });
  return { eventId, detailType };
}
