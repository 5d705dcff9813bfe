import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DLAMI_OWNER_ID } from '../../lib/ami/families.js';
import { availableDlamis, getLatestAmi, getLatestDlami, type ResolvedImage } from '../../lib/ami/resolve.js';
import { ec2Client } from '../../lib/aws/ec2.js';
import { ssmClient } from '../../lib/aws/ssm.js';
import { TtlCache } from '../../lib/cache.js';
import { AmiNotFoundError, DriverUnsupportedError } from '../../lib/errors.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { AMI_TYPES, ARCHITECTURES, OS_TYPES, type AmiSource, type AmiType, type Architecture, type OsType } from '../../lib/types.js';

// All 32 OS x architecture x type combinations against the emulator (moto over HTTP, public SSM parameters from
// the local stand-in), through the real SDK clients. The expectations are written out here, by hand, from what
// the local account publishes: they are not derived from the seed code. A framework type without its DLAMI is
// `AmiNotFoundError` by default; its last column is the plain image that `amiFallback: "standard"` takes instead.

type Outcome = AmiSource | 'AmiNotFoundError';
type Row = readonly [OsType, Architecture, AmiType, Outcome, string];

const UBUNTU_2204_AMD64 = 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20251015';
const UBUNTU_2204_ARM64 = 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-arm64-server-20251015';
const UBUNTU_2404_AMD64 = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-amd64-server-20251015';
const UBUNTU_2404_ARM64 = 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20251015';
const AL2023_X86 = 'al2023-ami-2023.9.20251020.0-kernel-6.1-x86_64';
const AL2023_ARM = 'al2023-ami-2023.9.20251020.0-kernel-6.1-arm64';
const AL2_ARM = 'amzn2-ami-kernel-5.10-hvm-2.0.20251014.0-arm64-gp2';

