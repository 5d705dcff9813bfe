import { apiHandler } from '../lib/api/handler.js';
import { ec2Client } from '../lib/aws/ec2.js';

/** API Gateway (IAM-authorised) proxy handler of GET /deployments: its route in lib/api/routes.ts. */
export const handler = apiHandler('apiList', { ec2For: (region) => ec2Client(region) });
