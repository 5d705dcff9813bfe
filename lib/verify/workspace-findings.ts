/**
 * What the workspace probes found: whether an EFS file system is mounted at the workspace path, which one, how
 * (TLS through amazon-efs-utils' local proxy, or plain NFS), and whether a small write reads back. A failure only
 * when the deployment asked for a workspace. Pure.
 */
import { isRecord } from '../guards.js';
import { decodeProbe } from './document.js';
import { firstWords, type Findings } from './gpu-findings.js';
import type { GpuExpectation, HealthFailure, RawHealthCheck, WorkspaceStatus } from './types.js';

const FILE_SYSTEM_ID = /\b(fs-[0-9a-f]{8,40})\b/;
const DEFAULT_PATH = '/workspace';

/** The set-up's record of the mount (workspace.json beside the status file): file system and transit. */
function recorded(raw: RawHealthCheck): { fileSystemId: string | null; transit: 'tls' | 'plain' | null } {
  const probe = decodeProbe(raw, 'workspaceSetup');
  let parsed: unknown;
  try {
    parsed = probe?.exitCode === 0 ? JSON.parse(probe.stdout) : null;
  } catch {
    parsed = null;
  }
  const fields = isRecord(parsed) ? parsed : {};
  const id = typeof fields.fileSystemId === 'string' && FILE_SYSTEM_ID.test(fields.fileSystemId) ? fields.fileSystemId : null;
  const transit = fields.transit === 'tls' || fields.transit === 'plain' ? fields.transit : null;
  return { fileSystemId: id, transit };
}

/** The mount on top at the path (findmnt lists stacked mounts oldest first): source, type, options. */
function topMount(stdout: string): { source: string; fstype: string } | null {
  const line = stdout.trim().split(/\r?\n/).at(-1)?.trim();
  if (!line) return null;
  const [source = '', fstype = ''] = line.split(/\s+/);
  return { source, fstype };
}

/** efs-utils mounts its local proxy (127.0.0.1:/, NFS on a local port); plain NFS mounts the file system's DNS name. */
const transitOf = (source: string): 'tls' | 'plain' => (/^127\.0\.0\.1:/.test(source) ? 'tls' : 'plain');

export const workspaceFindings = (raw: RawHealthCheck, expected?: GpuExpectation['workspace']): Findings<WorkspaceStatus> => {
  const path = typeof raw.config?.workspacePath === 'string' ? raw.config.workspacePath : DEFAULT_PATH;
  const mount = decodeProbe(raw, 'workspaceMount');
  const write = decodeProbe(raw, 'workspaceWrite');
  const setup = recorded(raw);
  const top = mount?.exitCode === 0 ? topMount(mount.stdout) : null;
  const isNfs = top !== null && /^(nfs4?|efs)$/.test(top.fstype);
  const status: WorkspaceStatus = {
    checked: mount !== null,
    mounted: top !== null,
    path,
    fileSystemId: top === null ? null : (FILE_SYSTEM_ID.exec(top.source)?.[1] ?? setup.fileSystemId),
    transit: top === null ? null : isNfs ? transitOf(top.source) : setup.transit,
    writable: write === null ? null : write.exitCode === 0,
  };
  if (expected === undefined) return { status, failures: [] };
  const failures: HealthFailure[] = [];
  const wanted = expected.fileSystemId;
  if (!status.checked) {
    failures.push({ code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `cannot tell whether ${wanted} is mounted at ${path}: findmnt (util-linux) is not on PATH` });
  } else if (top === null) {
    failures.push({ code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `the workspace ${wanted} is not mounted at ${path} (see the workspace stage in /var/log/gpu-deploy/setup.log)` });
  } else if (status.fileSystemId !== wanted || !isNfs) {
    const what = `${top.fstype} from ${top.source}${status.fileSystemId ? ` (${status.fileSystemId})` : ''}`;
    failures.push({ code: 'WORKSPACE_NOT_MOUNTED', check: 'workspace', message: `${path} holds ${what}, not the workspace ${wanted}` });
  } else if (status.writable === false && write !== null) {
    failures.push({ code: 'WORKSPACE_NOT_WRITABLE', check: 'workspace', message: `a test write to ${path} did not read back: ${firstWords(write) || `exit ${write.exitCode}`}` });
  }
  return { status, failures };
};
