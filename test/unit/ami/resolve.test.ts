import { DescribeImagesCommand, EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { DLAMI_OWNER_ID, dlamiFamily } from '../../../lib/ami/families.js';
import { availableDlamis, getLatestAmi, getLatestDlami, newestImage, type AmiQuery, type ResolvedImage } from '../../../lib/ami/resolve.js';
import { TtlCache } from '../../../lib/cache.js';
import { AmiNotFoundError, AwsAccessDeniedError, AwsThrottlingError, DriverUnsupportedError } from '../../../lib/errors.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) };
const NOW = new Date('2025-06-01T00:00:00Z');

const BASE_PARAM = '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';
const UBUNTU_PARAM = '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id';
const BASE_QUERY: AmiQuery = { region: 'us-east-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base' };
const PYTORCH_QUERY: AmiQuery = { ...BASE_QUERY, amiType: 'pytorch' };

const notFound = (): ParameterNotFound => new ParameterNotFound({ message: 'Parameter not found', $metadata: { httpStatusCode: 400 } });

const image = (overrides: Partial<Image>): Image => ({
  ImageId: 'ami-00000000000000001',
  Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101',
  CreationDate: '2025-01-01T10:00:00.000Z',
  Architecture: 'x86_64',
  State: 'available',
  RootDeviceName: '/dev/sda1',
  BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 75, SnapshotId: 'snap-1' } }],
  ...overrides,
});

const newCache = (): TtlCache<string, ResolvedImage> => new TtlCache({ ttlMs: 60_000 });

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
});

describe('newestImage', () => {
  test('chooses by CreationDate, not by name: PyTorch 2.10 (newer) beats 2.9 though it sorts lower', () => {
    // Prepare
    const images = [
      image({ ImageId: 'ami-29', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.9 (Ubuntu 22.04) 20250301', CreationDate: '2025-03-01T00:00:00.000Z' }),
      image({ ImageId: 'ami-210', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20250401', CreationDate: '2025-04-01T00:00:00.000Z' }),
      image({ ImageId: 'ami-28', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 22.04) 20250501', CreationDate: '2025-02-01T00:00:00.000Z' }),
    ];
    // Act
    const newest = newestImage(images, NOW);
    // Assess
    expect(newest?.ImageId).toBe('ami-210');
  });

  test('deprecated images are skipped; a deprecation in the future is not yet deprecation', () => {
    // Prepare
    const images = [
      image({ ImageId: 'ami-new-deprecated', CreationDate: '2025-05-01T00:00:00.000Z', DeprecationTime: '2025-05-30T00:00:00.000Z' }),
      image({ ImageId: 'ami-old-future', CreationDate: '2025-04-01T00:00:00.000Z', DeprecationTime: '2027-01-01T00:00:00.000Z' }),
    ];
    // Act + Assess
    expect(newestImage(images, NOW)?.ImageId).toBe('ami-old-future');
  });

  test('same-date ties are deterministic whatever the input order (name, numerically, then id)', () => {
    // Prepare
    const date = '2025-05-01T00:00:00.000Z';
    const a = image({ ImageId: 'ami-a', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.9 (Ubuntu 22.04) 20250501', CreationDate: date });
    const b = image({ ImageId: 'ami-b', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20250501', CreationDate: date });
    const c = image({ ImageId: 'ami-c', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20250501', CreationDate: date });
    // Act
    const results = [[a, b, c], [c, b, a], [b, a, c], [c, a, b]].map((order) => newestImage(order, NOW)?.ImageId);
    // Assess
    expect(new Set(results)).toEqual(new Set(['ami-c']));
  });

  test('images missing an id, a name or a date are ignored; the name regex filters', () => {
    // Prepare
    const regex = dlamiFamily('ubuntu-22.04', 'x86_64', 'base').nameRegex;
    const images = [
      image({ ImageId: undefined, CreationDate: '2025-05-05T00:00:00.000Z' }),
      image({ ImageId: 'ami-noname', Name: undefined, CreationDate: '2025-05-05T00:00:00.000Z' }),
      image({ ImageId: 'ami-nodate', CreationDate: undefined }),
      image({ ImageId: 'ami-lookalike', Name: 'Deep Learning Base Neuron AMI (Ubuntu 22.04) 20250505', CreationDate: '2025-05-05T00:00:00.000Z' }),
      image({ ImageId: 'ami-good' }),
    ];
    // Act + Assess
    expect(newestImage(images, NOW, regex)?.ImageId).toBe('ami-good');
    expect(newestImage(images, NOW)?.ImageId).toBe('ami-lookalike');
  });

  test('nothing usable → undefined', () => {
    expect(newestImage([], NOW)).toBeUndefined();
    expect(newestImage([image({ Name: 'other' })], NOW, /^x$/)).toBeUndefined();
  });
});

describe('getLatestDlami: SSM parameter path', () => {
  test('GetParameter then DescribeImages by id; source ssm-parameter; root snapshot size read', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Name: BASE_PARAM, Value: 'ami-0abc' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ ImageId: 'ami-0abc' })] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toEqual({
      imageId: 'ami-0abc',
      name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101',
      creationDate: '2025-01-01T10:00:00.000Z',
      architecture: 'x86_64',
      source: 'ssm-parameter',
      needsDriver: false,
      rootDeviceName: '/dev/sda1',
      rootSnapshotGiB: 75,
    });
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input).toEqual({ Name: BASE_PARAM });
    const describe = ec2Mock.commandCalls(DescribeImagesCommand);
    expect(describe).toHaveLength(1);
    expect(describe[0]?.args[0].input).toEqual({ ImageIds: ['ami-0abc'] });
  });

  test('a parameter whose image EC2 no longer describes falls through to the search', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-gone' } });
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-gone'] }).resolves({ Images: [] });
    ec2Mock.on(DescribeImagesCommand, { Owners: [DLAMI_OWNER_ID] }).resolves({ Images: [image({ ImageId: 'ami-found' })] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami.imageId).toBe('ami-found');
    expect(ami.source).toBe('describe-images');
  });

  test('a parameter without a value falls through to the search', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({});
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [image({ ImageId: 'ami-found' })] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami.source).toBe('describe-images');
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(1);
  });

  test('GetParameter failing for another reason is converted, not swallowed', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } }));
    // Act
    const failure = getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AwsAccessDeniedError);
    await expect(failure).rejects.toMatchObject({ details: { operation: 'GetParameter' } });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)).toHaveLength(0);
  });
});

