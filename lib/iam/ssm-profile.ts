import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  type IAMClient,
} from '@aws-sdk/client-iam';
import { awsErrorCode } from '../aws/classify.js';

/** The profile (and its role) gpu-deploy creates when neither the request nor a deployed stack names one. */
export const SSM_PROFILE_NAME = 'gpu-deploy-ssm';

/** The partition of a region: the managed policy's ARN differs in China and GovCloud. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** The only policy the role gets: what the SSM agent needs to register and serve Run Command and sessions. */
export const ssmManagedPolicyArn = (region: string): string => `arn:${partitionOf(region)}:iam::aws:policy/AmazonSSMManagedInstanceCore`;

/** The role's trust policy: EC2 (the instance) may assume it, nothing else. */
export const EC2_TRUST_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});

const TAGS = [{ Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' }];

const isMissing = (error: unknown): boolean => awsErrorCode(error) === 'NoSuchEntity' || awsErrorCode(error) === 'NoSuchEntityException';
const isTaken = (error: unknown): boolean => awsErrorCode(error) === 'EntityAlreadyExists' || awsErrorCode(error) === 'EntityAlreadyExistsException';

/** Runs a create call; another process creating the same thing at the same moment is not a failure. */
async function createUnlessExists(call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    if (isTaken(error)) return false;
    throw error;
  }
}

export interface EnsuredProfile {
  name: string;
  /** What was created now (empty when everything existed): a profile created now needs seconds to propagate. */
  created: ('role' | 'policy-attachment' | 'instance-profile' | 'role-in-profile')[];
}

/**
 * Creates or reuses the `gpu-deploy-ssm` instance profile: a role trusting ec2.amazonaws.com with only
 * AmazonSSMManagedInstanceCore, inside a profile of the same name. Each piece is checked and created when missing,
 * so a half-finished earlier attempt is completed, not duplicated. SDK errors (AccessDenied, …) are thrown as is.
 *
 * @example
 * const { name, created } = await ensureSsmInstanceProfile(new IAMClient({ region }), region);
 */
export async function ensureSsmInstanceProfile(iam: IAMClient, region: string, name: string = SSM_PROFILE_NAME): Promise<EnsuredProfile> {
  const created: EnsuredProfile['created'] = [];
  let roles: string[] | undefined;
  try {
    const out = await iam.send(new GetInstanceProfileCommand({ InstanceProfileName: name }));
    roles = (out.InstanceProfile?.Roles ?? []).map((r) => r.RoleName ?? '');
  } catch (error) {
    if (!isMissing(error)) throw error;
  }
  if (roles !== undefined && roles.length > 0) return { name, created };

  let roleExists = true;
  try {
    await iam.send(new GetRoleCommand({ RoleName: name }));
  } catch (error) {
    if (!isMissing(error)) throw error;
    roleExists = false;
  }
  if (!roleExists) {
    const description = 'gpu-deploy: lets the SSM agent on GPU instances register (Run Command, Session Manager)';
    if (await createUnlessExists(() => iam.send(new CreateRoleCommand({ RoleName: name, AssumeRolePolicyDocument: EC2_TRUST_POLICY, Description: description, Tags: TAGS })))) {
      created.push('role');
    }
  }
  // Attaching again is a no-op in IAM; it completes an earlier attempt that stopped after CreateRole.
  await iam.send(new AttachRolePolicyCommand({ RoleName: name, PolicyArn: ssmManagedPolicyArn(region) }));
  created.push('policy-attachment');
  if (roles === undefined && (await createUnlessExists(() => iam.send(new CreateInstanceProfileCommand({ InstanceProfileName: name, Tags: TAGS }))))) {
    created.push('instance-profile');
  }
  try {
    await iam.send(new AddRoleToInstanceProfileCommand({ InstanceProfileName: name, RoleName: name }));
  } catch (error) {
    // LimitExceeded: the profile already holds a role (a profile holds one); it was added concurrently.
    if (awsErrorCode(error) !== 'LimitExceeded' && awsErrorCode(error) !== 'LimitExceededException') throw error;
  }
  created.push('role-in-profile');
  return { name, created };
}
