/**
 * Whatever ends an instance, its leftovers go: on EC2's `terminated` state-change event, the teardown of the
 * instance's deployment starts (security group, pending schedule). The rule cannot filter on tags, so this decides
 * by the instance's tags: only instances that this stack's deploy state machine launched. Why it ended (StateReason
 * and the lifetime tags) tells the teardown which event to publish.
 */
import type { EC2Client } from '@aws-sdk/client-ec2';
import { managedInstance } from '../launch/describe.js';
import { StartExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { executionArn as executionArnOf } from '../api/sfn.js';
import type { EndedReason } from '../events/ended.js';
import { EXECUTION_ARN_TAG, EXPIRES_AT_TAG, IDLE_TEARDOWN_TAG } from '../launch/tags.js';

export const STATE_CHANGE_DETAIL_TYPE = 'EC2 Instance State-change Notification';
/** EC2's StateReason code when the instance's own OS shut it down (the idle guard, the backstop). */
export const INSTANCE_INITIATED_SHUTDOWN = 'Client.InstanceInitiatedShutdown';
const INSTANCE_ID = /^i-[0-9a-f]{8,17}$/;

export interface InstanceStateChangeEvent {
  id?: string;
  region: string;
  time?: string;
  detail: { 'instance-id'?: string; state?: string };
}

export interface InstanceEndedDeps {
  ec2: EC2Client;
  sfn: SFNClient;
  deployStateMachineArn: string;
  teardownStateMachineArn: string;
  now?: Date;
}

export type InstanceEndedOutcome =
  | { action: 'ignored'; reason: string; instanceId?: string }
  | { action: 'teardown-started' | 'teardown-already-started'; instanceId: string; deploymentId: string; reason: EndedReason | null; teardownExecutionArn: string };

/**
 * Why the instance ended, for the event its teardown publishes: a shutdown from inside at or after the deadline is
 * the lifetime's backstop (`expired`); before it, with an idle policy, the idle guard (`idle`). Anything else (a
 * spot reclaim, a console termination, gpu-deploy's own teardown) publishes nothing more.
 *
 * @example
 * endedReason('Client.InstanceInitiatedShutdown', { 'gpu-deploy:idle-teardown': 'minutes=30 below=5' }, now); // 'idle'
 */
export function endedReason(stateReasonCode: string | undefined, tags: Record<string, string>, now: Date): EndedReason | null {
  if (stateReasonCode !== INSTANCE_INITIATED_SHUTDOWN) return null;
  const expiresAt = tags[EXPIRES_AT_TAG] ? Date.parse(tags[EXPIRES_AT_TAG]) : Number.NaN;
  if (!Number.isNaN(expiresAt) && now.getTime() >= expiresAt) return 'expired';
  return tags[IDLE_TEARDOWN_TAG] ? 'idle' : null;
}

/** Handles one state-change event. Safe to receive twice: the teardown's name comes from the instance id. */
export async function handleInstanceEnded(event: InstanceStateChangeEvent, deps: InstanceEndedDeps): Promise<InstanceEndedOutcome> {
  const instanceId = event.detail?.['instance-id'];
  if (event.detail?.state !== 'terminated') return { action: 'ignored', reason: `state ${String(event.detail?.state)} is not terminated` };
  if (typeof instanceId !== 'string' || !INSTANCE_ID.test(instanceId)) return { action: 'ignored', reason: 'the event names no instance id' };
  const managed = await managedInstance(deps.ec2, instanceId);
  if (managed.ignored !== undefined) return { action: 'ignored', reason: managed.ignored, instanceId };
  const { instance, tags, deploymentId } = managed;
  if (tags[EXECUTION_ARN_TAG] !== executionArnOf(deps.deployStateMachineArn, deploymentId)) {
    return { action: 'ignored', reason: 'launched by another gpu-deploy stack, or by gpu-deploy run without one', instanceId };
  }
  const reason = endedReason(instance?.StateReason?.Code, tags, deps.now ?? new Date());
  const name = `ended-${instanceId}`;
  const input = JSON.stringify({ deploymentId, region: event.region, instanceId, ...(reason ? { reason } : {}) });
  const teardownExecutionArn = executionArnOf(deps.teardownStateMachineArn, name);
  try {
    const out = await deps.sfn.send(new StartExecutionCommand({ stateMachineArn: deps.teardownStateMachineArn, name, input }));
    return { action: 'teardown-started', instanceId, deploymentId, reason, teardownExecutionArn: out.executionArn ?? teardownExecutionArn };
  } catch (error) {
    if (awsErrorCode(error) === 'ExecutionAlreadyExists') return { action: 'teardown-already-started', instanceId, deploymentId, reason, teardownExecutionArn };
    throw toProjectError(error, 'StartExecution');
  }
}
