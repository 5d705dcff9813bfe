import { jest } from '@jest/globals';
import { assertRegionExists, regionInfo, sameFamily } from '../../../lib/aws/regions.js';
import { AwsCredentialsMissingError, AwsEndpointNotFoundError, AwsTransientError, RequestInvalidError } from '../../../lib/errors.js';
import { toProjectError } from '../../../lib/aws/classify.js';

const dnsError = (code: string) => Object.assign(new Error(`getaddrinfo ${code} ec2.example`), { code });
const noEndpoint = { env: {} };

describe('regionInfo and sameFamily: the AWS SDK partition data', () => {
  test('a listed region is known with its name; a pseudo-region and a made-up one are not', () => {
    expect(regionInfo('us-east-1')).toEqual({ known: true, description: 'US East (N. Virginia)', dnsSuffix: 'amazonaws.com' });
    expect(regionInfo('cn-north-1')).toMatchObject({ known: true, dnsSuffix: 'amazonaws.com.cn' });
    expect(regionInfo('aws-global').known).toBe(false);
    expect(regionInfo('us-east-9')).toEqual({ known: false, dnsSuffix: 'amazonaws.com' });
    expect(sameFamily('us-east-9')).toEqual(['us-east-1', 'us-east-2']);
    expect(sameFamily('xx-nowhere-1')).toEqual([]);
  });
});

describe('assertRegionExists', () => {
  test('a region the SDK lists passes without asking DNS', async () => {
    const resolve = jest.fn<(host: string) => Promise<unknown>>();
    await expect(assertRegionExists('eu-central-2', { ...noEndpoint, resolve })).resolves.toBeUndefined();
    expect(resolve).not.toHaveBeenCalled();
  });

  test('a name that is no region name at all is RequestInvalidError naming the flag', async () => {
    await expect(assertRegionExists('Mars', { flag: '--region' })).rejects.toMatchObject({ name: 'RequestInvalidError', message: '--region must be an AWS region such as us-east-1 (got "Mars")' });
  });

  test('an unlisted region whose EC2 endpoint does not exist (ENOTFOUND) is refused with the likely meant ones', async () => {
    const resolve = jest.fn<(host: string) => Promise<unknown>>().mockRejectedValue(dnsError('ENOTFOUND'));
    const error = await assertRegionExists('us-east-9', { ...noEndpoint, resolve }).catch((e: unknown) => e);
    expect(resolve).toHaveBeenCalledWith('ec2.us-east-9.amazonaws.com');
    expect(error).toBeInstanceOf(RequestInvalidError);
    expect(error).toMatchObject({ message: 'us-east-9 is not an AWS region: the AWS SDK does not list it and ec2.us-east-9.amazonaws.com does not exist', hint: expect.stringMatching(/^Did you mean us-east-1 or us-east-2\? Pass an existing region with --region/) });
  });

  test('an unlisted region that resolves is newer than the SDK: let through; so is one DNS cannot answer for (offline)', async () => {
    await expect(assertRegionExists('ap-southeast-9', { ...noEndpoint, resolve: jest.fn<(host: string) => Promise<unknown>>().mockResolvedValue({ address: '52.0.0.1' }) })).resolves.toBeUndefined();
    await expect(assertRegionExists('ap-southeast-9', { ...noEndpoint, resolve: jest.fn<(host: string) => Promise<unknown>>().mockRejectedValue(dnsError('EAI_AGAIN')) })).resolves.toBeUndefined();
  });

  test('against an emulator (the local cloud, AWS_ENDPOINT_URL) an unlisted region is refused without DNS', async () => {
    const resolve = jest.fn<(host: string) => Promise<unknown>>();
    await expect(assertRegionExists('us-east-9', { emulated: true, resolve })).rejects.toMatchObject({ name: 'RequestInvalidError', message: expect.stringContaining('the local cloud (or AWS_ENDPOINT_URL) emulates the listed ones only') });
    await expect(assertRegionExists('us-east-9', { env: { AWS_ENDPOINT_URL: 'http://127.0.0.1:1' }, resolve })).rejects.toBeInstanceOf(RequestInvalidError);
    expect(resolve).not.toHaveBeenCalled();
  });
});

describe('DNS and credential failures at the AWS boundary', () => {
  test('ENOTFOUND (no such endpoint) is never transient; EAI_AGAIN (DNS did not answer) is', () => {
    const notFound = toProjectError(Object.assign(dnsError('ENOTFOUND'), { hostname: 'ec2.us-east-9.amazonaws.com' }), 'DescribeInstances');
    expect(notFound).toBeInstanceOf(AwsEndpointNotFoundError);
    expect(notFound.message).toBe('DescribeInstances failed: the endpoint ec2.us-east-9.amazonaws.com does not exist (ENOTFOUND)');
    expect(notFound.hint).toContain('--region');
    expect(toProjectError(dnsError('EAI_AGAIN'), 'DescribeInstances')).toBeInstanceOf(AwsTransientError);
  });

  test('no credentials is a named error that says how to configure them, or to use --local', () => {
    const error = toProjectError(Object.assign(new Error('Could not load credentials from any providers'), { name: 'CredentialsProviderError' }), 'DescribeStacks');
    expect(error).toBeInstanceOf(AwsCredentialsMissingError);
    expect(error.hint).toContain('--local');
  });
});
