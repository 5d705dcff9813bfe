/** Shared by the getLatestDlami unit tests: the mocked SDK clients, the queries and an image factory. */
import { EC2Client, type Image } from '@aws-sdk/client-ec2';
import { ParameterNotFound, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import type { AmiQuery } from '../../../lib/ami/query.js';
import type { ResolvedImage } from '../../../lib/ami/resolve.js';
import { TtlCache } from '../../../lib/cache.js';

export const ec2Mock = mockClient(EC2Client);
export const ssmMock = mockClient(SSMClient);
export const clients = { ec2: new EC2Client({ region: 'us-east-1' }), ssm: new SSMClient({ region: 'us-east-1' }) };
export const NOW = new Date('2025-06-01T00:00:00Z');

export const BASE_PARAM = '/aws/service/deeplearning/ami/x86_64/base-oss-nvidia-driver-gpu-ubuntu-22.04/latest/ami-id';
export const UBUNTU_PARAM = '/aws/service/canonical/ubuntu/server/22.04/stable/current/amd64/hvm/ebs-gp2/ami-id';
export const BASE_QUERY: AmiQuery = { region: 'us-east-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base' };
export const PYTORCH_QUERY: AmiQuery = { ...BASE_QUERY, amiType: 'pytorch' };

export const notFound = (): ParameterNotFound => new ParameterNotFound({ message: 'Parameter not found', $metadata: { httpStatusCode: 400 } });

export const image = (overrides: Partial<Image>): Image => ({
  ImageId: 'ami-00000000000000001',
  Name: 'Deep Learning Base OSS Nvidia Driver GPU AMI (Ubuntu 22.04) 20250101',
  CreationDate: '2025-01-01T10:00:00.000Z',
  Architecture: 'x86_64',
  State: 'available',
  RootDeviceName: '/dev/sda1',
  BlockDeviceMappings: [{ DeviceName: '/dev/sda1', Ebs: { VolumeSize: 75, SnapshotId: 'snap-1' } }],
  ...overrides,
});

export const newCache = (): TtlCache<string, ResolvedImage> => new TtlCache({ ttlMs: 60_000 });

/** Call from beforeEach: every test starts with fresh mocks. */
export const resetMocks = (): void => {
  ec2Mock.reset();
  ssmMock.reset();
};
