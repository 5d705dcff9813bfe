/** Stage `nvidia-driver`: prove the driver on a DLAMI, or install driver + CUDA toolkit on a plain OS image. */
import type { OsType } from '../../types.js';
import type { UserDataAmiSource } from '../options.js';
import { AL2_RUNFILE_FLAGS, UBUNTU_DRIVER_PACKAGE } from '../platform.js';

// NVIDIA CUDA network repo: the keyring package adds the signed source list; nvidia-open pulls the driver with its
// open kernel modules (DKMS, so the running kernel's headers come first). The keyring is installed by apt-get from
// the file, so it waits on the dpkg lock like every other install.
const UBUNTU_INSTALL = `install_nvidia_driver() {
  retry curl -fsSL -o "$DOWNLOAD_DIR/cuda-keyring.deb" "$CUDA_REPO_URL/cuda-keyring_1.1-1_all.deb"
  retry pkg_install "$DOWNLOAD_DIR/cuda-keyring.deb"
  retry refresh_and_install "linux-headers-$(uname -r)"
  retry refresh_and_install ${UBUNTU_DRIVER_PACKAGE} "$CUDA_TOOLKIT_PACKAGE"
}
`;

// NVIDIA's driver guide for Amazon Linux 2023: the open-dkms module stream, then nvidia-open. The 6.1 kernel is the
// package "kernel", the 6.12 and 6.18 ones "kernel6.12" and "kernel6.18": the devel package is named after the
// running kernel's own package (rpm -qf), else after its version.
const AL2023_INSTALL = `kernel_package() {
  local name
  name=$(rpm -q --qf '%{NAME}\\n' -f "/boot/vmlinuz-$(uname -r)" 2>/dev/null | head -n 1) || name=
  if [[ ! $name =~ ^kernel[0-9.]*$ ]]; then
    case "$(uname -r)" in
      6.1.*) name=kernel ;;
      *) name="kernel$(uname -r | cut -d. -f1,2)" ;;
    esac
  fi
  printf '%s' "$name"
}

install_nvidia_driver() {
  local kernel
  kernel=$(kernel_package)
  log "running kernel $(uname -r) comes from package $kernel"
  mkdir -p "$ROOT/etc/yum.repos.d"
  retry pkg_install "$kernel-devel-$(uname -r)" "$kernel-modules-extra-$(uname -r)"
  retry curl -fsSL -o "$ROOT/etc/yum.repos.d/cuda-amzn2023.repo" "$CUDA_REPO_URL/cuda-amzn2023.repo"
  dnf clean expire-cache
  retry dnf -y module enable nvidia-driver:open-dkms
  retry pkg_install nvidia-open "$CUDA_TOOLKIT_PACKAGE"
}
`;

// Runfiles: AL2's 5.10 kernel is built with gcc10, the 4.14 kernel with the default gcc. nouveau is unloaded and
// blacklisted first (it would hold the GPU); --dkms needs dkms, which AL2 has in EPEL only. The runfile installs
// nvidia-persistenced but no unit for it: the unit is NVIDIA's sample one.
const AL2_INSTALL = `install_persistenced_unit() {
  mkdir -p "$ROOT/etc/systemd/system"
  cat >"$ROOT/etc/systemd/system/nvidia-persistenced.service" <<'UNIT'
[Unit]
Description=NVIDIA Persistence Daemon
Wants=syslog.target

[Service]
Type=forking
PIDFile=/var/run/nvidia-persistenced/nvidia-persistenced.pid
Restart=always
ExecStart=/usr/bin/nvidia-persistenced --verbose
ExecStopPost=/bin/rm -rf /var/run/nvidia-persistenced

[Install]
WantedBy=multi-user.target
UNIT
  systemctl daemon-reload
}

install_nvidia_driver() {
  local cc=gcc
  retry pkg_install gcc make "kernel-devel-$(uname -r)"
  case "$(uname -r)" in
    4.*) ;;
    *)
      retry pkg_install gcc10
      cc=gcc10-cc
      ;;
  esac
  if ! pkg_install dkms; then
    retry amazon-linux-extras install -y epel
    retry pkg_install dkms
  fi
  mkdir -p "$ROOT/etc/modprobe.d"
  printf 'blacklist nouveau\\noptions nouveau modeset=0\\n' >"$ROOT/etc/modprobe.d/blacklist-nouveau.conf"
  modprobe -r nouveau >/dev/null 2>&1 || true
  retry curl -fsSL -o "$DOWNLOAD_DIR/nvidia-driver.run" "$NVIDIA_DRIVER_RUNFILE_URL"
  CC=$cc sh "$DOWNLOAD_DIR/nvidia-driver.run" ${AL2_RUNFILE_FLAGS.join(' ')}
  install_persistenced_unit
  retry curl -fsSL -o "$DOWNLOAD_DIR/cuda.run" "$CUDA_RUNFILE_URL"
  sh "$DOWNLOAD_DIR/cuda.run" --silent --toolkit
  rm -f "$DOWNLOAD_DIR/nvidia-driver.run" "$DOWNLOAD_DIR/cuda.run"
}
`;

const INSTALLERS: Record<OsType, string> = {
  'ubuntu-22.04': UBUNTU_INSTALL,
  'ubuntu-24.04': UBUNTU_INSTALL,
  'amazon-linux-2023': AL2023_INSTALL,
  'amazon-linux-2': AL2_INSTALL,
};

// A DLAMI ships the driver; only load it if nvidia-smi cannot talk to it yet.
const DLAMI_DRIVER = `  if ! nvidia-smi >/dev/null 2>&1; then
    log "nvidia-smi failed; loading the nvidia kernel module"
    modprobe nvidia
  fi`;

// nouveau (if loaded) holds the GPU; unload it so the fresh nvidia module can bind without a reboot.
const STANDARD_DRIVER = `  install_nvidia_driver
  modprobe -r nouveau >/dev/null 2>&1 || true
  modprobe nvidia`;

const COMMON_TAIL = `  local gpus
  gpus=$(nvidia-smi -L) || die "nvidia-smi cannot reach the GPU after loading the driver"
  log "GPUs: $gpus"
  mkdir -p "$ROOT/etc/profile.d"
  cat >"$ROOT/etc/profile.d/gpu-deploy-cuda.sh" <<'PROFILE'
export PATH="/usr/local/cuda/bin:$PATH"
export LD_LIBRARY_PATH="/usr/local/cuda/lib64\${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
PROFILE
  # Persistence mode keeps the driver initialised between jobs (faster, steadier first CUDA call).
  if systemctl cat nvidia-persistenced.service >/dev/null 2>&1; then
    systemctl enable --now nvidia-persistenced
  else
    nvidia-smi -pm 1
  fi
  STAGE_MESSAGE="$(printf '%s' "$gpus" | head -n 1)"`;

/**
 * @example
 * renderNvidiaDriverStage('ubuntu-22.04', 'dlami').includes('modprobe nvidia'); // true
 */
export const renderNvidiaDriverStage = (osType: OsType, amiSource: UserDataAmiSource): string => {
  const install = amiSource === 'standard' ? INSTALLERS[osType] : '';
  return `${install}
stage_nvidia_driver() {
${amiSource === 'standard' ? STANDARD_DRIVER : DLAMI_DRIVER}
${COMMON_TAIL}
}
`;
};
