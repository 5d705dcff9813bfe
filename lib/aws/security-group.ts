/** DeleteSecurityGroup with the answers that are not failures named: the teardown and `workspace delete` both need them. */
import { DeleteSecurityGroupCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsErrorCode, toProjectError } from './classify.js';

/**
 * One try at deleting a security group: `deleted`; `gone` when it already was (InvalidGroup.NotFound); `held` while a
 * network interface still uses it (DependencyViolation: AWS releases it a while after the instance or mount target
 * goes, so try again later). Any other error is the project's.
 *
 * @example
 * if ((await deleteSecurityGroup(ec2, 'sg-0123')) === 'held') remaining.push('sg-0123');
 */
export async function deleteSecurityGroup(ec2: EC2Client, groupId: string): Promise<'deleted' | 'gone' | 'held'> {
  try {
    await ec2.send(new DeleteSecurityGroupCommand({ GroupId: groupId }));
    return 'deleted';
  } catch (error) {
    const code = awsErrorCode(error);
    if (code === 'InvalidGroup.NotFound') return 'gone';
    if (code === 'DependencyViolation') return 'held';
    throw toProjectError(error, 'DeleteSecurityGroup');
  }
}
