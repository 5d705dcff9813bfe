/**
 * Point 14 of issue 14: a framework request never silently becomes a plain OS. One resolution test per AMI type,
 * with the SDK mocked: no DLAMI for the OS and architecture, a region that has the type elsewhere.
 */
import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { AmiQuery } from '../../../lib/ami/query.js';
import { effectiveFallback, getLatestDlami, type ResolvedImage } from '../../../lib/ami/resolve.js';
import { AL2_END_OF_SUPPORT, amiWarnings } from '../../../lib/ami/warnings.js';
import { TtlCache } from '../../../lib/cache.js';
import { AmiNotFoundError } from '../../../lib/errors.js';
import type { AmiType } from '../../../lib/types.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) };
const NOW = new Date('2026-01-15T00:00:00Z');
const UBUNTU_2404_ARM_PARAM = '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id';
const newCache = (): TtlCache<string, ResolvedImage> => new TtlCache({ ttlMs: 60_000 });

const image = (id: string, name: string, architecture: 'x86_64' | 'arm64' = 'x86_64'): Image => ({
  ImageId: id,
  Name: name,
  CreationDate: '2025-10-20T10:00:00.000Z',
  Architecture: architecture,
  State: 'available',
  RootDeviceName: '/dev/sda1',
});

// The region has each framework type for ubuntu-22.04 x86_64 only (and a base DLAMI for AL2023 arm64).
const REGION_DLAMIS = [
  image('ami-pt', 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 22.04) 20251020'),
  image('ami-tf', 'Deep Learning OSS Nvidia Driver AMI GPU TensorFlow 2.19 (Ubuntu 22.04) 20251020'),
  image('ami-mf', 'Deep Learning OSS Nvidia Driver AMI (Ubuntu 22.04) Version 80.2'),
  image('ami-al', 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20251020', 'arm64'),
];

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'Parameter not found', $metadata: {} }));
  ssmMock.on(GetParameterCommand, { Name: UBUNTU_2404_ARM_PARAM }).resolves({ Parameter: { Value: 'ami-ubuntu' } });
  // Family searches find nothing for ubuntu-24.04 arm64; the region listing (`Deep Learning*`) finds REGION_DLAMIS.
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
  ec2Mock.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: ['Deep Learning*'] }, { Name: 'state', Values: ['available'] }] }).resolves({ Images: REGION_DLAMIS });
  ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-ubuntu'] }).resolves({ Images: [image('ami-ubuntu', 'ubuntu/images/hvm-ssd-gp3/ubuntu-noble-24.04-arm64-server-20251015', 'arm64')] });
});

const query = (amiType: AmiType, fallback?: 'standard' | 'none'): AmiQuery => ({
  region: 'us-east-1',
  osType: 'ubuntu-24.04',
  architecture: 'arm64',
  amiType,
  ...(fallback ? { fallback } : {}),
});

const standardLookups = (): number => ssmMock.commandCalls(GetParameterCommand).filter((c) => c.args[0].input.Name === UBUNTU_2404_ARM_PARAM).length;

describe.each([
  ['pytorch', 'PyTorch', 'ubuntu-22.04/x86_64/pytorch'],
  ['tensorflow', 'TensorFlow', 'ubuntu-22.04/x86_64/tensorflow'],
  ['multi-framework', 'PyTorch and TensorFlow (multi-framework)', 'ubuntu-22.04/x86_64/multi-framework'],
] as const)('%s with no DLAMI for ubuntu-24.04 arm64', (amiType, framework, has) => {
  test('fails by default with AmiNotFoundError listing the combinations that have it; the plain image is not even looked up', async () => {
    const failure = getLatestDlami(clients, query(amiType), { cache: newCache(), now: NOW });
    await expect(failure).rejects.toBeInstanceOf(AmiNotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: `No ${amiType} Deep Learning AMI for ubuntu-24.04 arm64 in us-east-1, and the plain Ubuntu 24.04 image has no ${framework}, so it is not used unless asked for; combinations with a ${amiType} DLAMI in us-east-1: ${has}`,
      hint: `Set osType/architecture to one that has it (e.g. --os-type ubuntu-22.04 --architecture x86_64), or pass --ami-fallback standard (request field amiFallback: "standard") to take the plain Ubuntu 24.04 image with the NVIDIA driver and CUDA toolkit but without ${framework}`,
      details: { amiType, fallback: 'none', available: [{ osType: 'ubuntu-22.04', architecture: 'x86_64', amiType, driver: 'oss' }] },
    });
    expect(standardLookups()).toBe(0);
  });

  test('amiFallback standard takes the plain image (needsDriver) and the warning says the framework is missing', async () => {
    const ami = await getLatestDlami(clients, query(amiType, 'standard'), { cache: newCache(), now: NOW });
    expect(ami).toMatchObject({ imageId: 'ami-ubuntu', source: 'standard-fallback', needsDriver: true });
    expect(amiWarnings(query(amiType), ami, NOW)).toEqual([
      `No ${amiType} Deep Learning AMI exists for ubuntu-24.04 arm64 in us-east-1: amiFallback standard took the plain Ubuntu 24.04 image, on which UserData installs the NVIDIA driver and CUDA toolkit but no ${framework}: the framework is NOT installed`,
    ]);
  });

  test('where the DLAMI exists it is used whatever the fallback, with no warning', async () => {
    const x86 = { ...query(amiType), osType: 'ubuntu-22.04' as const, architecture: 'x86_64' as const };
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: REGION_DLAMIS });
    const ami = await getLatestDlami(clients, x86, { cache: newCache(), now: NOW });
    expect(ami.needsDriver).toBe(false);
    expect(ami.imageId).toBe({ pytorch: 'ami-pt', tensorflow: 'ami-tf', 'multi-framework': 'ami-mf' }[amiType]);
    expect(amiWarnings(x86, ami, NOW)).toEqual([]);
  });
});

