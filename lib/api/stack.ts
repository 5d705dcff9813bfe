import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { awsErrorCode, toProjectError } from '../aws/classify.js';
import { StackNotDeployedError, StackOutputMissingError } from './errors.js';

/** The stack serverless.yml deploys: `<service>-<stage>`. */
export const stackName = (stage: string): string => `gpu-deploy-${stage}`;

export const cloudFormationClient = (region: string): CloudFormationClient => new CloudFormationClient({ region, maxAttempts: 3 });

export interface DeployedStack {
  stackName: string;
  region: string;
  deployStateMachineArn: string;
  teardownStateMachineArn: string;
  apiUrl?: string;
  /** Where the lifetime schedules are and the role they run with (stacks deployed before issue 13 lack them). */
  scheduleGroupName?: string;
  schedulerRoleArn?: string;
}

/**
 * The deployed stack's state machine ARNs, from its CloudFormation outputs.
 *
 * @example
 * const stack = await deployedStack(cloudFormationClient('eu-west-1'), 'dev', 'eu-west-1');
 * @throws StackNotDeployedError (no such stack), StackOutputMissingError (deployed by an older version), Aws*Error
 */
export async function deployedStack(cfn: CloudFormationClient, stage: string, region: string): Promise<DeployedStack> {
  const name = stackName(stage);
  const deployHint = `Deploy it first: npx serverless deploy --stage ${stage} --region ${region}`;
  let stacks;
  try {
    stacks = (await cfn.send(new DescribeStacksCommand({ StackName: name }))).Stacks ?? [];
  } catch (error) {
    // CloudFormation answers a missing stack with ValidationError ("Stack with id … does not exist").
    if (awsErrorCode(error) === 'ValidationError') {
      throw new StackNotDeployedError(`The stack ${name} is not deployed in ${region}`, { hint: deployHint, details: { stackName: name, region } });
    }
    throw toProjectError(error, 'DescribeStacks');
  }
  const stack = stacks[0];
  if (!stack || stack.StackStatus === 'DELETE_COMPLETE') {
    throw new StackNotDeployedError(`The stack ${name} is not deployed in ${region}`, { hint: deployHint, details: { stackName: name, region } });
  }
  const outputs = Object.fromEntries((stack.Outputs ?? []).map((o) => [o.OutputKey ?? '', o.OutputValue ?? '']));
  for (const key of ['DeployStateMachineArn', 'TeardownStateMachineArn']) {
    if (!outputs[key]) {
      throw new StackOutputMissingError(`The stack ${name} has no ${key} output`, {
        hint: `It was deployed by an older gpu-deploy; update it: npx serverless deploy --stage ${stage} --region ${region}`,
      });
    }
  }
  return {
    stackName: name,
    region,
    deployStateMachineArn: outputs.DeployStateMachineArn as string,
    teardownStateMachineArn: outputs.TeardownStateMachineArn as string,
    ...(outputs.ServiceEndpoint ? { apiUrl: outputs.ServiceEndpoint } : {}),
    ...(outputs.TeardownScheduleGroupName ? { scheduleGroupName: outputs.TeardownScheduleGroupName } : {}),
    ...(outputs.TeardownSchedulerRoleArn ? { schedulerRoleArn: outputs.TeardownSchedulerRoleArn } : {}),
  };
}
