import { AMI_TYPES, ARCHITECTURES, OS_TYPES, type AmiType, type Architecture, type OsType } from '../types.js';

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

/** One DLAMI family: what `classifyDlamiName` says a name belongs to. */
export interface DlamiCombination {
  osType: OsType;
  architecture: Architecture;
  amiType: AmiType;
  driver: DriverFamily;
}

/**
 * DescribeImages `name` filter that catches every DLAMI family (and, by design, look-alikes such as Neuron,
 * Qualcomm or "Single CUDA" images, which `classifyDlamiName` then rejects).
 */
export const DLAMI_NAME_FILTER = 'Deep Learning*';

let knownFamilies: { combination: DlamiCombination; nameRegex: RegExp }[] | undefined;

function allFamilies(): { combination: DlamiCombination; nameRegex: RegExp }[] {
  knownFamilies ??= OS_TYPES.flatMap((osType) =>
    ARCHITECTURES.flatMap((architecture) => [
      ...AMI_TYPES.map((amiType) => ({
        combination: { osType, architecture, amiType, driver: 'oss' as const },
        nameRegex: dlamiFamily(osType, architecture, amiType).nameRegex,
      })),
      // The proprietary-driver DLAMIs are base images only: one family per OS and architecture.
      {
        combination: { osType, architecture, amiType: 'base' as const, driver: 'proprietary' as const },
        nameRegex: dlamiFamily(osType, architecture, 'base', 'proprietary').nameRegex,
      },
    ]),
  );
  return knownFamilies;
}

/**
 * Which DLAMI family an image name belongs to, by the same regexes the resolver uses; undefined for anything
 * else (Neuron, Qualcomm, "Single CUDA", copies with a prefix or suffix, ...).
 *
 * @example
 * classifyDlamiName('Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101');
 * // { osType: 'ubuntu-22.04', architecture: 'arm64', amiType: 'base', driver: 'oss' }
 * classifyDlamiName('Deep Learning AMI Neuron (Ubuntu 22.04) 20251020'); // undefined
 */
export function classifyDlamiName(name: string): DlamiCombination | undefined {
  const family = allFamilies().find(({ nameRegex }) => nameRegex.test(name));
  return family ? { ...family.combination } : undefined;
}

/** `ubuntu-22.04/x86_64/pytorch`, with `(proprietary driver)` for the proprietary-driver family. */
export function describeCombination(c: DlamiCombination): string {
  return `${c.osType}/${c.architecture}/${c.amiType}${c.driver === 'proprietary' ? ' (proprietary driver)' : ''}`;
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
