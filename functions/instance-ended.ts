import middy from '@middy/core';
import { apiConfig } from '../lib/api/config.js';
import { sfnClient } from '../lib/api/sfn.js';
import { ec2Client } from '../lib/aws/ec2.js';
import { handleInstanceEnded, type InstanceStateChangeEvent } from '../lib/lifetime/instance-ended.js';
import { deploymentLogging } from '../lib/middleware/logger.js';

/** EventBridge rule target: EC2 Instance State-change Notification (terminated) → the deployment's teardown. */
export const handler = middy(async (event: InstanceStateChangeEvent) => {
  const config = apiConfig(process.env, true);
  const region = config.region ?? '';
  return handleInstanceEnded(event, {
    ec2: ec2Client(event.region || region),
    sfn: sfnClient(region),
    deployStateMachineArn: config.deployStateMachineArn,
    teardownStateMachineArn: config.teardownStateMachineArn as string,
  });
}).use(deploymentLogging());
