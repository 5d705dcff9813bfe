/** Stage `nvidia-driver`: prove the driver on a DLAMI, or install driver + CUDA toolkit on a plain OS image. */
import type { OsType } from '../../types.js';
import type { UserDataAmiSource } from '../options.js';

// NVIDIA CUDA network repo: the keyring package adds the signed source list; cuda-drivers pulls the driver
// (DKMS, so the running kernel's headers are needed).
const UBUNTU_INSTALL = `install_nvidia_driver() {
  retry curl -fsSL -o "$DOWNLOAD_DIR/cuda-keyring.deb" "$CUDA_REPO_URL/cuda-keyring_1.1-1_all.deb"
  dpkg -i "$DOWNLOAD_DIR/cuda-keyring.deb"
  retry pkg_refresh
  retry pkg_install "linux-headers-$(uname -r)"
  retry pkg_install cuda-drivers "$CUDA_TOOLKIT_PACKAGE"
}
`;

// NVIDIA's driver guide for Amazon Linux 2023: the open-dkms module stream, then nvidia-open.
const AL2023_INSTALL = `install_nvidia_driver() {
  mkdir -p "$ROOT/etc/yum.repos.d"
  retry pkg_install "kernel-devel-$(uname -r)" "kernel-modules-extra-$(uname -r)"
  retry curl -fsSL -o "$ROOT/etc/yum.repos.d/cuda-amzn2023.repo" "$CUDA_REPO_URL/cuda-amzn2023.repo"
  dnf clean expire-cache
  retry dnf -y module enable nvidia-driver:open-dkms
  retry pkg_install nvidia-open "$CUDA_TOOLKIT_PACKAGE"
}
`;

// Runfiles: AL2's 5.10 kernel is built with gcc10, the 4.14 kernel with the default gcc.
const AL2_INSTALL = `install_nvidia_driver() {
  local cc=gcc
  retry pkg_install gcc make "kernel-devel-$(uname -r)"
  case "$(uname -r)" in
    4.*) ;;
    *)
      retry pkg_install gcc10
      cc=gcc10-cc
      ;;
  esac
  retry curl -fsSL -o "$DOWNLOAD_DIR/nvidia-driver.run" "$NVIDIA_DRIVER_RUNFILE_URL"
  CC=$cc sh "$DOWNLOAD_DIR/nvidia-driver.run" --silent
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
