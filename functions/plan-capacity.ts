import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { planStep } from '../lib/workflow/plan-step.js';
import type { ResolvedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('planCapacity', (doc: ResolvedDocument) => planStep(doc, clientsFor(doc.request.region)));
