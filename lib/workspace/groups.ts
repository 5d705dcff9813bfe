/**
 * The workspace's two security groups in a VPC: the client group (no rules at all) that every instance using the
 * workspace carries besides its own, and the mount targets' group, whose only inbound rule is NFS (TCP 2049) from
 * the client group. Nothing is ever opened to an address range.
 */
import {
  AuthorizeSecurityGroupIngressCommand,
  DescribeSecurityGroupsCommand,
  type EC2Client,
  type SecurityGroup,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { createSecurityGroup } from '../aws/security-group.js';
import { isNotYetVisible, retryWhileNotYetVisible, type PropagationRetryOptions } from '../launch/consistency.js';
import { NFS_PORT, WORKSPACE_ROLE_TAG, WORKSPACE_TAG, workspaceGroupName, workspaceTags, type WorkspaceGroupRole } from './names.js';

export interface WorkspaceGroups {
  clientGroupId: string;
  mountTargetGroupId: string;
}

const DESCRIPTIONS: Record<WorkspaceGroupRole, string> = {
  client: 'gpu-deploy workspace client: no rules; instances using the workspace carry it',
  'mount-target': 'gpu-deploy workspace mount targets: NFS (TCP 2049) from the client group only',
};

/** The workspace's groups in the VPC (by tag), or in every VPC when `vpcId` is not given. */
export async function findWorkspaceGroups(ec2: EC2Client, name: string, vpcId?: string): Promise<SecurityGroup[]> {
  const out = await callAws('DescribeSecurityGroups', () =>
    ec2.send(
      new DescribeSecurityGroupsCommand({
        Filters: [{ Name: `tag:${WORKSPACE_TAG}`, Values: [name] }, ...(vpcId ? [{ Name: 'vpc-id', Values: [vpcId] }] : [])],
      }),
    ),
  );
  return out.SecurityGroups ?? [];
}

const roleOf = (group: SecurityGroup): string | undefined => group.Tags?.find((tag) => tag.Key === WORKSPACE_ROLE_TAG)?.Value;

const createGroup = (ec2: EC2Client, vpcId: string, name: string, role: WorkspaceGroupRole): Promise<string> =>
  createSecurityGroup(ec2, { vpcId, groupName: workspaceGroupName(name, role), description: DESCRIPTIONS[role], tags: workspaceTags(name, { [WORKSPACE_ROLE_TAG]: role }) });

/** Whether the mount-target group already lets NFS in from the client group. */
const allowsNfsFrom = (group: SecurityGroup | undefined, clientGroupId: string): boolean =>
  (group?.IpPermissions ?? []).some(
    (rule) => rule.IpProtocol === 'tcp' && rule.FromPort === NFS_PORT && rule.ToPort === NFS_PORT && (rule.UserIdGroupPairs ?? []).some((pair) => pair.GroupId === clientGroupId),
  );

/**
 * The workspace's groups in the VPC, made where missing, with the one NFS rule in place. A group created a moment
 * ago may still be unknown to EC2: the rule is retried while it says `InvalidGroup.NotFound`.
 */
export async function ensureWorkspaceGroups(ec2: EC2Client, vpcId: string, name: string, retry: PropagationRetryOptions = {}): Promise<WorkspaceGroups> {
  const existing = await findWorkspaceGroups(ec2, name, vpcId);
  const byRole = (role: WorkspaceGroupRole): SecurityGroup | undefined => existing.find((group) => roleOf(group) === role);
  const clientGroupId = byRole('client')?.GroupId ?? (await createGroup(ec2, vpcId, name, 'client'));
  const mountTarget = byRole('mount-target');
  const mountTargetGroupId = mountTarget?.GroupId ?? (await createGroup(ec2, vpcId, name, 'mount-target'));
  if (!allowsNfsFrom(mountTarget, clientGroupId)) {
    try {
      await retryWhileNotYetVisible(
        () =>
          ec2.send(
            new AuthorizeSecurityGroupIngressCommand({
              GroupId: mountTargetGroupId,
              IpPermissions: [
                {
                  IpProtocol: 'tcp',
                  FromPort: NFS_PORT,
                  ToPort: NFS_PORT,
                  UserIdGroupPairs: [{ GroupId: clientGroupId, Description: 'NFS from instances using the workspace' }],
                },
              ],
            }),
          ),
        (error) => isNotYetVisible(error),
        retry,
      );
    } catch (error) {
      // A retried call whose describe ran before the first try's rule: the rule is there.
      if (awsErrorCode(error) !== 'InvalidPermission.Duplicate') throw toProjectError(error, 'AuthorizeSecurityGroupIngress');
    }
  }
  return { clientGroupId, mountTargetGroupId };
}
