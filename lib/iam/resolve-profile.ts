import { DescribeStacksCommand, type CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { GetInstanceProfileCommand, type IAMClient } from '@aws-sdk/client-iam';
import { ACCESS_DENIED_CODES, awsErrorCode, toProjectError } from '../aws/classify.js';
import { InstanceProfileNotFoundError, InstanceProfileUnavailableError } from '../errors.js';
import { SSM_PROFILE_NAME, ensureSsmInstanceProfile, type EnsuredProfile } from './ssm-profile.js';

/** The stack output that names the deployed stack's instance profile (serverless.yml, Outputs). */
export const STACK_PROFILE_OUTPUT = 'GpuInstanceProfileName';

export interface ResolvedProfile {
  name: string;
  source: 'request' | 'stack' | 'created' | 'existing';
  /** Only for `created`: the parts made now (IAM needs seconds before RunInstances sees them). */
  created?: EnsuredProfile['created'];
  /** What the resolution could not check (no permission), said so instead of guessed. */
  notes: string[];
}

export interface ProfileClients {
  iam: IAMClient;
  cfn: CloudFormationClient;
}

const isAccessDenied = (error: unknown): boolean => ACCESS_DENIED_CODES.has(awsErrorCode(error) ?? '') || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 403;

/** The deployed stack's instance profile from its outputs; undefined when there is no such stack or output. */
export async function stackInstanceProfile(cfn: CloudFormationClient, stackName: string): Promise<string | undefined> {
  try {
    const out = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const stack = out.Stacks?.[0];
    if (!stack || stack.StackStatus === 'DELETE_COMPLETE') return undefined;
    return stack.Outputs?.find((o) => o.OutputKey === STACK_PROFILE_OUTPUT)?.OutputValue || undefined;
  } catch (error) {
    // CloudFormation answers a missing stack with ValidationError ("Stack with id … does not exist").
    if (awsErrorCode(error) === 'ValidationError') return undefined;
    throw error;
  }
}

const PERMISSIONS_HINT =
  'Pass --instance-profile NAME (a profile whose role has AmazonSSMManagedInstanceCore), deploy the stack (npx serverless deploy) ' +
  'so its profile is used, or allow iam:GetInstanceProfile, iam:GetRole, iam:CreateRole, iam:AttachRolePolicy, ' +
  `iam:CreateInstanceProfile and iam:AddRoleToInstanceProfile on ${SSM_PROFILE_NAME} so gpu-deploy can create it`;

/**
 * The instance profile a launch uses, in this order: the request's `instanceProfile` (checked to exist when IAM lets
 * us look), the deployed stack's profile (its `GpuInstanceProfileName` output), else `gpu-deploy-ssm`, reused or
 * created with only AmazonSSMManagedInstanceCore. Without a profile the SSM agent never registers and the
 * deployment can only time out, so no profile is an error before anything is launched.
 *
 * @example
 * const profile = await resolveInstanceProfile({ requested: undefined, stackName: 'gpu-deploy-dev', region }, { iam, cfn });
 * @throws InstanceProfileNotFoundError (the named profile does not exist), InstanceProfileUnavailableError
 */
export async function resolveInstanceProfile(
  input: { requested?: string | undefined; stackName: string; region: string },
  clients: ProfileClients,
): Promise<ResolvedProfile> {
  const notes: string[] = [];
  if (input.requested) {
    try {
      await clients.iam.send(new GetInstanceProfileCommand({ InstanceProfileName: input.requested }));
    } catch (error) {
      if (awsErrorCode(error) === 'NoSuchEntity' || awsErrorCode(error) === 'NoSuchEntityException') {
        throw new InstanceProfileNotFoundError(`IAM has no instance profile named ${input.requested}`, {
          hint: `Fix --instance-profile (aws iam list-instance-profiles lists them), or leave it out: gpu-deploy then uses the stack's profile or creates ${SSM_PROFILE_NAME}`,
          details: { instanceProfile: input.requested },
        });
      }
      if (!isAccessDenied(error)) throw toProjectError(error, 'GetInstanceProfile');
      notes.push(`not allowed to check that instance profile ${input.requested} exists (iam:GetInstanceProfile); using it as given`);
    }
    return { name: input.requested, source: 'request', notes };
  }
  try {
    const fromStack = await stackInstanceProfile(clients.cfn, input.stackName);
    if (fromStack) return { name: fromStack, source: 'stack', notes };
  } catch (error) {
    if (!isAccessDenied(error)) throw toProjectError(error, 'DescribeStacks');
    notes.push(`not allowed to read the stack ${input.stackName} (cloudformation:DescribeStacks); not using its profile`);
  }
  try {
    const ensured = await ensureSsmInstanceProfile(clients.iam, input.region);
    return ensured.created.length > 0 ? { name: ensured.name, source: 'created', created: ensured.created, notes } : { name: ensured.name, source: 'existing', notes };
  } catch (error) {
    if (!isAccessDenied(error)) throw toProjectError(error, `creating or reusing the instance profile ${SSM_PROFILE_NAME}`);
    throw new InstanceProfileUnavailableError(
      `No instance profile for the instance: none was requested, no stack ${input.stackName} names one, and ${SSM_PROFILE_NAME} could not be created (${awsErrorCode(error) ?? 'AccessDenied'})`,
      { cause: error, hint: PERMISSIONS_HINT, details: { stackName: input.stackName, code: awsErrorCode(error), notes } },
    );
  }
}
