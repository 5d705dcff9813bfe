import { ec2Client } from '../lib/aws/ec2.js';
import { sfnClient } from '../lib/api/sfn.js';
import { schedulerClient } from '../lib/aws/scheduler.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { rollbackRegion, rollbackStep, type RollbackInput } from '../lib/steps/rollback.js';

// Schedules live in the stack's region (the function's own); the deployment's resources in the deployment's.
export const handler = stepHandler('rollback', async (doc: RollbackInput) => {
  const region = await rollbackRegion(doc, sfnClient);
  const groupName = process.env.GPU_DEPLOY_SCHEDULE_GROUP;
  const schedules = groupName ? { scheduler: schedulerClient(process.env.AWS_REGION ?? region), groupName } : undefined;
  return { ...(await rollbackStep(doc, ec2Client(region), new Date(), schedules)), region };
});
