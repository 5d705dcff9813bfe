import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { checkManagedStep } from '../lib/workflow/steps.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('checkManaged', (doc: LaunchedDocument) => checkManagedStep(doc, clientsFor(doc.request.region).ssm));
