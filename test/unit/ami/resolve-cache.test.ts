/** availableDlamis, deprecation, the cache, root snapshots and the backward-compatible getLatestAmi. */
import { DescribeImagesCommand, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { DLAMI_OWNER_ID } from '../../../lib/ami/families.js';
import { availableDlamis, getLatestAmi, getLatestDlami, type ResolvedImage } from '../../../lib/ami/resolve.js';
import { TtlCache } from '../../../lib/cache.js';
import { ec2Mock, ssmMock, clients, NOW, BASE_PARAM, BASE_QUERY, PYTORCH_QUERY, image, newCache, resetMocks } from './resolve-fixtures.js';

beforeEach(resetMocks);

describe('availableDlamis', () => {
  test('follows pages, keeps each combination once, sorted; skips images without an id', async () => {
    // Prepare
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({ Images: [image({ ImageId: 'ami-1' }), image({ ImageId: undefined, Name: 'Deep Learning OSS Nvidia Driver AMI (Amazon Linux 2) Version 80.1' })], NextToken: 'p2' })
      .resolvesOnce({ Images: [image({ ImageId: 'ami-2' }), image({ ImageId: 'ami-3', Name: undefined })] });
    // Act
    const available = await availableDlamis(clients.ec2, NOW);
    // Assess
    expect(available).toEqual([{ osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base', driver: 'oss' }]);
    expect(ec2Mock.commandCalls(DescribeImagesCommand).map((c) => c.args[0].input)).toEqual([
      { Owners: [DLAMI_OWNER_ID], Filters: [{ Name: 'name', Values: ['Deep Learning*'] }, { Name: 'state', Values: ['available'] }], NextToken: undefined },
      { Owners: [DLAMI_OWNER_ID], Filters: [{ Name: 'name', Values: ['Deep Learning*'] }, { Name: 'state', Values: ['available'] }], NextToken: 'p2' },
    ]);
  });

  test('defaults to the current time for deprecation', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ DeprecationTime: '2000-01-01T00:00:00.000Z' }), image({ ImageId: 'ami-arm', Architecture: undefined, Name: 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Ubuntu 24.04) 20250101' })] });
    // Act + Assess
    expect(await availableDlamis(clients.ec2)).toEqual([{ osType: 'ubuntu-24.04', architecture: 'arm64', amiType: 'base', driver: 'oss' }]);
  });
});

describe('getLatestDlami: deprecation through the resolver', () => {
  test('a deprecated newest image is skipped; the newest non-deprecated one is chosen', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image({ ImageId: 'ami-deprecated', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 22.04) 20250501', CreationDate: '2025-05-01T00:00:00.000Z', DeprecationTime: '2025-05-15T00:00:00.000Z' }),
        image({ ImageId: 'ami-ok', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 22.04) 20250301', CreationDate: '2025-03-01T00:00:00.000Z' }),
      ],
    });
    // Act
    const ami = await getLatestDlami(clients, PYTORCH_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami.imageId).toBe('ami-ok');
  });

  test('only deprecated images → the standard fallback', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-ubuntu' } });
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [image({ ImageId: 'ami-deprecated', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 22.04) 20250501', DeprecationTime: '2025-05-15T00:00:00.000Z' })],
    });
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-ubuntu'] }).resolves({ Images: [image({ ImageId: 'ami-ubuntu', Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250101' })] });
    // Act
    const ami = await getLatestDlami(clients, { ...PYTORCH_QUERY, fallback: 'standard' }, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-ubuntu', source: 'standard-fallback', needsDriver: true });
  });
});

describe('getLatestDlami: cache', () => {
  test('a cache hit makes zero calls and reports source cache', async () => {
    // Prepare
    const cache = newCache();
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0abc' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ ImageId: 'ami-0abc' })] });
    const first = await getLatestDlami(clients, BASE_QUERY, { cache, now: NOW });
    ssmMock.resetHistory();
    ec2Mock.resetHistory();
    // Act
    const second = await getLatestDlami(clients, BASE_QUERY, { cache, now: NOW });
    // Assess
    expect(first.source).toBe('ssm-parameter');
    expect(second).toEqual({ ...first, source: 'cache' });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });

  test('the cache is keyed by region, OS, architecture, type and driver', async () => {
    // Prepare
    const cache = newCache();
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image({ ImageId: 'ami-pt', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 22.04) 20250101' }),
        image({ ImageId: 'ami-prop', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101' }),
      ],
    });
    // Act
    const oss = await getLatestDlami(clients, PYTORCH_QUERY, { cache, now: NOW });
    const proprietary = await getLatestDlami(clients, { ...PYTORCH_QUERY, driver: 'proprietary' }, { cache, now: NOW });
    const otherRegion = await getLatestDlami(clients, { ...PYTORCH_QUERY, region: 'eu-west-1' }, { cache, now: NOW });
    // Assess
    expect([oss.imageId, oss.source]).toEqual(['ami-pt', 'describe-images']);
    expect([proprietary.imageId, proprietary.source]).toEqual(['ami-prop', 'describe-images']);
    expect(otherRegion.source).toBe('describe-images');
    expect(cache.size).toBe(3);
  });

  test('an expired entry is looked up again', async () => {
    // Prepare
    let clock = 0;
    const cache = new TtlCache<string, ResolvedImage>({ ttlMs: 1000, clock: () => clock });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 22.04) 20250101' })] });
    await getLatestDlami(clients, PYTORCH_QUERY, { cache, now: NOW });
    clock = 1000;
    // Act
    const again = await getLatestDlami(clients, PYTORCH_QUERY, { cache, now: NOW });
    // Assess
    expect(again.source).toBe('describe-images');
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(2);
  });
});

describe('rootSnapshotGiB', () => {
  test.each<[string, Partial<Image>, number | undefined]>([
    ['the root device mapping', { RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 500 } }, { DeviceName: '/dev/xvda', Ebs: { VolumeSize: 65 } }] }, 65],
    ['the first mapping when none is the root', { RootDeviceName: '/dev/xvda', BlockDeviceMappings: [{ DeviceName: '/dev/sdb', Ebs: { VolumeSize: 120 } }] }, 120],
    ['no EBS size', { BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: {} }] }, undefined],
    ['no mappings', { BlockDeviceMappings: undefined }, undefined],
  ])('from %s', async (_what, overrides, expected) => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0abc' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ ImageId: 'ami-0abc', ...overrides })] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami.rootSnapshotGiB).toBe(expected);
    if (expected === undefined) expect(ami).not.toHaveProperty('rootSnapshotGiB');
  });
});

test('an image described by id without name or date resolves with empty strings, not undefined', async () => {
  // Prepare
  ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-bare' } });
  ec2Mock.on(DescribeImagesCommand).resolves({ Images: [{ ImageId: 'ami-bare' }] });
  // Act
  const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
  // Assess
  expect(ami).toEqual({ imageId: 'ami-bare', name: '', creationDate: '', architecture: 'x86_64', source: 'ssm-parameter', needsDriver: false });
});

describe('getLatestAmi', () => {
  test('resolves the default DLAMI: Ubuntu 22.04, x86_64, base, through the SSM parameter', async () => {
    // Prepare: a region not used by any other test, so the module's shared cache starts empty for this key.
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-default' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ ImageId: 'ami-default' })] });
    // Act
    const ami = await getLatestAmi(clients, 'sa-east-1');
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-default', architecture: 'x86_64', source: 'ssm-parameter' });
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input.Name).toBe(BASE_PARAM);
    // Act again: the shared default cache answers.
    expect((await getLatestAmi(clients, 'sa-east-1')).source).toBe('cache');
  });
});
