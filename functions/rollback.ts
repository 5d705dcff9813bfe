import { ec2Client } from '../lib/aws/ec2.js';
import { schedulerClient } from '../lib/aws/scheduler.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { rollbackStep, type RollbackInput } from '../lib/steps/rollback.js';

// Schedules live in the stack's region (the function's own); the deployment's resources in the request's.
export const handler = stepHandler('rollback', (doc: RollbackInput) => {
  const groupName = process.env.GPU_DEPLOY_SCHEDULE_GROUP;
  const schedules = groupName ? { scheduler: schedulerClient(process.env.AWS_REGION ?? doc.request.region), groupName } : undefined;
  return rollbackStep(doc, ec2Client(doc.request.region), new Date(), schedules);
});
