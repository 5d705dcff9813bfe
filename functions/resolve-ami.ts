import { clientsFor } from '../lib/aws/clients.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { resolveAmiStep } from '../lib/workflow/steps.js';
import type { ValidatedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('resolveAmi', (doc: ValidatedDocument) => resolveAmiStep(doc, clientsFor(doc.request.region)));
