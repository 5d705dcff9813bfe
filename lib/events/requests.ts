/**
 * Deployments requested by EventBridge: source `gpu-deploy.requests`, detail-type `GPU Deployment Requested`,
 * detail = the request. The request is validated before anything starts; a bad one never starts an execution, is
 * logged and answered with a `GPU Deployment Failed` event (terminalState `RequestRejected`).
 */
import type { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import type { SFNClient } from '@aws-sdk/client-sfn';
import { DeploymentAlreadyExistsError } from '../api/errors.js';
import { startDeployment } from '../api/deployments.js';
import { GpuDeployError, RequestInvalidError } from '../errors.js';
import { DETAIL_TYPES, REQUEST_DETAIL_TYPE, REQUEST_EVENT_SOURCE, clip, publishEvent } from './eventbridge.js';
import type { LogSink } from '../middleware/logger.js';

export interface RequestEvent {
  id: string;
  source?: string;
  'detail-type'?: string;
  region?: string;
  detail?: unknown;
}

export interface RequestEventConfig {
  deployStateMachineArn: string;
  /** The stack's region: the default of a request that names none. */
  region?: string;
  busName?: string;
  log?: LogSink;
}

export interface RequestEventOutcome {
  action: 'started' | 'rejected' | 'duplicate' | 'ignored';
  deploymentId?: string;
  executionArn?: string;
  problems?: string[];
}

/** The execution name of an event: its id, so EventBridge's at-least-once delivery never starts a deployment twice. */
export const eventExecutionName = (eventId: string): string => `evt-${eventId.replace(/[^A-Za-z0-9_-]/g, '')}`.slice(0, 80);

/**
 * Starts the deploy state machine with the event's detail as the request.
 *
 * @example
 * await startFromEvent({ id: 'e-1', source: 'gpu-deploy.requests', 'detail-type': 'GPU Deployment Requested', detail: { instanceType: 'g5.xlarge' } }, sfn, events, config);
 */
export async function startFromEvent(event: RequestEvent, sfn: SFNClient, events: EventBridgeClient, config: RequestEventConfig): Promise<RequestEventOutcome> {
  const log = config.log ?? (() => undefined);
  if (event.source !== REQUEST_EVENT_SOURCE || event['detail-type'] !== REQUEST_DETAIL_TYPE) {
    log('warn', 'not a deployment request event', { source: event.source, detailType: event['detail-type'] });
    return { action: 'ignored' };
  }
  const deploymentId = eventExecutionName(event.id);
  try {
    const started = await startDeployment(sfn, {
      stateMachineArn: config.deployStateMachineArn,
      request: event.detail,
      name: deploymentId,
      ...(config.region ? { defaultRegion: config.region } : {}),
    });
    log('info', 'deployment started', { deploymentId, executionArn: started.executionArn });
    return { action: 'started', deploymentId, executionArn: started.executionArn };
  } catch (error) {
    if (error instanceof DeploymentAlreadyExistsError) {
      log('info', 'duplicate delivery of a request event', { deploymentId });
      return { action: 'duplicate', deploymentId };
    }
    if (!(error instanceof RequestInvalidError)) throw error;
    const problems = Array.isArray(error.details?.problems) ? (error.details.problems as string[]) : [error.message];
    log('warn', 'request rejected', { deploymentId, eventId: event.id, error: error.name, problems });
    await publishEvent(events, {
      detailType: DETAIL_TYPES.failed,
      ...(config.busName ? { busName: config.busName } : {}),
      detail: {
        deploymentId,
        executionArn: null,
        status: 'FAILED',
        terminalState: 'RequestRejected',
        instanceId: null,
        instanceType: null,
        region: null,
        zone: null,
        market: null,
        error: error.name,
        cause: clip(error instanceof GpuDeployError && error.hint ? `${error.message}. ${error.hint}` : error.message),
        estimate: null,
        originalError: null,
        rollback: null,
        requestEventId: event.id,
      },
    });
    return { action: 'rejected', deploymentId, problems };
  }
}
