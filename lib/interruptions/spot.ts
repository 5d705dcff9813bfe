/**
 * EC2 Spot Instance Interruption Warnings for instances gpu-deploy launched: record the interruption on the
 * instance, publish `GPU Deployment Interrupted`, and, when the request asked for it (`onInterruption: relaunch`),
 * start the same request again.
 *
 * The relaunch's market: a warning with `instance-action: terminate` means EC2 is reclaiming the spot capacity of
 * that type in that zone and the instance will not come back. A request with `market: auto` is then relaunched
 * `on-demand` (spot capacity just proved unreliable; on-demand is the sure way back). A request that said
 * `market: spot` stays spot (the user refused on-demand prices; the planner walks the zones again). `stop` and
 * `hibernate` warnings (persistent spot requests) resume the same instance when capacity returns: no relaunch.
 * A relaunch is itself relaunched at most MAX_RELAUNCHES times in a row.
 */
import { CreateTagsCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { managedInstance } from '../launch/describe.js';
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { callAws } from '../aws/classify.js';
import { DeploymentAlreadyExistsError } from '../api/errors.js';
import { describeDeployment, startDeployment } from '../api/deployments.js';
import { executionArn as executionArnOf } from '../api/sfn.js';
import { DETAIL_TYPES, publishEvent } from '../events/eventbridge.js';
import { EXECUTION_ARN_TAG, INTERRUPTED_AT_TAG } from '../launch/tags.js';
import { parseRequest } from '../request.js';
import type { DeploymentRequest, MarketChoice } from '../types.js';
import type { LogSink } from '../middleware/logger.js';

export const SPOT_INTERRUPTION_DETAIL_TYPE = 'EC2 Spot Instance Interruption Warning';

/** The EventBridge event EC2 sends two minutes before it reclaims a spot instance. */
export interface SpotInterruptionEvent {
  id: string;
  source?: string;
  'detail-type'?: string;
  region: string;
  time?: string;
  detail: { 'instance-id'?: string; 'instance-action'?: string };
}

export const MAX_RELAUNCHES = 3;
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export interface RelaunchDecision {
  relaunch: boolean;
  market?: MarketChoice;
  /** Which relaunch in a row this would be (1 for the first). */
  generation?: number;
  reason: string;
}

/** The relaunch generation of an execution name: `ri2-…` is the second relaunch, anything else the original. */
export const relaunchGeneration = (name: string): number => Number(/^ri(\d+)-/.exec(name)?.[1] ?? 0);

/**
 * Whether and how to relaunch (the rule in this module's comment). Pure: a function of the request, the warning
 * and the instance.
 *
 * @example
 * decideRelaunch({ ...request, onInterruption: 'relaunch', market: 'auto' }, 'terminate', 'spot', 'api-1');
 * // { relaunch: true, market: 'on-demand', generation: 1, reason: ... }
 */
export function decideRelaunch(request: DeploymentRequest | undefined, instanceAction: string, lifecycle: string | undefined, name: string): RelaunchDecision {
  if (!request) return { relaunch: false, reason: 'the original request could not be read' };
  if ((request.onInterruption ?? 'notify') !== 'relaunch') return { relaunch: false, reason: 'the request asked only to be notified (onInterruption: notify)' };
  if (instanceAction !== 'terminate') return { relaunch: false, reason: `EC2 will ${instanceAction} the instance and resume it when capacity returns` };
  const generation = relaunchGeneration(name) + 1;
  if (generation > MAX_RELAUNCHES) return { relaunch: false, reason: `already relaunched ${MAX_RELAUNCHES} times in a row` };
  if (lifecycle === 'spot' && request.market === 'auto') {
    return { relaunch: true, market: 'on-demand', generation, reason: 'spot capacity is being reclaimed: relaunched on-demand (market auto)' };
  }
  return { relaunch: true, market: request.market, generation, reason: `relaunched with the same market (${request.market})` };
}

export interface InterruptionDeps {
  /** EC2 in the event's region. */
  ec2: EC2Client;
  sfn: SFNClient;
  events: EventBridgeClient;
  deployStateMachineArn: string;
  busName?: string;
  log?: LogSink;
}

export interface InterruptionOutcome {
  action: 'ignored' | 'notified' | 'relaunched' | 'duplicate';
  reason: string;
  instanceId?: string;
  deploymentId?: string;
  relaunch?: { deploymentId: string; executionArn: string; market: string };
  eventId?: string;
}

/** The request the instance was launched for, from its execution's input; undefined when unreadable. */
async function originalRequest(deps: InterruptionDeps, deploymentId: string): Promise<DeploymentRequest | undefined> {
  const deployment = await describeDeployment(deps.sfn, deps.deployStateMachineArn, deploymentId);
  try {
    return parseRequest(deployment.request);
  } catch {
    return undefined;
  }
}

/**
 * Handles one interruption warning. Instances without the `gpu-deploy:managed-by` tag, or launched by another
 * gpu-deploy stack (another stage), are ignored. Safe to receive twice: the relaunch's execution name comes from
 * the event id, so a repeated delivery finds it already started.
 */
export async function handleSpotInterruption(event: SpotInterruptionEvent, deps: InterruptionDeps): Promise<InterruptionOutcome> {
  const log = deps.log ?? (() => undefined);
  const instanceId = event.detail?.['instance-id'];
  const instanceAction = event.detail?.['instance-action'] ?? 'terminate';
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)) return { action: 'ignored', reason: 'the event names no instance id' };

  const managed = await managedInstance(deps.ec2, instanceId);
  if (managed.ignored !== undefined) return { action: 'ignored', reason: managed.ignored, instanceId };
  const { instance, tags, deploymentId } = managed;
  const ownArn = executionArnOf(deps.deployStateMachineArn, deploymentId);
  const taggedArn = tags[EXECUTION_ARN_TAG];
  if (taggedArn && taggedArn !== ownArn) {
    return { action: 'ignored', reason: `launched by another gpu-deploy stack (${taggedArn.split(':').slice(0, 7).join(':')})`, instanceId, deploymentId };
  }

  const interruptedAt = event.time ?? new Date().toISOString();
  await callAws('CreateTags', () => deps.ec2.send(new CreateTagsCommand({ Resources: [instanceId], Tags: [{ Key: INTERRUPTED_AT_TAG, Value: interruptedAt }] })));

  let request: DeploymentRequest | undefined;
  try {
    request = await originalRequest(deps, deploymentId);
  } catch (error) {
    // Without a tag the execution is looked up in this stack; not there means another stack launched it.
    if (!taggedArn && (error as Error).name === 'DeploymentNotFoundError') {
      return { action: 'ignored', reason: 'no execution of this stack launched the instance', instanceId, deploymentId };
    }
    throw error;
  }
  const decision = decideRelaunch(request, instanceAction, instance?.InstanceLifecycle, deploymentId);
  let outcome: InterruptionOutcome = { action: 'notified', reason: decision.reason, instanceId, deploymentId };
  if (decision.relaunch && request && decision.market && decision.generation) {
    const name = `ri${decision.generation}-${event.id.replace(/[^A-Za-z0-9_-]/g, '')}`.slice(0, 80);
    try {
      const started = await startDeployment(deps.sfn, { stateMachineArn: deps.deployStateMachineArn, request: { ...request, market: decision.market }, name });
      outcome = { ...outcome, action: 'relaunched', relaunch: { deploymentId: started.deploymentId, executionArn: started.executionArn, market: decision.market } };
    } catch (error) {
      if (!(error instanceof DeploymentAlreadyExistsError)) throw error;
      // The same event delivered again after its relaunch finished: nothing more to do or to announce.
      log('info', 'duplicate interruption event', { eventId: event.id, instanceId });
      return { ...outcome, action: 'duplicate', reason: `relaunch ${name} was already started for this event` };
    }
  }

  const { eventId } = await publishEvent(deps.events, {
    detailType: DETAIL_TYPES.interrupted,
    resources: [ownArn],
    ...(deps.busName ? { busName: deps.busName } : {}),
    detail: {
      deploymentId,
      executionArn: ownArn,
      instanceId,
      instanceType: instance?.InstanceType ?? null,
      region: event.region,
      zone: instance?.Placement?.AvailabilityZone ?? null,
      market: instance?.InstanceLifecycle === 'spot' ? 'spot' : 'on-demand',
      instanceAction,
      interruptedAt,
      action: outcome.action,
      reason: outcome.reason,
      relaunch: outcome.relaunch ?? null,
    },
  });
  log('info', 'spot interruption', { ...outcome, eventId });
  return { ...outcome, eventId };
}
