import { createHash } from 'node:crypto';
import { dlamiFamily, DLAMI_OWNER_ID, OS_LABELS, standardAmiParameter } from '../ami/families.js';
import { AMI_TYPES, ARCHITECTURES, OS_TYPES, type AmiType, type Architecture, type OsType } from '../types.js';

/**
 * What a real account sees of the public images, for the local emulator: DLAMI records with real names and
 * several generations, the plain OS images, and the public SSM parameters that point at the newest of them.
 * moto loads the records through MOTO_AMIS_PATH; the local SSM stand-in serves the parameters.
 */
export interface SeedImage {
  ami_id: string;
  name: string;
  description: string;
  owner_id: string;
  state: 'available';
  public: true;
  architecture: Architecture;
  creation_date: string;
  root_device_type: 'ebs';
  root_device_name: string;
  virtualization_type: 'hvm';
  hypervisor: 'xen';
  image_type: 'machine';
  image_location: string;
}

/** Three publisher generations of every seeded family (dates and versions as AWS released them, roughly). */
const GENERATIONS = [
  { date: '20250610', iso: '2025-06-10T08:00:00.000Z', pytorch: '2.6', tensorflow: '2.18', mf: '80.0' },
  { date: '20250815', iso: '2025-08-15T08:00:00.000Z', pytorch: '2.7', tensorflow: '2.18', mf: '80.1' },
  { date: '20251020', iso: '2025-10-20T08:00:00.000Z', pytorch: '2.8', tensorflow: '2.19', mf: '80.2' },
];

/** An AWS Marketplace seller account (not the DLAMI publisher) that re-publishes DLAMI look-alikes. */
export const MARKETPLACE_OWNER_ID = '679593333241';

const hashId = (key: string): string => `ami-${createHash('sha1').update(key).digest('hex').slice(0, 17)}`;
/** Stable ids; a Marketplace copy under the very same name as a publisher image would still get its own id. */
const amiId = (name: string, arch: string, ownerId: string): string =>
  hashId(ownerId === MARKETPLACE_OWNER_ID ? `${name}|${arch}|${ownerId}` : `${name}|${arch}`);

/** Which DLAMI families the local account publishes: realistic gaps exercise the standard-AMI fallback. */
export function seededFamily(osType: OsType, architecture: Architecture, amiType: AmiType): boolean {
  if (osType === 'amazon-linux-2' && architecture === 'arm64') return false;
  if (amiType === 'base' || amiType === 'pytorch') return true;
  if (amiType === 'tensorflow') return architecture === 'x86_64' && (osType === 'ubuntu-22.04' || osType === 'amazon-linux-2023');
  return architecture === 'x86_64' && osType === 'amazon-linux-2';
}

/** The proprietary-driver DLAMI (for GPUs older than Turing) is published for Ubuntu 22.04 on x86_64 only. */
export function seededProprietaryFamily(osType: OsType, architecture: Architecture): boolean {
  return osType === 'ubuntu-22.04' && architecture === 'x86_64';
}

interface ExtraImage {
  name: string;
  architecture: Architecture;
  iso: string;
  ownerId: string;
  rootDevice: string;
}

/**
 * Traps and decoys, on top of the generations:
 * - version-number trap: Ubuntu 22.04 x86_64 PyTorch 2.10 is NEWER by CreationDate than 2.9, but "2.9" sorts above
 *   "2.10" by name, so a resolver that sorts names picks the wrong one;
 * - same-date tie: Amazon Linux 2023 x86_64 PyTorch 2.9 and 2.10 share one CreationDate (2.9 is listed first, so
 *   "first of a stable sort" would pick it); the documented rule picks 2.10 (greater name in numeric order);
 * - other-owner decoys: Marketplace copies with DLAMI names and newer dates, including for combinations the
 *   publisher has no DLAMI for (they must stay AmiNotFoundError, or standard-fallback when asked) and a
 *   proprietary-driver copy for AL2023;
 * - other families of the publisher with similar names (Neuron, Qualcomm, "Single CUDA", the pre-2024 naming).
 */
function extraImages(): ExtraImage[] {
  const x86 = 'x86_64' as const;
  const ubuntu = '/dev/sda1';
  const amazon = '/dev/xvda';
  const publisher = (name: string, iso: string, rootDevice: string, architecture: Architecture = x86): ExtraImage => ({
    name,
    architecture,
    iso,
    ownerId: DLAMI_OWNER_ID,
    rootDevice,
  });
  const marketplace = (name: string, rootDevice: string, architecture: Architecture = x86): ExtraImage => ({
    name,
    architecture,
    iso: '2026-12-31T08:00:00.000Z',
    ownerId: MARKETPLACE_OWNER_ID,
    rootDevice,
  });
  return [
    publisher('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.9 (Ubuntu 22.04) 20251105', '2025-11-05T08:00:00.000Z', ubuntu),
    publisher('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20251118', '2025-11-18T08:00:00.000Z', ubuntu),
    publisher('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.9 (Amazon Linux 2023) 20251118', '2025-11-18T08:00:00.000Z', amazon),
    publisher('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Amazon Linux 2023) 20251118', '2025-11-18T08:00:00.000Z', amazon),
    marketplace('Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20261231', ubuntu),
    marketplace('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20261231', ubuntu),
    marketplace('Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20261231', ubuntu),
    marketplace('Deep Learning Base Proprietary Nvidia Driver GPU AMI (Amazon Linux 2023) 20261231', amazon),
    marketplace('Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Amazon Linux 2) 20261231', amazon, 'arm64'),
    marketplace('Deep Learning OSS Nvidia Driver AMI GPU TensorFlow 2.19 (Ubuntu 24.04) 20261231', ubuntu),
    publisher('Deep Learning AMI Neuron (Ubuntu 22.04) 20251020', '2025-10-20T09:00:00.000Z', ubuntu),
    publisher('Deep Learning Base Neuron AMI (Ubuntu 22.04) 20251201', '2025-12-01T08:00:00.000Z', ubuntu),
    publisher('Deep Learning AMI Neuron PyTorch 2.5 (Ubuntu 22.04) 20251201', '2025-12-01T08:00:00.000Z', ubuntu),
    publisher('Deep Learning Base AMI with Single CUDA (Amazon Linux 2023) 20251020', '2025-10-20T09:00:00.000Z', amazon),
    publisher('Deep Learning Base Qualcomm AMI (Amazon Linux 2) 20251201', '2025-12-01T08:00:00.000Z', amazon),
    publisher('Deep Learning AMI GPU PyTorch 2.0.1 (Amazon Linux 2) 20230926', '2023-09-26T08:00:00.000Z', amazon),
  ];
}