describe('getLatestDlami: DescribeImages search', () => {
  test('ParameterNotFound → search with the DLAMI publisher account id (not the amazon alias), name, state and architecture filters', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(notFound());
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image({ ImageId: 'ami-old', CreationDate: '2025-01-01T00:00:00.000Z' }),
        image({ ImageId: 'ami-new', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250501', CreationDate: '2025-05-01T00:00:00.000Z' }),
      ],
    });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-new', source: 'describe-images', needsDriver: false });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input).toEqual({
      Owners: [DLAMI_OWNER_ID],
      Filters: [
        { Name: 'name', Values: ['Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *'] },
        { Name: 'state', Values: ['available'] },
        { Name: 'architecture', Values: ['x86_64'] },
      ],
      NextToken: undefined,
    });
  });

  test('a framework type has no parameter: straight to the search, both name styles, across pages', async () => {
    // Prepare
    ec2Mock
      .on(DescribeImagesCommand)
      .resolvesOnce({
        Images: [image({ ImageId: 'ami-29', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.9 (Ubuntu 22.04) 20250301', CreationDate: '2025-03-01T00:00:00.000Z' })],
        NextToken: 'more',
      })
      .resolvesOnce({
        Images: [image({ ImageId: 'ami-210', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.10 (Ubuntu 22.04) 20250401', CreationDate: '2025-04-01T00:00:00.000Z' })],
      });
    // Act
    const ami = await getLatestDlami(clients, PYTORCH_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami.imageId).toBe('ami-210');
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
    const calls = ec2Mock.commandCalls(DescribeImagesCommand);
    expect(calls).toHaveLength(2);
    expect(calls[0]?.args[0].input.Filters?.[0]?.Values).toEqual([
      'Deep Learning OSS Nvidia Driver AMI GPU PyTorch * (Ubuntu 22.04) *',
      'Deep Learning AMI OSS Nvidia Driver GPU PyTorch * (Ubuntu 22.04) *',
    ]);
    expect(calls[1]?.args[0].input.NextToken).toBe('more');
  });

  test('the arm64 search asks for arm64 images', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [image({ ImageId: 'ami-arm', Name: 'Deep Learning ARM64 AMI OSS Nvidia Driver GPU PyTorch 2.6 (Ubuntu 22.04) 20250101', Architecture: 'arm64' })],
    });
    // Act
    const ami = await getLatestDlami(clients, { ...PYTORCH_QUERY, architecture: 'arm64' }, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-arm', architecture: 'arm64' });
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Filters?.[2]).toEqual({ Name: 'architecture', Values: ['arm64'] });
  });

  test('a throttled search is a retryable AwsThrottlingError', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('slow'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }));
    // Act + Assess
    await expect(getLatestDlami(clients, PYTORCH_QUERY, { cache: newCache(), now: NOW })).rejects.toBeInstanceOf(AwsThrottlingError);
  });
});

