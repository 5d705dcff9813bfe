import { DescribeExecutionCommand, type SFNClient } from '@aws-sdk/client-sfn';
import { callAws } from '../aws/classify.js';
import { RequestInvalidError } from '../errors.js';
import { isRecord } from '../guards.js';
import { REGION, REQUEST_DEFAULTS } from '../request.js';

/** A deploy execution's ARN; its fourth field is the region Step Functions runs in (the stack's, not the deployment's). */
const EXECUTION_ARN = /^arn:aws[a-z-]*:states:([a-z0-9-]+):\d{12}:execution:[A-Za-z0-9_-]{1,80}:[A-Za-z0-9_-]{1,80}$/;

/**
 * The region a deployment launched in, from its execution's own input (DescribeExecution): the safety-net rule's
 * event carries only the stack's region, and a deployment to another region torn down there would leave its
 * instance running. An input without a region deployed to the request default, as ValidateRequest did.
 *
 * @throws RequestInvalidError for something that is not a deploy execution ARN
 * @example
 * await deploymentRegion(sfnClient, 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:dep-1'); // 'eu-west-1'
 */
export async function deploymentRegion(sfn: (region: string) => SFNClient, executionArn: unknown): Promise<string> {
  const match = typeof executionArn === 'string' ? EXECUTION_ARN.exec(executionArn) : null;
  if (!match?.[1]) {
    throw new RequestInvalidError(`Not an execution ARN: ${JSON.stringify(executionArn)?.slice(0, 120)}`, {
      hint: 'Start the teardown with {"deploymentId", "region"} or {"deploymentId", "executionArn"}',
    });
  }
  const arn = executionArn as string;
  const out = await callAws('DescribeExecution', () => sfn(match[1] as string).send(new DescribeExecutionCommand({ executionArn: arn })));
  return regionOfInput(out.input);
}

/** The `region` of a deploy execution's input (JSON text), or the request default when it names none. */
export function regionOfInput(input: string | undefined): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(input ?? '{}');
  } catch {
    // ValidateRequest refuses such an input before anything launches; the default region is where nothing is.
    return REQUEST_DEFAULTS.region;
  }
  const region = isRecord(parsed) ? parsed.region : undefined;
  return typeof region === 'string' && REGION.test(region) ? region : REQUEST_DEFAULTS.region;
}
