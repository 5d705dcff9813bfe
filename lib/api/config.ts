import { requiredEnv } from './sfn.js';
import type { ApiConfig } from './http.js';

/** Environment names serverless.yml sets on the entry-point functions. */
export const ENV = {
  deployStateMachineArn: 'DEPLOY_STATE_MACHINE_ARN',
  teardownStateMachineArn: 'TEARDOWN_STATE_MACHINE_ARN',
  eventBus: 'GPU_DEPLOY_EVENT_BUS',
} as const;

/** The region of an ARN (`arn:partition:service:region:…`). */
export const arnRegion = (arn: string): string => arn.split(':')[3] ?? '';

/** The entry points' configuration from the environment (read per call, so tests may set it). */
export function apiConfig(env: NodeJS.ProcessEnv = process.env, needTeardown = false): ApiConfig {
  const deployStateMachineArn = requiredEnv(ENV.deployStateMachineArn, env);
  const teardown = needTeardown ? requiredEnv(ENV.teardownStateMachineArn, env) : env[ENV.teardownStateMachineArn];
  return {
    deployStateMachineArn,
    ...(teardown ? { teardownStateMachineArn: teardown } : {}),
    region: env.AWS_REGION ?? arnRegion(deployStateMachineArn),
  };
}
