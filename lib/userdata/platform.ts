/**
 * Where each supported OS gets its NVIDIA bits from. One documented approach per OS:
 * - Ubuntu 22.04/24.04 and Amazon Linux 2023: NVIDIA's CUDA network repository (`nvidia-open` plus
 *   `cuda-toolkit-12-6`), folder `x86_64` or `sbsa` (NVIDIA's name for arm64 servers). `nvidia-open` is the
 *   open-kernel-module flavour: NVIDIA's default since R560 and the only one Blackwell and Grace support; GPUs
 *   older than Turing, which need the proprietary modules, get the proprietary DLAMI instead (lib/catalog/driver.ts).
 * - Amazon Linux 2: NVIDIA's data-center driver runfile with its open kernel modules and the CUDA 12.4 toolkit
 *   runfile (the RHEL 7 repository that AL2 could use has no arm64 folder and stops at CUDA 12.4), as AWS
 *   documents for public drivers.
 */
import type { Architecture, OsType } from '../types.js';

export type PackageManager = 'apt-get' | 'dnf' | 'yum';

/** @example packageManagerFor('amazon-linux-2023'); // 'dnf' */
export const packageManagerFor = (osType: OsType): PackageManager => {
  switch (osType) {
    case 'ubuntu-22.04':
    case 'ubuntu-24.04':
      return 'apt-get';
    case 'amazon-linux-2023':
      return 'dnf';
    case 'amazon-linux-2':
      return 'yum';
  }
};

/** NVIDIA's CUDA repository folder for an architecture: arm64 servers are `sbsa`, not `aarch64`. */
export const cudaRepoArch = (architecture: Architecture): 'x86_64' | 'sbsa' =>
  architecture === 'arm64' ? 'sbsa' : 'x86_64';

const CUDA_REPO_DISTRO: Record<OsType, string | undefined> = {
  'ubuntu-22.04': 'ubuntu2204',
  'ubuntu-24.04': 'ubuntu2404',
  'amazon-linux-2023': 'amzn2023',
  'amazon-linux-2': undefined,
};

/**
 * The CUDA network repository folder, or undefined for Amazon Linux 2 (runfiles instead).
 *
 * @example
 * cudaRepoUrl('ubuntu-24.04', 'arm64'); // 'https://developer.download.nvidia.com/compute/cuda/repos/ubuntu2404/sbsa'
 */
export const cudaRepoUrl = (osType: OsType, architecture: Architecture): string | undefined => {
  const distro = CUDA_REPO_DISTRO[osType];
  return distro === undefined
    ? undefined
    : `https://developer.download.nvidia.com/compute/cuda/repos/${distro}/${cudaRepoArch(architecture)}`;
};

/** CUDA toolkit package from the network repositories (12.6 is published for ubuntu2204/2404 and amzn2023). */
export const CUDA_TOOLKIT_PACKAGE = 'cuda-toolkit-12-6';

/** The driver package on Ubuntu's CUDA repository: the open kernel modules (not `cuda-drivers`, the proprietary ones). */
export const UBUNTU_DRIVER_PACKAGE = 'nvidia-open';

/**
 * Amazon Linux 2: NVIDIA R580 data-center driver (a long-term branch), published for x86_64 and aarch64. R550
 * predates Blackwell; 570 or later knows every GPU EC2 offers.
 */
export const AL2_DRIVER_VERSION = '580.95.05';

/** Flags of the AL2 driver runfile: unattended, DKMS-registered (rebuilt on kernel updates), open modules. */
export const AL2_RUNFILE_FLAGS = ['--silent', '--dkms', '--disable-nouveau', '-m=kernel-open'] as const;

/** @example al2DriverRunfileUrl('arm64'); // '.../tesla/580.95.05/NVIDIA-Linux-aarch64-580.95.05.run' */
export const al2DriverRunfileUrl = (architecture: Architecture): string => {
  const arch = architecture === 'arm64' ? 'aarch64' : 'x86_64';
  return `https://us.download.nvidia.com/tesla/${AL2_DRIVER_VERSION}/NVIDIA-Linux-${arch}-${AL2_DRIVER_VERSION}.run`;
};

/** @example al2CudaRunfileUrl('x86_64'); // '.../12.4.1/local_installers/cuda_12.4.1_550.54.15_linux.run' */
export const al2CudaRunfileUrl = (architecture: Architecture): string =>
  'https://developer.download.nvidia.com/compute/cuda/12.4.1/local_installers/' +
  `cuda_12.4.1_550.54.15_linux${architecture === 'arm64' ? '_sbsa' : ''}.run`;

export const NVIDIA_CTK_GPGKEY_URL = 'https://nvidia.github.io/libnvidia-container/gpgkey';
export const NVIDIA_CTK_LIST_URL =
  'https://nvidia.github.io/libnvidia-container/stable/deb/nvidia-container-toolkit.list';
export const NVIDIA_CTK_REPO_URL =
  'https://nvidia.github.io/libnvidia-container/stable/rpm/nvidia-container-toolkit.repo';
