import { stepHandler } from '../lib/middleware/handler.js';
import { eventBridgeClient } from '../lib/events/eventbridge.js';
import type { EndedNotifyInput } from '../lib/events/ended.js';
import { notifyStep, type NotifyInput } from '../lib/events/notify.js';

/** Publishes the deployment's final event to the bus of the function's own region. */
export const handler = stepHandler('notify', (input: NotifyInput | EndedNotifyInput) =>
  notifyStep(input, eventBridgeClient(process.env.AWS_REGION ?? 'us-east-1'), process.env.GPU_DEPLOY_EVENT_BUS || undefined),
);
