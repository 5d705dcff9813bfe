import { ec2Client } from '../lib/aws/ec2.js';
import { ssmClient } from '../lib/aws/ssm.js';
import { stepHandler } from '../lib/middleware/handler.js';
import { resolveAmiStep } from '../lib/steps/resolve-ami.js';
import type { ValidatedDocument } from '../lib/workflow/document.js';

export const handler = stepHandler('resolveAmi', (doc: ValidatedDocument) => resolveAmiStep(doc, { ec2: ec2Client(doc.request.region), ssm: ssmClient(doc.request.region) }));