describe('getLatestDlami: standard fallback and not found', () => {
  test('no DLAMI → the plain OS image from its public parameter, needsDriver true', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: BASE_PARAM }).rejects(notFound());
    ssmMock.on(GetParameterCommand, { Name: UBUNTU_PARAM }).resolves({ Parameter: { Value: 'ami-ubuntu' } });
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-ubuntu'] }).resolves({
      Images: [
        image({
          ImageId: 'ami-ubuntu',
          Name: 'ubuntu/images/hvm-ssd/ubuntu-jammy-22.04-amd64-server-20250101',
          RootDeviceName: '/dev/sda1',
          BlockDeviceMappings: [
            { DeviceName: '/dev/sdb', VirtualName: 'ephemeral0' },
            { DeviceName: '/dev/sda1', Ebs: { VolumeSize: 8 } },
          ],
        }),
      ],
    });
    ec2Mock.on(DescribeImagesCommand, { Owners: [DLAMI_OWNER_ID] }).resolves({ Images: [] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-ubuntu', source: 'standard-fallback', needsDriver: true, rootSnapshotGiB: 8 });
    expect(ssmMock.commandCalls(GetParameterCommand).map((c) => c.args[0].input.Name)).toEqual([BASE_PARAM, UBUNTU_PARAM]);
  });

  test('nothing at all → AmiNotFoundError with a hint and the query', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(notFound());
    ec2Mock.on(DescribeImagesCommand).resolves({});
    // Act
    const failure = getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AmiNotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: 'No Deep Learning AMI and no standard ubuntu-22.04 image for x86_64 (base) in us-east-1; no DLAMI at all is published in us-east-1',
      hint: expect.stringContaining('gpu-deploy ami --region R'),
      details: { ...BASE_QUERY, available: [] },
    });
  });

  test('AmiNotFoundError lists the combinations that do resolve, from ONE DescribeImages of the publisher classified by name', async () => {
    // Prepare: no DLAMI and no standard image for the query (fallback asked for); the region has DLAMIs for others.
    const query: AmiQuery = { region: 'us-east-1', osType: 'amazon-linux-2', architecture: 'arm64', amiType: 'tensorflow', fallback: 'standard' };
    ssmMock.on(GetParameterCommand).rejects(notFound());
    ec2Mock.on(DescribeImagesCommand).resolves({});
    ec2Mock.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: ['Deep Learning*'] }, { Name: 'state', Values: ['available'] }] }).resolves({
      Images: [
        image({ ImageId: 'ami-1', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 24.04) 20250101' }),
        image({ ImageId: 'ami-2', Name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.8 (Ubuntu 24.04) 20250301' }),
        image({ ImageId: 'ami-3', Name: 'Deep Learning ARM64 Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20250101', Architecture: 'arm64' }),
        image({ ImageId: 'ami-4', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101' }),
        image({ ImageId: 'ami-5', Name: 'Deep Learning AMI Neuron (Ubuntu 22.04) 20250101' }),
        image({ ImageId: 'ami-6', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', DeprecationTime: '2025-05-01T00:00:00.000Z' }),
        image({ ImageId: 'ami-7', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2) 20250101', Architecture: 'arm64' }),
      ],
    });
    // Act
    const failure = getLatestDlami(clients, query, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AmiNotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining('combinations with a DLAMI in us-east-1: amazon-linux-2023/arm64/base, ubuntu-24.04/x86_64/pytorch'),
      hint: expect.stringContaining('--os-type amazon-linux-2023 --architecture arm64 --ami-type base'),
      details: {
        ...query,
        available: [
          { osType: 'amazon-linux-2023', architecture: 'arm64', amiType: 'base', driver: 'oss' },
          { osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base', driver: 'proprietary' },
          { osType: 'ubuntu-24.04', architecture: 'x86_64', amiType: 'pytorch', driver: 'oss' },
        ],
      },
    });
    const listing = ec2Mock.commandCalls(DescribeImagesCommand).filter((c) => c.args[0].input.Filters?.[0]?.Values?.[0] === 'Deep Learning*');
    expect(listing).toHaveLength(1);
    expect(listing[0]?.args[0].input.Owners).toEqual([DLAMI_OWNER_ID]);
  });

  test('when the listing itself fails, AmiNotFoundError still comes, saying why there is no list', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).rejects(notFound());
    ec2Mock.on(DescribeImagesCommand).resolvesOnce({}).rejects(Object.assign(new Error('no'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    // Act
    const failure = getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(AmiNotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining('the DLAMIs of us-east-1 could not be listed (AwsAccessDeniedError)'),
      details: { available: [], availableUnknown: 'AwsAccessDeniedError' },
    });
  });

  test('a parameter whose image EC2 answers InvalidAMIID.NotFound for is treated as gone, not as a failure', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: BASE_PARAM }).resolves({ Parameter: { Value: 'ami-deregistered' } });
    ec2Mock
      .on(DescribeImagesCommand, { ImageIds: ['ami-deregistered'] })
      .rejects(Object.assign(new Error('gone'), { name: 'InvalidAMIID.NotFound', $metadata: { httpStatusCode: 400 } }));
    ec2Mock.on(DescribeImagesCommand, { Owners: [DLAMI_OWNER_ID] }).resolves({ Images: [image({ ImageId: 'ami-found' })] });
    // Act
    const ami = await getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-found', source: 'describe-images' });
  });

  test('any other DescribeImages-by-id failure is the classified project error', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-0abc' } });
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('slow'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }));
    // Act + Assess
    await expect(getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW })).rejects.toBeInstanceOf(AwsThrottlingError);
  });

  test('a standard parameter whose image is gone → AmiNotFoundError', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand, { Name: BASE_PARAM }).rejects(notFound());
    ssmMock.on(GetParameterCommand, { Name: UBUNTU_PARAM }).resolves({ Parameter: { Value: 'ami-ubuntu' } });
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    // Act + Assess
    await expect(getLatestDlami(clients, BASE_QUERY, { cache: newCache(), now: NOW })).rejects.toBeInstanceOf(AmiNotFoundError);
  });
});

