import { apiHandler } from '../lib/api/handler.js';

/** API Gateway (IAM-authorised) proxy handler of POST /deployments: its route in lib/api/routes.ts. */
export const handler = apiHandler('apiStart');
