import { ec2Client } from '../lib/aws/ec2.js';
import { ssmClient } from '../lib/aws/ssm.js';
import { lambdaLog } from '../lib/middleware/logger.js';
import { tagVerified } from '../lib/deployments/verified-tag.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { getHealthCheckStep } from '../lib/steps/verify-gpu.js';
import type { LaunchedDocument, VerifyState } from '../lib/workflow/document.js';

export const handler = stepHandler('getGpuReport', async (doc: LaunchedDocument & { verify: VerifyState }) => {
  const verify = await getHealthCheckStep(doc, ssmClient(doc.request.region));
  if (verify.status === 'done') await tagVerified(ec2Client(doc.request.region), doc.launch.instanceId, new Date(), lambdaLog);
  return verify;
});
