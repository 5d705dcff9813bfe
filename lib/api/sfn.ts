import { SFNClient } from '@aws-sdk/client-sfn';
import { cachedClient, SDK_MAX_ATTEMPTS } from '../aws/clients.js';
import { DEPLOYMENT_ID_PATTERN } from '../launch/tags.js';
import { ConfigurationError, DeploymentIdInvalidError } from './errors.js';

/** Step Functions client of a region, reused across warm invocations; endpoint from the SDK's own configuration. */
export const sfnClient = (region: string): SFNClient =>
  cachedClient('sfn', region, () => new SFNClient({ region, maxAttempts: SDK_MAX_ATTEMPTS }));

/** A deployment id is its execution's name: Step Functions allows these characters, and nothing else reaches an ARN. */
export { DEPLOYMENT_ID_PATTERN };

/**
 * The id, checked before any ARN is built from it.
 *
 * @throws DeploymentIdInvalidError
 */
export function checkDeploymentId(id: unknown): string {
  if (typeof id !== 'string' || !DEPLOYMENT_ID_PATTERN.test(id)) {
    const shown = typeof id === 'string' ? JSON.stringify(id.slice(0, 40)) : String(id);
    throw new DeploymentIdInvalidError(`${shown} is not a deployment id`, {
      hint: 'A deployment id is the execution name: 1 to 80 letters, digits, - and _',
    });
  }
  return id;
}

const STATE_MACHINE_ARN = /^arn:aws[a-z-]*:states:[a-z0-9-]+:\d{12}:stateMachine:[A-Za-z0-9_-]{1,80}$/;

/**
 * The execution ARN of `name` in a state machine: `arn:…:stateMachine:M` → `arn:…:execution:M:name`.
 *
 * @example
 * executionArn('arn:aws:states:us-east-1:123456789012:stateMachine:gpu-deploy-dev-deploy', 'api-1');
 * // 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:api-1'
 */
export function executionArn(stateMachineArn: string, name: string): string {
  if (!STATE_MACHINE_ARN.test(stateMachineArn)) throw new ConfigurationError(`${stateMachineArn} is not a state machine ARN`);
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${checkDeploymentId(name)}`;
}

/** The execution name (the deployment id) of an execution ARN. */
export const executionName = (arn: string): string => arn.split(':').at(-1) ?? arn;

/** An environment variable a function cannot work without (set in serverless.yml). */
export function requiredEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ConfigurationError(`${name} is not set`, { hint: 'Deploy with `npx serverless deploy`: serverless.yml sets it' });
  return value;
}
