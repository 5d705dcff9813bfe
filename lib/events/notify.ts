/**
 * The events a deployment publishes when it ends: `GPU Deployment Succeeded` / `GPU Deployment Failed` (source
 * `gpu-deploy`), so users can subscribe (SNS e-mail, Slack, a queue) with a rule, without changing the stack.
 * The `notify` Task runs on every final path of the deploy state machine; its failure never changes the outcome.
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { deploymentIdFrom } from '../launch/tags.js';
import { causeMessage } from '../workflow/document.js';
import { DETAIL_TYPES, clip, publishEvent } from './eventbridge.js';
import { isEndedNotifyInput, publishEnded, type EndedNotifyInput } from './ended.js';
import { isRecord } from '../guards.js';

/** What the ASL passes to the notify Task. */
export interface NotifyInput {
  status: 'SUCCEEDED' | 'FAILED';
  /** The state the execution ends in (Succeeded, DeploymentFailed, RequestRejected, PlanningFailed, RollbackFailed). */
  terminalState: string;
  execution: { id: string; name: string };
  /** The working document at that point (`$`). */
  document: unknown;
}

/** The detail of both events; every key is present, null when unknown. */
export interface DeploymentEventDetail {
  deploymentId: string;
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED';
  terminalState: string;
  instanceId: string | null;
  instanceType: string | null;
  region: string | null;
  zone: string | null;
  market: string | null;
  error: string | null;
  cause: string | null;
  estimate: unknown;
  /** On RollbackFailed: the error the rollback was cleaning up after. */
  originalError: string | null;
  /** After a rollback: what it left (empty lists when clean). */
  rollback: { done: boolean; remainingInstances: string[]; remainingSecurityGroups: string[] } | null;
}

type Doc = Record<string, unknown>;
const record = (value: unknown): Doc => (isRecord(value) ? value : {});
const text = (...values: unknown[]): string | null => {
  for (const value of values) if (typeof value === 'string' && value.length > 0) return value;
  return null;
};
const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : []);

/**
 * The event detail from whatever the document holds at the final state: the success output, the working document
 * with `error` (and `rollback`), or, when validation failed, the raw request with `error`.
 *
 * @example
 * deploymentEventDetail({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution, document: output });
 */
export function deploymentEventDetail(input: NotifyInput): DeploymentEventDetail {
  const doc = record(input.document);
  const request = record(doc.request);
  const launch = record(doc.launch);
  const estimates = record(record(doc.plan).estimates);
  const rawType = typeof doc.instanceType === 'string' ? doc.instanceType : record(doc.instanceType).instanceType;
  const failure = input.terminalState === 'RollbackFailed' ? { Error: 'RollbackIncompleteError', Cause: record(doc.rollbackError).Cause } : record(doc.error);
  const cause = text(failure.Cause);
  const rollback = isRecord(doc.rollback)
    ? { done: doc.rollback.done === true, remainingInstances: strings(doc.rollback.remainingInstances), remainingSecurityGroups: strings(doc.rollback.remainingSecurityGroups) }
    : null;
  const succeeded = input.status === 'SUCCEEDED';
  return {
    deploymentId: text(doc.deploymentId) ?? deploymentIdFrom(input.execution.name),
    executionArn: input.execution.id,
    status: input.status,
    terminalState: input.terminalState,
    instanceId: text(doc.instanceId, launch.instanceId),
    instanceType: text(launch.instanceType, request.instanceType, rawType),
    region: text(request.region, doc.region),
    zone: text(doc.zone, launch.zone),
    market: text(doc.market, launch.market),
    error: succeeded ? null : (text(failure.Error) ?? 'States.Runtime'),
    cause: succeeded || cause === null ? null : clip(causeMessage(cause)),
    estimate: doc.estimate ?? launch.estimate ?? estimates.spot ?? estimates.onDemand ?? null,
    originalError: input.terminalState === 'RollbackFailed' ? text(record(doc.error).Error) : null,
    rollback,
  };
}

/**
 * The notify Task: publishes the deployment's final event (or, from the teardown, why it ended by itself). Its
 * errors are named, so the ASL retries throttling.
 */
export async function notifyStep(input: NotifyInput | EndedNotifyInput, events: EventBridgeClient, busName?: string): Promise<{ eventId: string; detailType: string }> {
  if (isEndedNotifyInput(input)) return publishEnded(input, events, busName);
  const detail = deploymentEventDetail(input);
  const detailType = detail.status === 'SUCCEEDED' ? DETAIL_TYPES.succeeded : DETAIL_TYPES.failed;
  const { eventId } = await publishEvent(events, {
    detailType,
    detail: detail as unknown as Record<string, unknown>,
    resources: input.execution.id.startsWith('arn:') ? [input.execution.id] : [],
    ...(busName ? { busName } : {}),
  });
  return { eventId, detailType };
}
