import { classifyDlamiName, describeCombination, DLAMI_NAME_FILTER, DLAMI_OWNER_ID, dlamiFamily, OS_LABELS, standardAmiParameter } from '../../../lib/ami/families.js';
import { AMI_TYPES, ARCHITECTURES, OS_TYPES, type AmiType, type Architecture, type OsType } from '../../../lib/types.js';

/** Turns a DescribeImages wildcard filter into a RegExp (`*` any run, `?` one character). */
const wildcard = (filter: string): RegExp =>
  new RegExp(`^${filter.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);

const matchesFilters = (filters: string[], name: string): boolean => filters.some((f) => wildcard(f).test(name));

/** Real-shaped DLAMI names for one family. */
function realNames(osType: OsType, architecture: Architecture, amiType: AmiType): string[] {
  const os = OS_LABELS[osType];
  const arm = architecture === 'arm64' ? 'ARM64 ' : '';
  switch (amiType) {
    case 'base':
      return [`Deep Learning ${arm}Base OSS Nvidia Driver GPU AMI (${os}) 20250101`];
    case 'pytorch':
      return [
        `Deep Learning ${arm}OSS Nvidia Driver AMI GPU PyTorch 2.7 (${os}) 20250101`,
        `Deep Learning ${arm}AMI OSS Nvidia Driver GPU PyTorch 2.6 (${os}) 20250101`,
        `Deep Learning ${arm}OSS Nvidia Driver AMI GPU PyTorch 2.10.1 (${os}) 20260101`,
      ];
    case 'tensorflow':
      return [
        `Deep Learning ${arm}OSS Nvidia Driver AMI GPU TensorFlow 2.18 (${os}) 20250101`,
        `Deep Learning ${arm}AMI OSS Nvidia Driver GPU TensorFlow 2.16 (${os}) 20250101`,
      ];
    case 'multi-framework':
      return [`Deep Learning ${arm}OSS Nvidia Driver AMI (${os}) Version 78.2`, `Deep Learning ${arm}OSS Nvidia Driver AMI (${os}) Version 80`];
  }
}

const COMBOS = OS_TYPES.flatMap((osType) =>
  ARCHITECTURES.flatMap((architecture) => AMI_TYPES.map((amiType) => [osType, architecture, amiType] as const)),
);

describe('dlamiFamily: every OS x architecture x type (OSS driver)', () => {
  test.each(COMBOS)('%s %s %s: filters and regex accept the real names', (osType, architecture, amiType) => {
    // Prepare
    const family = dlamiFamily(osType, architecture, amiType);
    // Act + Assess
    for (const name of realNames(osType, architecture, amiType)) {
      expect(family.nameRegex.test(name)).toBe(true);
      expect(matchesFilters(family.nameFilters, name)).toBe(true);
    }
  });

  test.each(COMBOS)('%s %s %s: regex rejects every other family of the same OS/arch/type grid', (osType, architecture, amiType) => {
    // Prepare
    const family = dlamiFamily(osType, architecture, amiType);
    const others = COMBOS.filter(([o, a, t]) => o !== osType || a !== architecture || t !== amiType).flatMap(([o, a, t]) => realNames(o, a, t));
    // Act
    const accepted = others.filter((name) => family.nameRegex.test(name));
    // Assess
    expect(accepted).toEqual([]);
  });

  test.each(COMBOS)('%s %s %s: SSM parameter only for base and multi-framework', (osType, architecture, amiType) => {
    // Act
    const { ssmParameter } = dlamiFamily(osType, architecture, amiType);
    // Assess
    if (amiType === 'base') {
      expect(ssmParameter).toBe(`/aws/service/deeplearning/ami/${architecture}/base-oss-nvidia-driver-gpu-${osType}/latest/ami-id`);
    } else if (amiType === 'multi-framework') {
      expect(ssmParameter).toBe(`/aws/service/deeplearning/ami/${architecture}/multi-framework-oss-nvidia-driver-${osType}/latest/ami-id`);
    } else {
      expect(ssmParameter).toBeUndefined();
    }
  });

  test('the default driver is the OSS one', () => {
    expect(dlamiFamily('ubuntu-22.04', 'x86_64', 'base')).toEqual(dlamiFamily('ubuntu-22.04', 'x86_64', 'base', 'oss'));
  });

  test.each([
    ['an x86 name for an ARM64 family', 'ubuntu-22.04', 'arm64', 'base', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101'],
    ['an ARM64 name for an x86 family', 'ubuntu-22.04', 'x86_64', 'pytorch', 'Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch 2.6 (Ubuntu 22.04) 20250101'],
    ['a proprietary-driver name', 'ubuntu-22.04', 'x86_64', 'base', 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101'],
    ['a Neuron (Inferentia) name', 'ubuntu-22.04', 'x86_64', 'base', 'Deep Learning Base Neuron AMI (Ubuntu 22.04) 20250101'],
    ['a Qualcomm name', 'amazon-linux-2', 'x86_64', 'base', 'Deep Learning Base Qualcomm AMI (Amazon Linux 2) 20250101'],
    ['a suffix after the date', 'ubuntu-22.04', 'x86_64', 'base', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101-copy'],
    ['a prefix before the name', 'ubuntu-22.04', 'x86_64', 'base', 'Copy of Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101'],
    ['a short date', 'ubuntu-22.04', 'x86_64', 'base', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 2025'],
    ['Amazon Linux 2023 for Amazon Linux 2', 'amazon-linux-2', 'x86_64', 'base', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20250101'],
    ['Ubuntu 22_04 (the dot is literal)', 'ubuntu-22.04', 'x86_64', 'base', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22x04) 20250101'],
    ['TensorFlow for PyTorch', 'ubuntu-22.04', 'x86_64', 'pytorch', 'Deep Learning OSS Nvidia Driver AMI GPU TensorFlow 2.18 (Ubuntu 22.04) 20250101'],
    ['a framework without version', 'ubuntu-22.04', 'x86_64', 'pytorch', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch (Ubuntu 22.04) 20250101'],
    ['a Neuron PyTorch name', 'ubuntu-22.04', 'x86_64', 'pytorch', 'Deep Learning AMI Neuron PyTorch 2.5 (Ubuntu 22.04) 20250101'],
    ['the multi-framework name without version', 'ubuntu-22.04', 'x86_64', 'multi-framework', 'Deep Learning OSS Nvidia Driver AMI (Ubuntu 22.04) Version'],
  ] as const)('rejects %s', (_what, osType, architecture, amiType, name) => {
    expect(dlamiFamily(osType, architecture, amiType).nameRegex.test(name)).toBe(false);
  });
});

describe('dlamiFamily: proprietary driver (V100 and older)', () => {
  test.each(OS_TYPES.flatMap((o) => ARCHITECTURES.map((a) => [o, a] as const)))('%s %s', (osType, architecture) => {
    // Prepare
    const arm = architecture === 'arm64' ? 'ARM64 ' : '';
    const name = `Deep Learning ${arm}Base Proprietary Nvidia Driver GPU AMI (${OS_LABELS[osType]}) 20250101`;
    // Act
    const family = dlamiFamily(osType, architecture, 'pytorch', 'proprietary');
    // Assess
    expect(family.ssmParameter).toBeUndefined();
    expect(family.nameFilters).toEqual([`Deep Learning ${arm}Base Proprietary Nvidia Driver GPU AMI (${OS_LABELS[osType]}) *`]);
    expect(family.nameRegex.test(name)).toBe(true);
    expect(matchesFilters(family.nameFilters, name)).toBe(true);
    expect(family.nameRegex.test(name.replace('Proprietary', 'OSS'))).toBe(false);
  });
});

describe('standardAmiParameter', () => {
  test.each<[OsType, Architecture, string]>([
    ['ubuntu-22.04', 'x86_64', '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id'],
    ['ubuntu-22.04', 'arm64', '/aws/service/canonical/ubuntu/server/22.04/stable/current/arm64/hvm/ebs-gp2/ami-id'],
    ['ubuntu-24.04', 'x86_64', '/aws/service/canonical/ubuntu/server/24.04/stable/current/amd64/hvm/ebs-gp3/ami-id'],
    ['ubuntu-24.04', 'arm64', '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id'],
    ['amazon-linux-2023', 'x86_64', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-x86_64'],
    ['amazon-linux-2023', 'arm64', '/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-arm64'],
    ['amazon-linux-2', 'x86_64', '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-x86_64-gp2'],
    ['amazon-linux-2', 'arm64', '/aws/service/ami-amazon-linux-latest/amzn2-ami-hvm-arm64-gp2'],
  ])('%s %s → %s', (osType, architecture, parameter) => {
    expect(standardAmiParameter(osType, architecture)).toBe(parameter);
  });
});

test('DLAMIs are published by the documented account', () => {
  expect(DLAMI_OWNER_ID).toBe('898082745236');
});

describe('classifyDlamiName', () => {
  test.each(COMBOS)('%s %s %s: every real name of the family classifies back to it (OSS driver)', (osType, architecture, amiType) => {
    for (const name of realNames(osType, architecture, amiType)) {
      expect(classifyDlamiName(name)).toEqual({ osType, architecture, amiType, driver: 'oss' });
    }
  });

  test.each(OS_TYPES.flatMap((o) => ARCHITECTURES.map((a) => [o, a] as const)))('%s %s: the proprietary-driver family is a base one', (osType, architecture) => {
    // Prepare
    const arm = architecture === 'arm64' ? 'ARM64 ' : '';
    // Act
    const combination = classifyDlamiName(`Deep Learning ${arm}Base Proprietary Nvidia Driver GPU AMI (${OS_LABELS[osType]}) 20250101`);
    // Assess
    expect(combination).toEqual({ osType, architecture, amiType: 'base', driver: 'proprietary' });
  });

  test.each([
    'Deep Learning AMI Neuron (Ubuntu 22.04) 20251020',
    'Deep Learning Base Neuron AMI (Ubuntu 22.04) 20251020',
    'Deep Learning AMI Neuron PyTorch 2.5 (Ubuntu 22.04) 20251020',
    'Deep Learning Base AMI with Single CUDA (Amazon Linux 2023) 20251020',
    'Deep Learning Base Qualcomm AMI (Amazon Linux 2) 20251020',
    'Deep Learning AMI GPU PyTorch 2.0.1 (Amazon Linux 2) 20230926',
    'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 20.04) 20251020',
    'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020-copy',
    'Copy of Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020',
    'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251015',
    '',
  ])('rejects %j', (name) => {
    expect(classifyDlamiName(name)).toBeUndefined();
  });

  test('the listing filter catches every family name (and the look-alikes, which classification then drops)', () => {
    const filter = wildcard(DLAMI_NAME_FILTER);
    for (const [o, a, t] of COMBOS) for (const name of realNames(o, a, t)) expect(filter.test(name)).toBe(true);
  });

  test('returns a copy: callers cannot corrupt the table', () => {
    // Prepare
    const first = classifyDlamiName('Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101');
    if (first) first.osType = 'amazon-linux-2';
    // Act + Assess
    expect(classifyDlamiName('Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101')?.osType).toBe('ubuntu-22.04');
  });
});

test('describeCombination', () => {
  expect(describeCombination({ osType: 'ubuntu-24.04', architecture: 'arm64', amiType: 'pytorch', driver: 'oss' })).toBe('ubuntu-24.04/arm64/pytorch');
  expect(describeCombination({ osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base', driver: 'proprietary' })).toBe('ubuntu-22.04/x86_64/base (proprietary driver)');
});
