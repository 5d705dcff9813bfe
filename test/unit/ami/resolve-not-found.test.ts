/** getLatestDlami when no DLAMI answers: the standard fallback, AmiNotFoundError, the proprietary-driver family. */
import { DescribeImagesCommand } from '@aws-sdk/client-ec2';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { DLAMI_OWNER_ID } from '../../../lib/ami/families.js';
import type { AmiQuery } from '../../../lib/ami/query.js';
import { getLatestDlami } from '../../../lib/ami/resolve.js';
import { AmiNotFoundError, AwsThrottlingError, DriverUnsupportedError } from '../../../lib/errors.js';
import { ec2Mock, ssmMock, clients, NOW, BASE_PARAM, UBUNTU_PARAM, BASE_QUERY, notFound, image, newCache, resetMocks } from './resolve-fixtures.js';

beforeEach(resetMocks);

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
