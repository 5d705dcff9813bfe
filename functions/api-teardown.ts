import { apiHandler } from '../lib/api/handler.js';

/** API Gateway (IAM-authorised) proxy handler of DELETE /deployments/{id}: its route in lib/api/routes.ts. */
export const handler = apiHandler('apiTeardown');
