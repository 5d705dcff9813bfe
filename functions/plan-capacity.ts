import { ec2Client } from '../lib/aws/ec2.js';
import { pricingClient } from '../lib/aws/pricing.js';
import { serviceQuotasClient } from '../lib/aws/service-quotas.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { planStep } from '../lib/steps/plan-capacity.js';
import type { ResolvedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('planCapacity', (doc: ResolvedDocument) => {
  const region = doc.request.region;
  return planStep(doc, { ec2: ec2Client(region), pricing: pricingClient(region), quotas: serviceQuotasClient(region) });
});
