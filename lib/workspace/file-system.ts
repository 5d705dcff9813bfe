/** The workspace's EFS file system: found by its tag, or created once (creation token), encrypted and elastic. */
import {
  CreateFileSystemCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  PutLifecycleConfigurationCommand,
  type EFSClient,
  type FileSystemDescription,
} from '@aws-sdk/client-efs';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { AwsTransientError, WorkspaceUnavailableError } from '../errors.js';
import { creationToken, isWorkspaceResource, WORKSPACE_TAG, workspaceTags } from './names.js';

/** Every file system in the region that is a gpu-deploy workspace (all pages of DescribeFileSystems). */
export async function listWorkspaceFileSystems(efs: EFSClient): Promise<FileSystemDescription[]> {
  const found: FileSystemDescription[] = [];
  let marker: string | undefined;
  do {
    const page = await callAws('DescribeFileSystems', () => efs.send(new DescribeFileSystemsCommand(marker ? { Marker: marker } : {})));
    found.push(...(page.FileSystems ?? []).filter((fs) => isWorkspaceResource(fs.Tags)));
    marker = page.NextMarker;
  } while (marker);
  return found;
}

/** The workspace's file system (tag `gpu-deploy:workspace=NAME`), or undefined. */
export async function findWorkspaceFileSystem(efs: EFSClient, name: string): Promise<FileSystemDescription | undefined> {
  return (await listWorkspaceFileSystems(efs)).find((fs) => fs.Tags?.some((tag) => tag.Key === WORKSPACE_TAG && tag.Value === name));
}

/** The name a workspace file system carries in its tag. */
export const workspaceNameOf = (fs: FileSystemDescription): string => fs.Tags?.find((tag) => tag.Key === WORKSPACE_TAG)?.Value ?? '';

/**
 * The workspace's file system, created when there is none: encrypted at rest (the account's EFS key), Elastic
 * throughput (the API's default is bursting, which starves a small file system), General Purpose, tagged. The
 * creation token makes a retried call return `FileSystemAlreadyExists` instead of a second file system; that one is
 * then read back by its token.
 *
 * @returns the file system and whether this call created it
 */
export async function ensureFileSystem(efs: EFSClient, name: string): Promise<{ fileSystem: FileSystemDescription; created: boolean }> {
  const existing = await findWorkspaceFileSystem(efs, name);
  if (existing) return { fileSystem: existing, created: false };
  const token = creationToken(name);
  try {
    const created = await efs.send(
      new CreateFileSystemCommand({
        CreationToken: token,
        Encrypted: true,
        PerformanceMode: 'generalPurpose',
        ThroughputMode: 'elastic',
        Tags: workspaceTags(name),
      }),
    );
    return { fileSystem: created, created: true };
  } catch (error) {
    const code = awsErrorCode(error);
    // EFS answers the account's file system quota with HTTP 403: not a missing permission.
    if (code === 'FileSystemLimitExceeded') {
      throw new WorkspaceUnavailableError(`CreateFileSystem for workspace ${name} refused: FileSystemLimitExceeded (the account's EFS file system quota in this region)`, {
        cause: error,
        hint: 'Delete workspaces you no longer need (gpu-deploy workspace list / delete), use an existing workspace name, or ask AWS for a higher EFS quota',
        details: { code },
      });
    }
    if (code !== 'FileSystemAlreadyExists') throw toProjectError(error, 'CreateFileSystem');
    const out = await callAws('DescribeFileSystems', () => efs.send(new DescribeFileSystemsCommand({ CreationToken: token })));
    const fileSystem = out.FileSystems?.[0];
    // DescribeFileSystems is eventually consistent too: the state machine retries AwsTransientError.
    if (!fileSystem) throw new AwsTransientError(`CreateFileSystem said ${token} exists, but DescribeFileSystems does not list it yet`, { cause: error });
    return { fileSystem, created: false };
  }
}

/**
 * Files untouched for 30 days move to Infrequent Access (cheaper storage) and come back to Standard on their first
 * access. Set only when the file system has no lifecycle policy at all, so a policy the user chose is kept.
 *
 * @returns whether the policy was set now
 */
export async function ensureLifecycle(efs: EFSClient, fileSystemId: string): Promise<boolean> {
  const current = await callAws('DescribeLifecycleConfiguration', () => efs.send(new DescribeLifecycleConfigurationCommand({ FileSystemId: fileSystemId })));
  if ((current.LifecyclePolicies ?? []).length > 0) return false;
  await callAws('PutLifecycleConfiguration', () =>
    efs.send(
      new PutLifecycleConfigurationCommand({
        FileSystemId: fileSystemId,
        LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
      }),
    ),
  );
  return true;
}

/** The metered size: what EFS bills, in bytes, per storage class. */
export interface WorkspaceSize {
  totalBytes: number;
  standardBytes: number;
  iaBytes: number;
  archiveBytes: number;
}

export function sizeOf(fs: FileSystemDescription): WorkspaceSize {
  const size = fs.SizeInBytes;
  const totalBytes = size?.Value ?? 0;
  const iaBytes = size?.ValueInIA ?? 0;
  const archiveBytes = size?.ValueInArchive ?? 0;
  return { totalBytes, standardBytes: size?.ValueInStandard ?? Math.max(0, totalBytes - iaBytes - archiveBytes), iaBytes, archiveBytes };
}
