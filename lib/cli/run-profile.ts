import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import { IAMClient } from '@aws-sdk/client-iam';
import { resolveInstanceProfile, type ResolvedProfile } from '../iam/resolve-profile.js';
import { stackName } from '../api/stack.js';

/**
 * The instance profile of a `run` that launches into a real (or long-lived emulated) account: the request's, the
 * deployed stack's, else gpu-deploy-ssm, reused or created. Logged, so the user sees which one and why.
 */
export async function profileForRun(request: { region: string; instanceProfile?: string }, log: (line: string) => void, stage = 'dev'): Promise<ResolvedProfile> {
  const resolved = await resolveInstanceProfile(
    { requested: request.instanceProfile, stackName: stackName(stage), region: request.region },
    { iam: new IAMClient({ region: request.region, maxAttempts: 3 }), cfn: new CloudFormationClient({ region: request.region, maxAttempts: 3 }) },
  );
  const why = {
    request: 'from the request',
    stack: `the stack ${stackName(stage)}'s`,
    existing: 'reused: its role has AmazonSSMManagedInstanceCore',
    created: `created now: a role trusting ec2.amazonaws.com with AmazonSSMManagedInstanceCore only; made ${(resolved.created ?? []).join(', ')}`,
  }[resolved.source];
  log(`Instance profile: ${resolved.name}, ${why}`);
  for (const note of resolved.notes) log(`  note: ${note}`);
  return resolved;
}
