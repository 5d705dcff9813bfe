import type { AmiType, Architecture, OsType } from '../types.js';

/** Publisher of the DLAMIs (shown as owner alias `amazon`). */
export const DLAMI_OWNER_ID = '898082745236';

export const OS_LABELS: Record<OsType, string> = {
  'ubuntu-22.04': 'Ubuntu 22.04',
  'ubuntu-24.04': 'Ubuntu 24.04',
  'amazon-linux-2023': 'Amazon Linux 2023',
  'amazon-linux-2': 'Amazon Linux 2',
};

export type DriverFamily = 'oss' | 'proprietary';

export interface DlamiFamily {
  /** DLAMI public SSM parameter, where AWS publishes one for a version-less "latest" of this family. */
  ssmParameter: string | undefined;
  /** DescribeImages `name` filter values (wildcards), OR'd. */
  nameFilters: string[];
  /** Confirms a returned name really belongs to the family (filters are coarse). */
  nameRegex: RegExp;
}

const escape = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function ssmSlug(osType: OsType): string {
  return osType === 'amazon-linux-2023' ? 'amazon-linux-2023' : osType === 'amazon-linux-2' ? 'amazon-linux-2' : osType;
}

/**
 * The DLAMI family for one OS x architecture x type. Names follow the current DLAMI naming, for example
 * `Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101` and
 * `Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 22.04) 20250101`; ARM64 ones start with
 * `Deep Learning ARM64 ...`. Framework AMIs carry the framework version in the name, so only the base and
 * version-less families have a "latest" parameter; the others are found by DescribeImages and CreationDate.
 */
export function dlamiFamily(osType: OsType, architecture: Architecture, amiType: AmiType, driver: DriverFamily = 'oss'): DlamiFamily {
  const os = OS_LABELS[osType];
  const arm = architecture === 'arm64' ? 'ARM64 ' : '';
  const armRe = architecture === 'arm64' ? 'ARM64 ' : '';
  const osRe = `\\(${escape(os)}\\)`;
  if (driver === 'proprietary') {
    return {
      ssmParameter: undefined,
      nameFilters: [`Deep Learning ${arm}Base Proprietary Nvidia Driver GPU AMI (${os}) *`],
      nameRegex: new RegExp(`^Deep Learning ${armRe}Base Proprietary Nvidia Driver GPU AMI ${osRe} \\d{8}$`),
    };
  }
  switch (amiType) {
    case 'base':
      return {
        ssmParameter: `/aws/service/deeplearning/ami/${architecture}/base-oss-nvidia-driver-gpu-${ssmSlug(osType)}/latest/ami-id`,
        nameFilters: [`Deep Learning ${arm}Base OSS Nvidia Driver GPU AMI (${os}) *`],
        nameRegex: new RegExp(`^Deep Learning ${armRe}Base OSS Nvidia Driver GPU AMI ${osRe} \\d{8}$`),
      };
    case 'pytorch':
    case 'tensorflow': {
      const framework = amiType === 'pytorch' ? 'PyTorch' : 'TensorFlow';
      return {
        ssmParameter: undefined,
        nameFilters: [
          `Deep Learning ${arm}OSS Nvidia Driver AMI GPU ${framework} * (${os}) *`,
          `Deep Learning ${arm}AMI OSS Nvidia Driver GPU ${framework} * (${os}) *`,
        ],
        nameRegex: new RegExp(
          `^Deep Learning ${armRe}(OSS Nvidia Driver AMI GPU|AMI OSS Nvidia Driver GPU) ${framework} \\d+\\.\\d+(\\.\\d+)? ${osRe} \\d{8}$`,
        ),
      };
    }
    case 'multi-framework':
      return {
        ssmParameter: `/aws/service/deeplearning/ami/${architecture}/multi-framework-oss-nvidia-driver-${ssmSlug(osType)}/latest/ami-id`,
        nameFilters: [`Deep Learning ${arm}OSS Nvidia Driver AMI (${os}) Version *`],
        nameRegex: new RegExp(`^Deep Learning ${armRe}OSS Nvidia Driver AMI ${osRe} Version \\d+(\\.\\d+)*$`),
      };
  }
}

/** Public SSM parameters of the plain OS images, for the standard-AMI-plus-driver fallback. */
export function standardAmiParameter(osType: OsType, architecture: Architecture): string {
  const ubuntuArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  switch (osType) {
    case 'ubuntu-22.04':
      return `/aws/service/canonical/ubuntu/server/22.04/stable/current/${ubuntuArch}/hvm/ebs-gp2/ami-id`;
    case 'ubuntu-24.04':
      return `/aws/service/canonical/ubuntu/server/24.04/stable/current/${ubuntuArch}/hvm/ebs-gp3/ami-id`;
    case 'amazon-linux-2023':
      return `/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-${architecture}`;
    case 'amazon-linux-2':
      return `/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-${architecture}-gp2`;
  }
}
