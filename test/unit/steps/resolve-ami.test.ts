import { DescribeImagesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { GetParameterCommand, ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { AmiNotFoundError, AwsThrottlingError, DriverUnsupportedError } from '../../../lib/errors.js';
import { resolveAmiStep } from '../../../lib/steps/resolve-ami.js';
import { validatedDoc } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const clients = { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) };

const withGpu = (model: string, region: string) => {
  const doc = validatedDoc({ region });
  return { ...doc, instanceType: { ...doc.instanceType, gpu: { ...doc.instanceType.gpu, model } } };
};

beforeEach(() => {
  ec2Mock.reset();
  ssmMock.reset();
  ssmMock.on(GetParameterCommand).rejects(new ParameterNotFound({ message: 'not found', $metadata: {} }));
  ec2Mock.on(DescribeImagesCommand).resolves({
    Images: [
      { ImageId: 'ami-oss', Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', CreationDate: '2025-01-01T00:00:00.000Z' },
      { ImageId: 'ami-prop', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', CreationDate: '2025-01-01T00:00:00.000Z' },
    ],
  });
});

// The step uses the module's shared AMI cache, so every test asks for its own region.
describe('resolveAmiStep', () => {
  test('a current GPU (A10G) gets the OSS-driver DLAMI', async () => {
    // Act
    const ami = await resolveAmiStep(withGpu('A10G', 'ap-south-1'), clients);
    // Assess
    expect(ami).toMatchObject({ imageId: 'ami-oss', source: 'describe-images', needsDriver: false });
    expect(ssmMock.commandCalls(GetParameterCommand)[0]?.args[0].input.Name).toBe(
      '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id',
    );
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Filters?.[0]?.Values).toEqual([
      'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) *',
    ]);
  });

  test.each([
    ['V100', 'ca-central-1'],
    ['v100', 'eu-west-2'],
    ['K80', 'eu-west-3'],
    ['M60', 'eu-north-1'],
  ])('legacy %s → the proprietary-driver family (no SSM parameter)', async (model, region) => {
    // Act
    const ami = await resolveAmiStep(withGpu(model, region), clients);
    // Assess
    expect(ami.imageId).toBe('ami-prop');
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(DescribeImagesCommand)[0]?.args[0].input.Filters?.[0]?.Values).toEqual([
      'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) *',
    ]);
  });

  test('a model merely containing V100 in a longer name is not treated as legacy', async () => {
    // Act
    const ami = await resolveAmiStep(withGpu('V100S-NEXT', 'ap-northeast-2'), clients);
    // Assess
    expect(ami.imageId).toBe('ami-oss');
  });

  test('legacy GPU and no proprietary-driver DLAMI for the OS → DriverUnsupportedError naming the type and GPU; no standard fallback', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).resolves({
      Images: [{ ImageId: 'ami-prop', Name: 'Deep Learning Base Proprietary Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101', CreationDate: '2025-01-01T00:00:00.000Z' }],
    });
    const base = withGpu('V100', 'me-south-1');
    const doc = { ...base, request: { ...base.request, osType: 'amazon-linux-2023' as const } };
    // Act
    const failure = resolveAmiStep(doc, clients);
    // Assess
    await expect(failure).rejects.toBeInstanceOf(DriverUnsupportedError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringMatching(/^g5\.xlarge has an NVIDIA V100, which needs the proprietary NVIDIA driver\. No proprietary-driver Deep Learning AMI for amazon-linux-2023 x86_64 in me-south-1/),
      hint: expect.stringContaining('ubuntu-22.04/x86_64'),
      details: { instanceType: 'g5.xlarge', gpuModel: 'V100', osType: 'amazon-linux-2023', driver: 'proprietary', proprietaryAvailable: ['ubuntu-22.04/x86_64'] },
    });
    expect(ssmMock.commandCalls(GetParameterCommand)).toHaveLength(0);
  });

  test('amiFallback reaches the resolver, and the warnings always come back (empty, or saying what is missing)', async () => {
    // Prepare: no PyTorch DLAMI at all; the plain Ubuntu image exists.
    ec2Mock.on(DescribeImagesCommand).resolves({ Images: [] });
    ssmMock.on(GetParameterCommand, { Name: '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id' }).resolves({ Parameter: { Value: 'ami-plain' } });
    ec2Mock.on(DescribeImagesCommand, { ImageIds: ['ami-plain'] }).resolves({ Images: [{ ImageId: 'ami-plain', Name: 'ubuntu-jammy', CreationDate: '2025-01-01T00:00:00.000Z' }] });
    const pytorch = (fallback?: string) => validatedDoc({ region: 'sa-east-1', amiType: 'pytorch', ...(fallback ? { amiFallback: fallback } : {}) });
    // Act
    const refused = resolveAmiStep(pytorch(), clients);
    const fellBack = await resolveAmiStep(pytorch('standard'), clients, new Date('2026-01-01T00:00:00Z'));
    const base = await resolveAmiStep(validatedDoc({ region: 'sa-east-1' }), clients);
    // Assess
    await expect(refused).rejects.toBeInstanceOf(AmiNotFoundError);
    expect(fellBack).toMatchObject({ imageId: 'ami-plain', source: 'standard-fallback', needsDriver: true });
    expect(fellBack.warnings).toEqual([expect.stringContaining('but no PyTorch: the framework is NOT installed')]);
    expect(base.warnings).toEqual([]);
  });

  test('other failures pass through unchanged', async () => {
    // Prepare
    ec2Mock.on(DescribeImagesCommand).rejects(Object.assign(new Error('slow'), { name: 'RequestLimitExceeded', $metadata: { httpStatusCode: 503 } }));
    // Act + Assess
    await expect(resolveAmiStep(withGpu('V100', 'af-south-1'), clients)).rejects.toBeInstanceOf(AwsThrottlingError);
  });
});
