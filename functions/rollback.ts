import { ec2Client } from '../lib/aws/ec2.js';
import { sfnClient } from '../lib/api/sfn.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { rollbackRegion, rollbackStep, type RollbackInput } from '../lib/steps/rollback.js';

export const handler = stepHandler('rollback', async (doc: RollbackInput) => {
  const region = await rollbackRegion(doc, sfnClient);
  return { ...(await rollbackStep(doc, ec2Client(region))), region };
});
