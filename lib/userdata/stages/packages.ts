/** Stage `packages`: package-manager helpers for the target OS and the tools later stages need. */
import type { OsType } from '../../types.js';
import { packageManagerFor } from '../platform.js';

// Ubuntu runs unattended-upgrades at first boot and holds the apt/dpkg locks for minutes: wait for them (bounded),
// and let apt itself wait on the dpkg lock too. fuser (psmisc) sees any holder; without it the locks are tried the
// way apt and dpkg take them, as fcntl (POSIX) locks: flock(1) could not see those (Linux keeps the two kinds
// apart), and python3 is on every image cloud-init runs on.
// Every install: a changed config file keeps the local copy instead of prompting; a path (/x.deb) installs that
// file under the same lock wait (dpkg -i would neither wait nor retry).
// apt-get update exits 0 when a source failed: an install is tried only once the refresh made every package known,
// and refresh and install are retried as one unit.
const APT_HELPERS = `export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a
readonly APT_LOCKS=("$ROOT/var/lib/dpkg/lock-frontend" "$ROOT/var/lib/dpkg/lock" "$ROOT/var/lib/apt/lists/lock")
readonly APT_INSTALL=(apt-get -o DPkg::Lock::Timeout=600 -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -q -y install)

apt_locks_busy() {
  if command -v fuser >/dev/null 2>&1; then
    fuser "\${APT_LOCKS[@]}" >/dev/null 2>&1
    return
  fi
  command -v python3 >/dev/null 2>&1 || return 1
  python3 -c 'import fcntl,os,sys
def held(p):
  try: fd=os.open(p,os.O_RDWR)
  except OSError: return False
  try: fcntl.lockf(fd,fcntl.LOCK_EX|fcntl.LOCK_NB); return False
  except OSError: return True
  finally: os.close(fd)
sys.exit(0 if any(map(held,sys.argv[1:])) else 1)' "\${APT_LOCKS[@]}"
}

wait_for_apt_locks() {
  local i
  for ((i = 0; i < 120; i++)); do
    apt_locks_busy || return 0
    log "apt is busy (unattended-upgrades?); waiting"
    sleep 5
  done
}

pkg_refresh() {
  wait_for_apt_locks
  apt-get -o DPkg::Lock::Timeout=600 -q update
}

pkg_install() {
  wait_for_apt_locks
  "\${APT_INSTALL[@]}" "$@"
}

pkg_known() {
  local p
  for p in "$@"; do
    [[ $p == */* ]] || apt-cache show --no-all-versions "$p" >/dev/null 2>&1 || { log "apt does not know $p"; return 1; }
  done
}

refresh_and_install() {
  pkg_refresh && pkg_known "$@" && pkg_install "$@"
}
`;

// dnf and yum refresh stale metadata on their own before an install.
const rpmHelpers = (manager: 'dnf' | 'yum'): string => `pkg_install() {
  ${manager} -y -q install "$@"
}

refresh_and_install() {
  pkg_install "$@"
}
`;

// AL2023 ships curl-minimal, which conflicts with the curl package: install only what is missing.
const prerequisites = (osType: OsType): string =>
  packageManagerFor(osType) === 'apt-get'
    ? `  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
  [[ -s $ROOT/etc/ssl/certs/ca-certificates.crt ]] || missing+=(ca-certificates)`
    : `  command -v curl >/dev/null 2>&1 || missing+=(curl)`;

/**
 * Nothing is refreshed when nothing is missing (a DLAMI has every tool): the stages that add a repository refresh
 * together with their own install.
 *
 * @example
 * renderPackagesStage('ubuntu-22.04').includes('DPkg::Lock::Timeout'); // true
 */
export const renderPackagesStage = (osType: OsType): string => {
  const manager = packageManagerFor(osType);
  return `${manager === 'apt-get' ? APT_HELPERS : rpmHelpers(manager)}
stage_packages() {
  local -a missing=()
  log "OS $OS_TYPE ($ARCHITECTURE), AMI source $AMI_SOURCE, package manager ${manager}"
  command -v ${manager} >/dev/null 2>&1 || die "${manager} not found: this image is not $OS_TYPE"
${prerequisites(osType)}
  if [[ \${#missing[@]} -gt 0 ]]; then
    retry refresh_and_install "\${missing[@]}"
  else
    log "nothing missing; no package index refresh"
  fi
  STAGE_MESSAGE="${manager} ready"
}
`;
};
