import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { cachedClient, SDK_MAX_ATTEMPTS } from '../aws/clients.js';
import { callAws, toProjectError } from '../aws/classify.js';

/** EventBridge client of a region, reused across warm invocations; endpoint from the SDK's own configuration. */
export const eventBridgeClient = (region: string): EventBridgeClient =>
  cachedClient('events', region, () => new EventBridgeClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));

/** The source of the events gpu-deploy publishes. */
export const EVENT_SOURCE = 'gpu-deploy';
/** The source and detail-type that start a deployment (the detail is the request). */
export const REQUEST_EVENT_SOURCE = 'gpu-deploy.requests';
export const REQUEST_DETAIL_TYPE = 'GPU Deployment Requested';

export const DETAIL_TYPES = {
  succeeded: 'GPU Deployment Succeeded',
  failed: 'GPU Deployment Failed',
  interrupted: 'GPU Deployment Interrupted',
  expired: 'GPU Deployment Expired',
  idle: 'GPU Deployment Idle',
} as const;

/** An event's detail must stay well under EventBridge's 256 KB entry limit: long texts are cut. */
export const MAX_TEXT = 2000;
export const clip = (text: string, max: number = MAX_TEXT): string => (text.length > max ? `${text.slice(0, max - 1)}…` : text);

/**
 * Publishes one event to the bus (the account's default bus unless `busName`). A rejected entry (PutEvents answers
 * 200 with `FailedEntryCount`) is an error too.
 *
 * @example
 * await publishEvent(events, { detailType: DETAIL_TYPES.succeeded, detail: { deploymentId: 'api-1' } });
 * @throws AwsThrottlingError, AwsTransientError, AwsAccessDeniedError, AwsRequestError
 */
export async function publishEvent(
  client: EventBridgeClient,
  event: { detailType: string; detail: Record<string, unknown>; resources?: string[]; busName?: string },
): Promise<{ eventId: string }> {
  const out = await callAws('PutEvents', () =>
    client.send(
      new PutEventsCommand({
        Entries: [
          {
            Source: EVENT_SOURCE,
            DetailType: event.detailType,
            Detail: JSON.stringify(event.detail),
            ...(event.resources && event.resources.length > 0 ? { Resources: event.resources } : {}),
            ...(event.busName ? { EventBusName: event.busName } : {}),
          },
        ],
      }),
    ),
  );
  const entry = out.Entries?.[0];
  if ((out.FailedEntryCount ?? 0) > 0 || !entry?.EventId) {
    // Classified by the entry's error code like any SDK error: a throttled entry is retried by the state machine.
    const rejected = Object.assign(new Error(entry?.ErrorMessage ?? 'the event was not accepted'), { name: entry?.ErrorCode ?? 'EventRejected' });
    throw toProjectError(rejected, 'PutEvents');
  }
  return { eventId: entry.EventId };
}
