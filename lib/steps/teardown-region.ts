import type { SFNClient } from '@aws-sdk/client-sfn';
import { deploymentRegion as regionOfDeployment, describeDeployment } from '../api/deployments.js';
import { RequestInvalidError } from '../errors.js';

/** A deploy execution's ARN: its region (the stack's, not the deployment's), its state machine and its name. */
const EXECUTION_ARN = /^(arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}):execution:([A-Za-z0-9_-]{1,80}):([A-Za-z0-9_-]{1,80})$/;

/**
 * The region a deployment launched in, from its execution's own input (DescribeExecution): the safety-net rule's
 * event carries only the stack's region, and a deployment to another region torn down there would leave its
 * instance running. An input without a region deployed to the request default, as ValidateRequest did.
 *
 * @throws RequestInvalidError for something that is not a deploy execution ARN; DeploymentNotFoundError, Aws*Error
 * @example
 * await deploymentRegion(sfnClient, 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:dep-1'); // 'eu-west-1'
 */
export async function deploymentRegion(sfn: (region: string) => SFNClient, executionArn: unknown): Promise<string> {
  const match = typeof executionArn === 'string' ? EXECUTION_ARN.exec(executionArn) : null;
  const [, account, region, stateMachine, name] = match ?? [];
  if (!account || !region || !stateMachine || !name) {
    throw new RequestInvalidError(`Not an execution ARN: ${JSON.stringify(executionArn)?.slice(0, 120)}`, {
      hint: 'Start the teardown with {"deploymentId", "region"} or {"deploymentId", "executionArn"}',
    });
  }
  const status = await describeDeployment(sfn(region), `${account}:stateMachine:${stateMachine}`, name);
  return regionOfDeployment(status);
}
