import middy from '@middy/core';
import { arnRegion, apiConfig, ENV } from '../lib/api/config.js';
import { deploymentLogging, lambdaLog } from '../lib/middleware/logger.js';
import { sfnClient } from '../lib/api/sfn.js';
import { ec2Client } from '../lib/aws/ec2.js';
import { eventBridgeClient } from '../lib/events/eventbridge.js';
import { handleSpotInterruption, type SpotInterruptionEvent } from '../lib/interruptions/spot.js';

/** EventBridge rule target: EC2 Spot Instance Interruption Warning → record, notify, relaunch when asked. */
export const handler = middy(async (event: SpotInterruptionEvent) => {
  const config = apiConfig();
  const region = arnRegion(config.deployStateMachineArn);
  return handleSpotInterruption(event, {
    ec2: ec2Client(event.region || region),
    sfn: sfnClient(region),
    events: eventBridgeClient(region),
    deployStateMachineArn: config.deployStateMachineArn,
    ...(process.env[ENV.eventBus] ? { busName: process.env[ENV.eventBus] } : {}),
    log: lambdaLog,
  });
}).use(deploymentLogging());
