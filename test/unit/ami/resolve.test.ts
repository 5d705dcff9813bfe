/** getLatestDlami and newestImage: choosing the newest image, through the SSM parameter or DescribeImages. */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { DLAMI_OWNER_ID, dlamiFamily } from '../../../lib/ami/families.js';
import { getLatestDlami, newestImage } from '../../../lib/ami/resolve.js';
import { AwsAccessDeniedError, AwsThrottlingError } from '../../../lib/errors.js';
import { ec2Mock, ssmMock, clients, NOW, BASE_PARAM, BASE_QUERY, PYTORCH_QUERY, notFound, image, newCache, resetMocks } from './resolve-fixtures.js';

beforeEach(resetMocks);

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
