import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { checkRunningStep } from '../lib/workflow/steps.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('checkRunning', (doc: LaunchedDocument) => checkRunningStep(doc, clientsFor(doc.request.region).ec2));