function dlamiName(osType: OsType, architecture: Architecture, amiType: AmiType, gen: (typeof GENERATIONS)[number]): string {
  const os = OS_LABELS[osType];
  const arm = architecture === 'arm64' ? 'ARM64 ' : '';
  switch (amiType) {
    case 'base':
      return `Deep Learning ${arm}Base OSS Nvidia Driver GPU AMI (${os}) ${gen.date}`;
    case 'pytorch':
      return architecture === 'arm64'
        ? `Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch ${gen.pytorch} (${os}) ${gen.date}`
        : `Deep Learning OSS Nvidia Driver AMI GPU PyTorch ${gen.pytorch} (${os}) ${gen.date}`;
    case 'tensorflow':
      return `Deep Learning OSS Nvidia Driver AMI GPU TensorFlow ${gen.tensorflow} (${os}) ${gen.date}`;
    case 'multi-framework':
      return `Deep Learning OSS Nvidia Driver AMI (${os}) Version ${gen.mf}`;
  }
}

function record(name: string, architecture: Architecture, iso: string, ownerId: string, rootDevice: string): SeedImage {
  return {
    ami_id: amiId(name, architecture, ownerId),
    name,
    description: name,
    owner_id: ownerId,
    state: 'available',
    public: true,
    architecture,
    creation_date: iso,
    root_device_type: 'ebs',
    root_device_name: rootDevice,
    virtualization_type: 'hvm',
    hypervisor: 'xen',
    image_type: 'machine',
    image_location: `amazon/${name}`,
  };
}

function standardImage(osType: OsType, architecture: Architecture): SeedImage {
  const ubuntuArch = architecture === 'arm64' ? 'arm64' : 'amd64';
  switch (osType) {
    case 'ubuntu-22.04':
      return record(`ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-${ubuntuArch}-server-20251015`, architecture, '2025-10-15T10:00:00.000Z', '099720109477', '/dev/sda1');
    case 'ubuntu-24.04':
      return record(`ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-${ubuntuArch}-server-20251015`, architecture, '2025-10-15T10:00:00.000Z', '099720109477', '/dev/sda1');
    case 'amazon-linux-2023':
      return record(`al2023-ami-2023.9.20251020.0-kernel-6.1-${architecture}`, architecture, '2025-10-20T10:00:00.000Z', '137112412989', '/dev/xvda');
    case 'amazon-linux-2':
      return record(`amzn2-ami-kernel-5.10-hvm-2.0.20251014.0-${architecture}-gp2`, architecture, '2025-10-14T10:00:00.000Z', '137112412989', '/dev/xvda');
  }
}

export interface Seed {
  images: SeedImage[];
  /** Public SSM parameters (name -> AMI id) that AWS publishes and moto does not carry. */
  publicParameters: Record<string, string>;
}

export function buildSeed(): Seed {
  const images: SeedImage[] = [];
  const publicParameters: Record<string, string> = {};
  for (const osType of OS_TYPES) {
    for (const architecture of ARCHITECTURES) {
      const standard = standardImage(osType, architecture);
      images.push(standard);
      publicParameters[standardAmiParameter(osType, architecture)] = standard.ami_id;
      for (const amiType of AMI_TYPES) {
        if (!seededFamily(osType, architecture, amiType)) continue;
        const rootDevice = osType.startsWith('ubuntu') ? '/dev/sda1' : '/dev/xvda';
        const generation = GENERATIONS.map((gen) => record(dlamiName(osType, architecture, amiType, gen), architecture, gen.iso, DLAMI_OWNER_ID, rootDevice));
        images.push(...generation);
        const parameter = dlamiFamily(osType, architecture, amiType).ssmParameter;
        const newest = generation[generation.length - 1];
        if (parameter && newest) publicParameters[parameter] = newest.ami_id;
      }
      if (seededProprietaryFamily(osType, architecture)) {
        const rootDevice = osType.startsWith('ubuntu') ? '/dev/sda1' : '/dev/xvda';
        const arm = architecture === 'arm64' ? 'ARM64 ' : '';
        for (const gen of GENERATIONS) {
          const name = `Deep Learning ${arm}Base Proprietary Nvidia Driver GPU AMI (${OS_LABELS[osType]}) ${gen.date}`;
          images.push(record(name, architecture, gen.iso, DLAMI_OWNER_ID, rootDevice));
        }
      }
    }
  }
  for (const extra of extraImages()) images.push(record(extra.name, extra.architecture, extra.iso, extra.ownerId, extra.rootDevice));
  return { images, publicParameters };
}
