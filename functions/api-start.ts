import middy from '@middy/core';
import { arnRegion, apiConfig } from '../lib/api/config.js';
import { errorResponse, postDeployment, type ApiEvent, type ApiResponse } from '../lib/api/http.js';
import { sfnClient } from '../lib/api/sfn.js';
import { deploymentLogging } from '../lib/middleware/logger.js';

/** API Gateway (IAM-authorised) proxy handler; the logic is postDeployment in lib/api/http.ts. */
export const handler = middy(async (event: ApiEvent): Promise<ApiResponse> => {
  try {
    const config = apiConfig(process.env, false);
    return await postDeployment(event, sfnClient(arnRegion(config.deployStateMachineArn)), config);
  } catch (error) {
    return errorResponse(error);
  }
}).use(deploymentLogging());
