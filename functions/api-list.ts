import middy from '@middy/core';
import { ec2Client } from '../lib/aws/ec2.js';
import type { ApiResponse } from '../lib/api/http.js';
import { getDeployments, type ListEvent } from '../lib/deployments/api.js';

/** API Gateway (IAM-authorised) proxy handler of GET /deployments; the logic is getDeployments in lib/deployments/api.ts. */
export const handler = middy(async (event: ListEvent): Promise<ApiResponse> => getDeployments(event, (region) => ec2Client(region), process.env.AWS_REGION ?? 'us-east-1'));
