/** Stage `packages`: package-manager helpers for the target OS and the tools later stages need. */
import type { OsType } from '../../types.js';
import { packageManagerFor } from '../platform.js';

// Ubuntu DLAMIs run unattended-upgrades at boot and hold the apt/dpkg locks for minutes: wait for them
// (bounded), and let apt itself wait on the dpkg lock too.
const APT_HELPERS = `export DEBIAN_FRONTEND=noninteractive NEEDRESTART_MODE=a

wait_for_apt_locks() {
  local i
  command -v fuser >/dev/null 2>&1 || return 0
  for ((i = 0; i < 120; i++)); do
    if ! fuser /var/lib/dpkg/lock-frontend /var/lib/dpkg/lock /var/lib/apt/lists/lock >/dev/null 2>&1; then
      return 0
    fi
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
  apt-get -o DPkg::Lock::Timeout=600 -q -y install "$@"
}
`;

const rpmHelpers = (manager: 'dnf' | 'yum'): string => `pkg_refresh() {
  ${manager} -y -q makecache
}

pkg_install() {
  ${manager} -y -q install "$@"
}
`;

// AL2023 ships curl-minimal, which conflicts with the curl package: install only what is missing.
const prerequisites = (osType: OsType): string =>
  packageManagerFor(osType) === 'apt-get'
    ? `  command -v curl >/dev/null 2>&1 || missing+=(curl)
  command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
  missing+=(ca-certificates)`
    : `  command -v curl >/dev/null 2>&1 || missing+=(curl)`;

/**
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
  retry pkg_refresh
${prerequisites(osType)}
  if [[ \${#missing[@]} -gt 0 ]]; then retry pkg_install "\${missing[@]}"; fi
  STAGE_MESSAGE="${manager} ready"
}
`;
};