describe('base', () => {
  test('falls back to the plain image by default (driver plus toolkit is what base means), with no warning', async () => {
    const ami = await getLatestDlami(clients, query('base'), { cache: newCache(), now: NOW });
    expect(ami).toMatchObject({ imageId: 'ami-ubuntu', source: 'standard-fallback', needsDriver: true });
    expect(amiWarnings(query('base'), ami, NOW)).toEqual([]);
  });

  test('amiFallback none refuses it, naming the field', async () => {
    const failure = getLatestDlami(clients, query('base', 'none'), { cache: newCache(), now: NOW });
    await expect(failure).rejects.toMatchObject({
      name: 'AmiNotFoundError',
      message: expect.stringMatching(/^No Deep Learning AMI for ubuntu-24\.04 arm64 \(base\) in us-east-1, and amiFallback is none; combinations with a DLAMI in us-east-1: /),
      hint: expect.stringContaining('leave amiFallback unset to take the plain OS image with the driver'),
    });
    expect(standardLookups()).toBe(0);
  });
});

test('effectiveFallback: standard for base, none for framework types, unless set', () => {
  expect(['base', 'pytorch', 'tensorflow', 'multi-framework'].map((t) => effectiveFallback(t as AmiType))).toEqual(['standard', 'none', 'none', 'none']);
  expect(effectiveFallback('pytorch', 'standard')).toBe('standard');
  expect(effectiveFallback('base', 'none')).toBe('none');
});

test('the cache keeps a fallback answer apart from a refusal', async () => {
  const cache = newCache();
  const fallback = await getLatestDlami(clients, query('pytorch', 'standard'), { cache, now: NOW });
  expect(fallback.source).toBe('standard-fallback');
  await expect(getLatestDlami(clients, query('pytorch'), { cache, now: NOW })).rejects.toBeInstanceOf(AmiNotFoundError);
  expect((await getLatestDlami(clients, query('pytorch', 'standard'), { cache, now: NOW })).source).toBe('cache');
});

describe('Amazon Linux 2 end of support', () => {
  const al2 = { region: 'us-east-1', osType: 'amazon-linux-2', architecture: 'x86_64', amiType: 'base' } as const;

  test('past the date: reached, no more security updates', () => {
    expect(amiWarnings(al2, { needsDriver: false }, new Date('2026-07-01T00:00:00Z'))).toEqual([
      `Amazon Linux 2 reached its end of support on ${AL2_END_OF_SUPPORT} and gets no more security updates: prefer --os-type amazon-linux-2023 or ubuntu-24.04`,
    ]);
  });

  test('before the date: reaches', () => {
    expect(amiWarnings(al2, { needsDriver: false }, new Date('2026-06-29T23:59:59Z'))).toEqual([
      `Amazon Linux 2 reaches its end of support on ${AL2_END_OF_SUPPORT}: prefer --os-type amazon-linux-2023 or ubuntu-24.04`,
    ]);
  });

  test('with a framework fallback both warnings come, end of support first', () => {
    expect(amiWarnings({ ...al2, amiType: 'tensorflow' }, { needsDriver: true }, NOW)).toEqual([
      expect.stringContaining('Amazon Linux 2 reaches its end of support'),
      expect.stringContaining('but no TensorFlow: the framework is NOT installed'),
    ]);
  });
});
