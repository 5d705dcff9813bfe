import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { isNotYetVisible, PROPAGATION_RETRY_DEFAULTS, retryWhileNotYetVisible } from '../../../lib/launch/consistency.js';

/** An EC2 error as the SDK throws it (query protocol: name = code). */
const ec2Error = (name: string, message: string): EC2ServiceException =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });

const GROUP_NOT_FOUND = ec2Error('InvalidGroup.NotFound', "The security group 'sg-0abc' does not exist in VPC 'vpc-1'");
const PROFILE_INVALID = ec2Error('InvalidParameterValue', 'Value (gpu-deploy-ssm) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');

describe('isNotYetVisible', () => {
  test('InvalidGroup.NotFound is eventual consistency', () => {
    expect(isNotYetVisible(GROUP_NOT_FOUND)).toBe(true);
  });

  test('InvalidParameterValue about the instance profile the call sent is eventual consistency', () => {
    expect(isNotYetVisible(PROFILE_INVALID, { instanceProfileName: 'gpu-deploy-ssm' })).toBe(true);
  });

  test('the same error is a real mistake when the call sent no profile, or another one', () => {
    expect(isNotYetVisible(PROFILE_INVALID)).toBe(false);
    expect(isNotYetVisible(PROFILE_INVALID, { instanceProfileName: 'other-profile' })).toBe(false);
  });

  test('other InvalidParameterValue errors and other codes are not retried', () => {
    const userData = ec2Error('InvalidParameterValue', 'User data is limited to 16384 bytes');
    expect(isNotYetVisible(userData, { instanceProfileName: 'gpu-deploy-ssm' })).toBe(false);
    expect(isNotYetVisible(ec2Error('InvalidAMIID.NotFound', "The image id '[ami-1]' does not exist"))).toBe(false);
    expect(isNotYetVisible(new Error('socket hang up'))).toBe(false);
    expect(isNotYetVisible('not an error')).toBe(false);
  });
});

describe('retryWhileNotYetVisible', () => {
  test('repeats a not-yet-visible error with doubling pauses until the call works', async () => {
    // Prepare
    const pauses: number[] = [];
    const retried: string[] = [];
    let calls = 0;
    const call = async (): Promise<string> => {
      calls += 1;
      if (calls < 4) throw GROUP_NOT_FOUND;
      return 'launched';
    };
    // Act
    const result = await retryWhileNotYetVisible(call, (e) => isNotYetVisible(e), {
      sleep: async (ms) => void pauses.push(ms),
      onRetry: (code, attempt) => retried.push(`${attempt}:${code}`),
    });
    // Assess
    expect(result).toBe('launched');
    expect(calls).toBe(4);
    expect(pauses).toEqual([1000, 2000, 4000]);
    expect(retried).toEqual(['1:InvalidGroup.NotFound', '2:InvalidGroup.NotFound', '3:InvalidGroup.NotFound']);
  });

  test('is bounded: after the last try the error itself is thrown, pauses capped at maxDelayMs', async () => {
    // Prepare
    const pauses: number[] = [];
    let calls = 0;
    // Act
    const outcome = retryWhileNotYetVisible(
      async () => {
        calls += 1;
        throw GROUP_NOT_FOUND;
      },
      (e) => isNotYetVisible(e),
      { sleep: async (ms) => void pauses.push(ms) },
    );
    // Assess
    await expect(outcome).rejects.toBe(GROUP_NOT_FOUND);
    expect(calls).toBe(PROPAGATION_RETRY_DEFAULTS.attempts);
    expect(pauses).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(pauses.reduce((a, b) => a + b, 0)).toBeLessThanOrEqual(30_000);
  });

  test('an error that is not eventual consistency is thrown at once, with no pause', async () => {
    // Prepare
    const pauses: number[] = [];
    const denied = ec2Error('UnauthorizedOperation', 'You are not authorized to perform this operation.');
    // Act + Assess
    await expect(
      retryWhileNotYetVisible(() => Promise.reject(denied), (e) => isNotYetVisible(e), { sleep: async (ms) => void pauses.push(ms) }),
    ).rejects.toBe(denied);
    expect(pauses).toEqual([]);
  });

  test('uses a real timer when no sleep is given', async () => {
    // Prepare
    let calls = 0;
    const started = Date.now();
    // Act
    const result = await retryWhileNotYetVisible(
      async () => {
        calls += 1;
        if (calls === 1) throw GROUP_NOT_FOUND;
        return calls;
      },
      (e) => isNotYetVisible(e),
      { baseDelayMs: 20 },
    );
    // Assess
    expect(result).toBe(2);
    expect(Date.now() - started).toBeGreaterThanOrEqual(15);
  });
});