describe('getLatestDlami: proprietary driver (GPUs older than Turing)', () => {
  const PROPRIETARY: AmiQuery = { ...BASE_QUERY, driver: 'proprietary' };

  test('the proprietary family by DescribeImages: no SSM parameter, no OSS image, the newest by CreationDate', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [
        image({ ImageId: 'ami-prop-old', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', CreationDate: '2025-01-01T00:00:00.000Z' }),
        image({ ImageId: 'ami-prop-new', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250301', CreationDate: '2025-03-01T00:00:00.000Z' }),
        image({ ImageId: 'ami-oss', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250501', CreationDate: '2025-05-01T00:00:00.000Z' }),
      ],
    });
    // Act
    const ami = await getLatestDlami(clients, PROPRIETARY, { cache: newCache(), now: NOW });
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-prop-new', source: 'describe-images', needsDriver: false });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  test('none for the OS → DriverUnsupportedError naming the OS/architecture that has one; never the standard image', async () => {
    // Prepare
    ssmMock.on(GetParameterCommand).resolves({ Parameter: { Value: 'ami-standard' } });
    ec2Mock.on(DescribeImagesCommand).resolves({});
    ec2Mock.on(DescribeImagesCommand, { Filters: [{ Name: 'name', Values: ['Deep Learning*'] }, { Name: 'state', Values: ['available'] }] }).resolves({
      Images: [
        image({ ImageId: 'ami-a', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101' }),
        image({ ImageId: 'ami-b', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Amazon Linux 2023) 20250101' }),
      ],
    });
    const query: AmiQuery = { ...PROPRIETARY, osType: 'amazon-linux-2023' };
    // Act
    const failure = getLatestDlami(clients, query, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toBeInstanceOf(DriverUnsupportedError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining('No proprietary-driver Deep Learning AMI for amazon-linux-2023 x86_64 in us-east-1'),
      hint: expect.stringMatching(/ubuntu-22\.04\/x86_64.*Turing-or-newer GPU type/),
      details: { ...query, proprietaryAvailable: ['ubuntu-22.04/x86_64'] },
    });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeImagesCommand).some((c) => c.args[0].input.ImageIds)).toBe(false);
  });

  test('none anywhere → the hint says so and points at a newer GPU type', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({});
    // Act
    const failure = getLatestDlami(clients, PROPRIETARY, { cache: newCache(), now: NOW });
    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'DriverUnsupportedError',
      hint: expect.stringContaining('no OS has one in us-east-1'),
      details: { proprietaryAvailable: [] },
    });
  });

  test('a failed listing still gives DriverUnsupportedError, with the reason', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolvesOnce({}).rejects(Object.assign(new Error('x'), { name: 'InternalError', $metadata: { httpStatusCode: 500 } }));
    // Act + Assess
    await expect(getLatestDlami(clients, PROPRIETARY, { cache: newCache(), now: NOW })).rejects.toMatchObject({
      name: 'DriverUnsupportedError',
      details: { availableUnknown: 'AwsTransientError' },
    });
  });
});

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
