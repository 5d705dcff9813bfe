import middy from '@middy/core';
import { arnRegion, apiConfig, ENV } from '../lib/api/config.js';
import { sfnClient } from '../lib/api/sfn.js';
import { deploymentLogging, lambdaLog } from '../lib/middleware/logger.js';
import { eventBridgeClient } from '../lib/events/eventbridge.js';
import { startFromEvent, type RequestEvent } from '../lib/events/requests.js';

/** EventBridge rule target: `GPU Deployment Requested` → a validated StartExecution of the deploy state machine. */
export const handler = middy(async (event: RequestEvent) => {
  const config = apiConfig();
  const region = arnRegion(config.deployStateMachineArn);
  return startFromEvent(event, sfnClient(region), eventBridgeClient(region), {
    deployStateMachineArn: config.deployStateMachineArn,
    ...(config.region ? { region: config.region } : {}),
    ...(process.env[ENV.eventBus] ? { busName: process.env[ENV.eventBus] } : {}),
    log: lambdaLog,
  });
}).use(deploymentLogging());
