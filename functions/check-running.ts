import { ec2Client } from '../lib/aws/ec2.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { checkRunningStep } from '../lib/steps/check-running.js';
import type { LaunchedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('checkRunning', (doc: LaunchedDocument) => checkRunningStep(doc, ec2Client(doc.request.region)));