const EXPECTED: readonly Row[] = [
  ['ubuntu-22.04', 'x86_64', 'base', 'ssm-parameter', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020'],
  ['ubuntu-22.04', 'x86_64', 'pytorch', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20251118'],
  ['ubuntu-22.04', 'x86_64', 'tensorflow', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU TensorFlow 2.19 (Ubuntu 22.04) 20251020'],
  ['ubuntu-22.04', 'x86_64', 'multi-framework', 'AmiNotFoundError', UBUNTU_2204_AMD64],
  ['ubuntu-22.04', 'arm64', 'base', 'ssm-parameter', 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020'],
  ['ubuntu-22.04', 'arm64', 'pytorch', 'describe-images', 'Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch 2.8 (Ubuntu 22.04) 20251020'],
  ['ubuntu-22.04', 'arm64', 'tensorflow', 'AmiNotFoundError', UBUNTU_2204_ARM64],
  ['ubuntu-22.04', 'arm64', 'multi-framework', 'AmiNotFoundError', UBUNTU_2204_ARM64],
  ['ubuntu-24.04', 'x86_64', 'base', 'ssm-parameter', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20251020'],
  ['ubuntu-24.04', 'x86_64', 'pytorch', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 24.04) 20251020'],
  ['ubuntu-24.04', 'x86_64', 'tensorflow', 'AmiNotFoundError', UBUNTU_2404_AMD64],
  ['ubuntu-24.04', 'x86_64', 'multi-framework', 'AmiNotFoundError', UBUNTU_2404_AMD64],
  ['ubuntu-24.04', 'arm64', 'base', 'ssm-parameter', 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20251020'],
  ['ubuntu-24.04', 'arm64', 'pytorch', 'describe-images', 'Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch 2.8 (Ubuntu 24.04) 20251020'],
  ['ubuntu-24.04', 'arm64', 'tensorflow', 'AmiNotFoundError', UBUNTU_2404_ARM64],
  ['ubuntu-24.04', 'arm64', 'multi-framework', 'AmiNotFoundError', UBUNTU_2404_ARM64],
  ['amazon-linux-2023', 'x86_64', 'base', 'ssm-parameter', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20251020'],
  ['amazon-linux-2023', 'x86_64', 'pytorch', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Amazon Linux 2023) 20251118'],
  ['amazon-linux-2023', 'x86_64', 'tensorflow', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU TensorFlow 2.19 (Amazon Linux 2023) 20251020'],
  ['amazon-linux-2023', 'x86_64', 'multi-framework', 'AmiNotFoundError', AL2023_X86],
  ['amazon-linux-2023', 'arm64', 'base', 'ssm-parameter', 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20251020'],
  ['amazon-linux-2023', 'arm64', 'pytorch', 'describe-images', 'Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch 2.8 (Amazon Linux 2023) 20251020'],
  ['amazon-linux-2023', 'arm64', 'tensorflow', 'AmiNotFoundError', AL2023_ARM],
  ['amazon-linux-2023', 'arm64', 'multi-framework', 'AmiNotFoundError', AL2023_ARM],
  ['amazon-linux-2', 'x86_64', 'base', 'ssm-parameter', 'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2) 20251020'],
  ['amazon-linux-2', 'x86_64', 'pytorch', 'describe-images', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Amazon Linux 2) 20251020'],
  ['amazon-linux-2', 'x86_64', 'tensorflow', 'AmiNotFoundError', 'amzn2-ami-kernel-5.10-hvm-2.0.20251014.0-x86_64-gp2'],
  ['amazon-linux-2', 'x86_64', 'multi-framework', 'ssm-parameter', 'Deep Learning OSS Nvidia Driver AMI (Amazon Linux 2) Version 80.2'],
  ['amazon-linux-2', 'arm64', 'base', 'standard-fallback', AL2_ARM],
  ['amazon-linux-2', 'arm64', 'pytorch', 'AmiNotFoundError', AL2_ARM],
  ['amazon-linux-2', 'arm64', 'tensorflow', 'AmiNotFoundError', AL2_ARM],
  ['amazon-linux-2', 'arm64', 'multi-framework', 'AmiNotFoundError', AL2_ARM],
];

/** The API calls each outcome makes on a cold cache (a refusal lists the region's DLAMIs for its message). */
const CALLS_BY_SOURCE: Record<Exclude<Outcome, 'cache'>, (hasParameter: boolean) => string[]> = {
  AmiNotFoundError: (hasParameter) => [...(hasParameter ? ['ssm.GetParameter'] : []), 'ec2.DescribeImages', 'ec2.DescribeImages'],
  'ssm-parameter': () => ['ssm.GetParameter', 'ec2.DescribeImages'],
  'describe-images': (hasParameter) => [...(hasParameter ? ['ssm.GetParameter'] : []), 'ec2.DescribeImages'],
  'standard-fallback': (hasParameter) => [...(hasParameter ? ['ssm.GetParameter'] : []), 'ec2.DescribeImages', 'ssm.GetParameter', 'ec2.DescribeImages'],
};

const MARKETPLACE_OWNER = '679593333241';

let cloud: LocalCloud;
let moto: EC2Client;
const resolvedRows: { row: Row; ami: ResolvedImage; calls: string[]; ownerId: string }[] = [];

const clients = () => ({ ec2: ec2Client(cloud.region), ssm: ssmClient(cloud.region) });
const freshCache = () => new TtlCache<string, ResolvedImage>({ ttlMs: 60_000 });

async function describeByName(names: string[], owners?: string[]): Promise<Image[]> {
  const out = await moto.send(new DescribeImagesCommand({ ...(owners ? { Owners: owners } : {}), Filters: [{ Name: 'name', Values: names }] }));
  return out.Images ?? [];
}

async function ownerOf(imageId: string): Promise<string> {
  const out = await moto.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
  return out.Images?.[0]?.OwnerId ?? '';
}

function table(): string {
  const header = '| # | OS | arch | type | source | image name |';
  const rule = '|---|---|---|---|---|---|';
  const sorted = [...resolvedRows].sort((a, b) => EXPECTED.indexOf(a.row) - EXPECTED.indexOf(b.row));
  const lines = sorted.map(({ row: [os, arch, type, outcome], ami }, i) => `| ${i + 1} | ${os} | ${arch} | ${type} | ${outcome === 'AmiNotFoundError' ? 'AmiNotFoundError (amiFallback standard: standard-fallback)' : ami.source} | ${ami.name} |`);
  return [header, rule, ...lines].join('\n');
}

beforeAll(async () => {
  cloud = await startLocalCloud({ region: 'us-east-1' });
  moto = new EC2Client({ region: cloud.region, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
});

afterAll(async () => {
  if (resolvedRows.length > 0) {
    const text = `What each of the 32 OS x architecture x type combinations resolved to (local emulator, ${cloud.region}):\n\n${table()}\n`;
    writeFileSync(join(tmpdir(), 'gpu-deploy-ami-combinations.md'), text);
    console.log(text);
  }
  await cloud?.stop();
});

describe('the expectation table', () => {
  test('covers each of the 32 combinations exactly once', () => {
    const keys = EXPECTED.map(([o, a, t]) => `${o}/${a}/${t}`);
    const all = OS_TYPES.flatMap((o) => ARCHITECTURES.flatMap((a) => AMI_TYPES.map((t) => `${o}/${a}/${t}`)));
    expect(new Set(keys).size).toBe(32);
    expect([...keys].sort()).toEqual([...all].sort());
  });
});

describe('getLatestDlami: all 32 combinations against the emulator', () => {
  const RESOLVING = EXPECTED.filter(([, , , outcome]) => outcome !== 'AmiNotFoundError');
  const REFUSED = EXPECTED.filter(([, , , outcome]) => outcome === 'AmiNotFoundError');

  test.each(RESOLVING)('%s %s %s → %s: %s', async (osType, architecture, amiType, source, name) => {
    // Prepare
    const before = cloud.standIn.calls.length;
    // Act
    const ami = await getLatestDlami(clients(), { region: cloud.region, osType, architecture, amiType }, { cache: freshCache() });
    // Assess
    const calls = cloud.standIn.calls.slice(before);
    const ownerId = await ownerOf(ami.imageId);
    resolvedRows.push({ row: [osType, architecture, amiType, source, name], ami, calls, ownerId });
    expect({ name: ami.name, source: ami.source }).toEqual({ name, source });
    expect(ami.architecture).toBe(architecture);
    expect(ami.imageId).toMatch(/^ami-[0-9a-f]{17}$/);
    expect(ami.needsDriver).toBe(source === 'standard-fallback');
    expect(ami.rootDeviceName).toBe(osType.startsWith('ubuntu') ? '/dev/sda1' : '/dev/xvda');
    if (source !== 'standard-fallback') expect(ownerId).toBe(DLAMI_OWNER_ID);
    expect(ownerId).not.toBe(MARKETPLACE_OWNER);
    const hasParameter = amiType === 'base' || amiType === 'multi-framework';
    expect(calls).toEqual(CALLS_BY_SOURCE[source as Exclude<Outcome, 'cache'>](hasParameter));
  });

  test.each(REFUSED)('%s %s %s → %s (amiFallback standard: %s)', async (osType, architecture, amiType, outcome, name) => {
    // Prepare
    const query = { region: cloud.region, osType, architecture, amiType };
    const withType = EXPECTED.filter(([, , t, o]) => t === amiType && o !== 'AmiNotFoundError' && o !== 'standard-fallback').map(([o, a, t]) => `${o}/${a}/${t}`);
    const before = cloud.standIn.calls.length;
    // Act
    const refused = getLatestDlami(clients(), query, { cache: freshCache() });
    // Assess: the error lists exactly the combinations of this region that have the type.
    await expect(refused).rejects.toBeInstanceOf(AmiNotFoundError);
    await expect(refused).rejects.toMatchObject({
      message: expect.stringContaining(`combinations with a ${amiType} DLAMI in ${cloud.region}: ${[...withType].sort().join(', ')}`),
      hint: expect.stringContaining('--ami-fallback standard'),
    });
    expect(cloud.standIn.calls.slice(before)).toEqual(CALLS_BY_SOURCE[outcome as 'AmiNotFoundError'](amiType === 'multi-framework'));
    // Act: the same request opting in to the plain image.
    const ami = await getLatestDlami(clients(), { ...query, fallback: 'standard' }, { cache: freshCache() });
    resolvedRows.push({ row: [osType, architecture, amiType, outcome, name], ami, calls: [], ownerId: await ownerOf(ami.imageId) });
    expect(ami).toMatchObject({ name, source: 'standard-fallback', needsDriver: true, architecture });
  });
});

describe('traps in the seeded images', () => {
  test('PyTorch 2.10 is newer by CreationDate than 2.9 although its name sorts lower; the newer one wins', async () => {
    // Prepare: the trap really is in the emulator.
    const images = await describeByName(['Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.* (Ubuntu 22.04) 2025*'], [DLAMI_OWNER_ID]);
    const v29 = images.find((i) => i.Name?.includes('PyTorch 2.9 '));
    const v210 = images.find((i) => i.Name?.includes('PyTorch 2.10 '));
    expect(Date.parse(v210?.CreationDate ?? '')).toBeGreaterThan(Date.parse(v29?.CreationDate ?? ''));
    const byNameDescending = images.map((i) => i.Name ?? '').sort().reverse();
    expect(byNameDescending[0]).toContain('PyTorch 2.9 ');
    // Act
    const ami = await getLatestDlami(clients(), { region: cloud.region, osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'pytorch' }, { cache: freshCache() });
    // Assess
    expect(ami.imageId).toBe(v210?.ImageId);
  });

  test('the same-date tie is broken by the documented rule (greater name in numeric order), not by listing order', async () => {
    // Prepare: EC2 (moto) lists 2.9 first, so "first of the newest" or "greatest name by plain sort" would pick it.
    const images = await describeByName(['Deep Learning OSS Nvidia Driver AMI GPU PyTorch * (Amazon Linux 2023) 20251118'], [DLAMI_OWNER_ID]);
    expect(images).toHaveLength(2);
    expect(images[0]?.CreationDate).toBe(images[1]?.CreationDate);
    expect(images[0]?.Name).toContain('PyTorch 2.9 ');
    expect(images.map((i) => i.Name ?? '').sort().reverse()[0]).toContain('PyTorch 2.9 ');
    // Act
    const answers = await Promise.all(
      [1, 2, 3].map(() => getLatestDlami(clients(), { region: cloud.region, osType: 'amazon-linux-2023', architecture: 'x86_64', amiType: 'pytorch' }, { cache: freshCache() })),
    );
    // Assess
    expect(new Set(answers.map((a) => a.name))).toEqual(new Set(['Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Amazon Linux 2023) 20251118']));
  });

  test('Marketplace copies are visible under the `amazon` alias but never chosen: only the publisher account counts', async () => {
    // Prepare: moto shows every seeded image under the alias, so `Owners: ['amazon']` would see the decoys.
    const underAlias = await describeByName(['Deep Learning*20261231'], ['amazon']);
    expect(underAlias.length).toBeGreaterThanOrEqual(5);
    expect(new Set(underAlias.map((i) => i.OwnerId))).toEqual(new Set([MARKETPLACE_OWNER]));
    expect(await describeByName(['Deep Learning*20261231'], [DLAMI_OWNER_ID])).toEqual([]);
    const query = { region: cloud.region, architecture: 'x86_64' } as const;
    // Act
    const pytorch = await getLatestDlami(clients(), { ...query, osType: 'ubuntu-22.04', amiType: 'pytorch' }, { cache: freshCache() });
    const proprietary = await getLatestDlami(clients(), { ...query, osType: 'ubuntu-22.04', amiType: 'base', driver: 'proprietary' }, { cache: freshCache() });
    const noTensorFlow = await getLatestDlami(clients(), { ...query, osType: 'ubuntu-24.04', amiType: 'tensorflow', fallback: 'standard' }, { cache: freshCache() });
    const noArmAl2 = await getLatestDlami(clients(), { ...query, architecture: 'arm64', osType: 'amazon-linux-2', amiType: 'base' }, { cache: freshCache() });
    // Assess
    for (const ami of [pytorch, proprietary, noTensorFlow, noArmAl2]) expect(ami.name).not.toContain('20261231');
    expect(pytorch.name).toBe('Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20251118');
    expect(proprietary).toMatchObject({ name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020', source: 'describe-images' });
    expect(noTensorFlow.source).toBe('standard-fallback');
    expect(noArmAl2.source).toBe('standard-fallback');
  });
});

describe('the proprietary-driver family and the region listing', () => {
  test('no proprietary-driver DLAMI for the OS → DriverUnsupportedError naming the OS that has one (the Marketplace copy does not count)', async () => {
    // Act
    const failure = getLatestDlami(
      clients(),
      { region: cloud.region, osType: 'amazon-linux-2023', architecture: 'x86_64', amiType: 'base', driver: 'proprietary' },
      { cache: freshCache() },
    );
    // Assess
    await expect(failure).rejects.toBeInstanceOf(DriverUnsupportedError);
    await expect(failure).rejects.toMatchObject({ hint: expect.stringContaining('ubuntu-22.04/x86_64'), details: { proprietaryAvailable: ['ubuntu-22.04/x86_64'] } });
  });

  test('availableDlamis: one DescribeImages call, classified by the family patterns; decoys excluded', async () => {
    // Prepare
    const before = cloud.standIn.calls.length;
    // Act
    const available = await availableDlamis(clients().ec2);
    // Assess
    expect(cloud.standIn.calls.slice(before)).toEqual(['ec2.DescribeImages']);
    const dlamiRows = EXPECTED.filter(([, , , source]) => source !== 'standard-fallback' && source !== 'AmiNotFoundError').map(([o, a, t]) => `${o}/${a}/${t}/oss`);
    expect(available.map((c) => `${c.osType}/${c.architecture}/${c.amiType}/${c.driver}`).sort()).toEqual(
      [...dlamiRows, 'ubuntu-22.04/x86_64/base/proprietary'].sort(),
    );
  });
});

describe('cache and the backward-compatible call', () => {
  test('a second lookup with the same cache answers from it with zero API calls', async () => {
    // Prepare
    const cache = freshCache();
    const query = { region: cloud.region, osType: 'ubuntu-24.04', architecture: 'x86_64', amiType: 'pytorch' } as const;
    const first = await getLatestDlami(clients(), query, { cache });
    const before = cloud.standIn.calls.length;
    // Act
    const second = await getLatestDlami(clients(), query, { cache });
    // Assess
    expect(first.source).toBe('describe-images');
    expect(second).toEqual({ ...first, source: 'cache' });
    expect(cloud.standIn.calls.slice(before)).toEqual([]);
  });

  test('getLatestAmi(): Ubuntu 22.04, x86_64, base through the SSM parameter, then from its own cache', async () => {
    // Prepare
    const before = cloud.standIn.calls.length;
    // Act
    const ami = await getLatestAmi(clients(), cloud.region);
    const again = await getLatestAmi(clients(), cloud.region);
    // Assess
    expect(ami).toMatchObject({ name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20251020', architecture: 'x86_64', source: 'ssm-parameter', needsDriver: false });
    expect(cloud.standIn.calls.slice(before)).toEqual(['ssm.GetParameter', 'ec2.DescribeImages']);
    expect(again).toEqual({ ...ami, source: 'cache' });
  });
});
