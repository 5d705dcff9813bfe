/**
 * The names and tags of a workspace's resources in AWS: its EFS file system, the two security groups and the tag
 * that marks every instance using it. One workspace per name and region; nothing here carries a deployment's tag,
 * so no rollback or teardown (which find by `gpu-deploy:deployment-id`) ever touches it.
 */
import { createHash } from 'node:crypto';
import { MANAGED_BY_TAG } from '../launch/tags.js';

/** On the file system, both groups, and every instance (and its volume) that mounts the workspace. */
export const WORKSPACE_TAG = 'gpu-deploy:workspace';
/** On the two groups: `client` (on instances) or `mount-target` (on the mount targets). */
export const WORKSPACE_ROLE_TAG = 'gpu-deploy:workspace-role';
export type WorkspaceGroupRole = 'client' | 'mount-target';

/** Where the instance mounts it; Ollama keeps its models below it. */
export const WORKSPACE_MOUNT_PATH = '/workspace';
export const WORKSPACE_OLLAMA_DIR = `${WORKSPACE_MOUNT_PATH}/ollama`;
/** NFS: the only port the mount-target group lets in, and only from the client group. */
export const NFS_PORT = 2049;

/** EFS's limit on a creation token. */
const CREATION_TOKEN_MAX = 64;

/**
 * CreateFileSystem's idempotency token: `gpu-deploy-ws-NAME`, so a retried EnsureWorkspace never makes a second
 * file system. A name too long for the 64-character token keeps its start and gets a digest of the whole name.
 *
 * @example
 * creationToken('demo'); // 'gpu-deploy-ws-demo'
 */
export function creationToken(name: string): string {
  const token = `gpu-deploy-ws-${name}`;
  if (token.length <= CREATION_TOKEN_MAX) return token;
  const digest = createHash('sha256').update(name).digest('hex').slice(0, 12);
  return `${token.slice(0, CREATION_TOKEN_MAX - digest.length - 1)}-${digest}`;
}

/** The group's name: unique per VPC, so CreateSecurityGroup refuses a second one (`InvalidGroup.Duplicate`). */
export const workspaceGroupName = (name: string, role: WorkspaceGroupRole): string => `gpu-deploy-ws-${name}-${role}`;

/** Tags of the file system and the groups, as EC2 and EFS both take them (`Key`/`Value`). */
export function workspaceTags(name: string, extra: Record<string, string> = {}): { Key: string; Value: string }[] {
  return [
    { Key: 'Name', Value: `gpu-deploy-ws-${name}` },
    { Key: WORKSPACE_TAG, Value: name },
    { Key: MANAGED_BY_TAG, Value: 'gpu-deploy' },
    ...Object.entries(extra).map(([Key, Value]) => ({ Key, Value })),
  ];
}

/** Whether a resource's tags make it the workspace `name` (or any workspace, without a name) that gpu-deploy made. */
export function isWorkspaceResource(tags: readonly { Key?: string; Value?: string }[] | undefined, name?: string): boolean {
  const map = new Map((tags ?? []).map((tag) => [tag.Key, tag.Value]));
  const value = map.get(WORKSPACE_TAG);
  return map.get(MANAGED_BY_TAG) === 'gpu-deploy' && value !== undefined && (name === undefined || value === name);
}
