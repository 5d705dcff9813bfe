/**
 * Stage `workspace`: the workspace's EFS file system mounted at /workspace, where it outlives the instance.
 * - Encryption in transit through amazon-efs-utils' mount helper (`-o tls`) where it can be had: Amazon Linux 2023
 *   and 2 from their own repositories, Ubuntu through AWS's installer (which adds AWS's package repository). When
 *   it cannot be installed, plain NFS 4.1 with the options AWS recommends (the mount target is in the VPC; the
 *   traffic is then unencrypted on the wire).
 * - The mount is retried for a bound: a new mount target takes a minute or two, and its DNS name about 90 s more.
 * - An fstab line with `_netdev,nofail`: a reboot mounts it again without hanging the boot when EFS is unreachable.
 * - The default user finds it at ~/workspace; Ollama keeps its models in /workspace/ollama (stage ollama).
 */
import type { OsType } from '../../types.js';
import { packageManagerFor } from '../platform.js';

/** AWS's installer of amazon-efs-utils for distributions outside Amazon Linux. */
export const EFS_UTILS_INSTALLER_URL = 'https://amazon-efs-utils.aws.com/efs-utils-installer.sh';
/** AWS's recommended NFS options for EFS, for the plain (no mount helper) mount. */
export const EFS_NFS_OPTIONS = 'nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport';
/** Mount tries and the pause between them: 100 x 15 s, the workflow's mount target bound plus DNS with room. */
export const WORKSPACE_MOUNT_TRIES = 100;
export const WORKSPACE_MOUNT_PAUSE_SECONDS = 15;

const DEFAULT_USER: Record<OsType, string> = {
  'ubuntu-22.04': 'ubuntu',
  'ubuntu-24.04': 'ubuntu',
  'amazon-linux-2023': 'ec2-user',
  'amazon-linux-2': 'ec2-user',
};

// Installs of the mount helper and the NFS client, tried 3 times: a failure falls back, it does not fail the stage.
const installs = (osType: OsType): { efsUtils: string; nfsClient: string } => {
  const manager = packageManagerFor(osType);
  if (manager === 'apt-get') {
    return {
      efsUtils: `wait_for_apt_locks
  curl -fsSL -o "$DOWNLOAD_DIR/efs-utils-installer.sh" '${EFS_UTILS_INSTALLER_URL}' && sh "$DOWNLOAD_DIR/efs-utils-installer.sh" --install`,
      nfsClient: 'refresh_and_install nfs-common',
    };
  }
  return { efsUtils: 'pkg_install amazon-efs-utils', nfsClient: 'pkg_install nfs-utils' };
};

/**
 * @example
 * renderWorkspaceStage('ubuntu-22.04').includes('efs-utils-installer.sh'); // true
 */
export const renderWorkspaceStage = (osType: OsType): string => {
  const { efsUtils, nfsClient } = installs(osType);
  return `install_efs_utils() {
  ${efsUtils}
}

install_nfs_client() {
  ${nfsClient}
}

# tries N CMD...: up to N attempts, 10 s apart; returns the last status instead of failing the stage.
tries() {
  local n=$1 i
  shift
  for ((i = 1; i <= n; i++)); do
    if "$@"; then return 0; fi
    [[ $i -lt $n ]] && sleep 10
  done
  return 1
}

stage_workspace() {
  local dir="$ROOT/workspace" dns="$WORKSPACE_FILE_SYSTEM_ID.efs.$WORKSPACE_REGION.amazonaws.com" transit=plain i user=${DEFAULT_USER[osType]}
  local -a mount_cmd
  if [[ -z $WORKSPACE_FILE_SYSTEM_ID ]]; then
    STAGE_MESSAGE="skipped: no workspace"
    return 0
  fi
  mkdir -p "$dir"
  if command -v mount.efs >/dev/null 2>&1 || tries 3 install_efs_utils; then
    transit=tls
    mount_cmd=(mount -t efs -o tls "$WORKSPACE_FILE_SYSTEM_ID:/" "$dir")
    printf '%s:/ /workspace efs _netdev,nofail,tls 0 0\\n' "$WORKSPACE_FILE_SYSTEM_ID" >"$STATE_DIR/fstab.line"
  else
    log "amazon-efs-utils could not be installed: mounting with plain NFS 4.1 (not encrypted in transit)"
    command -v mount.nfs4 >/dev/null 2>&1 || tries 3 install_nfs_client || die "neither amazon-efs-utils nor an NFS client could be installed"
    mount_cmd=(mount -t nfs4 -o '${EFS_NFS_OPTIONS}' "$dns:/" "$dir")
    printf '%s:/ /workspace nfs4 ${EFS_NFS_OPTIONS},_netdev,nofail 0 0\\n' "$dns" >"$STATE_DIR/fstab.line"
  fi
  grep -qs ' /workspace ' "$ROOT/etc/fstab" || cat "$STATE_DIR/fstab.line" >>"$ROOT/etc/fstab"
  for ((i = 1; i <= ${WORKSPACE_MOUNT_TRIES}; i++)); do
    if findmnt --mountpoint "$dir" >/dev/null 2>&1 || "\${mount_cmd[@]}"; then break; fi
    log "mount $i of ${WORKSPACE_MOUNT_TRIES} failed (the mount target or its DNS name may not be ready yet); retrying in ${WORKSPACE_MOUNT_PAUSE_SECONDS}s"
    sleep ${WORKSPACE_MOUNT_PAUSE_SECONDS}
  done
  findmnt --mountpoint "$dir" >/dev/null 2>&1 ||
    die "workspace $WORKSPACE_FILE_SYSTEM_ID did not mount at /workspace within $((${WORKSPACE_MOUNT_TRIES} * ${WORKSPACE_MOUNT_PAUSE_SECONDS})) s ($transit): is the mount target of this zone available, and TCP 2049 open from the client group?"
  mkdir -p "$dir/ollama"
  if id -u "$user" >/dev/null 2>&1; then
    chown "$user:$user" "$dir"
    mkdir -p "$ROOT/home/$user"
    ln -sfn /workspace "$ROOT/home/$user/workspace"
    chown -h "$user:$user" "$ROOT/home/$user/workspace"
  fi
  printf '{"fileSystemId":"%s","transit":"%s","path":"/workspace"}\\n' "$WORKSPACE_FILE_SYSTEM_ID" "$transit" >"$STATE_DIR/workspace.json"
  STAGE_MESSAGE="workspace $WORKSPACE_FILE_SYSTEM_ID mounted at /workspace ($transit)"
}
`;
};
