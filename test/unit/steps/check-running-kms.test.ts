/**
 * CheckRunning when an instance ends at launch because EBS cannot use its KMS key (issue 14, point 7): the state
 * reasons EC2 reports for it, and the account's default EBS key as GetEbsDefaultKmsKeyId answers (or refuses).
 */
import { DescribeInstancesCommand, EC2Client, GetEbsDefaultKmsKeyIdCommand, type InstanceStateName } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { EbsKmsKeyUnusableError, InstanceStartFailedError } from '../../../lib/errors.js';
import { defaultEbsKey, ebsKeyUnusableError } from '../../../lib/launch/ebs-key.js';
import { checkRunningStep } from '../../../lib/steps/check-running.js';
import { after, awsError, launchedDoc } from './fixtures.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const KEY = 'arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';

/** The instance as DescribeInstances reports it after it ended at launch. */
function endedWith(Code: string, Message: string, name: InstanceStateName = 'terminated'): void {
  ec2Mock.on(DescribeInstancesCommand).resolves({
    Reservations: [{ Instances: [{ InstanceId: 'i-0123456789abcdef0', State: { Name: name }, StateReason: { Code, Message } }] }],
  });
}

beforeEach(() => ec2Mock.reset());

describe('CheckRunning: an instance ended by its EBS KMS key', () => {
  test('Client.InvalidKMSKey.InvalidState → EbsKmsKeyUnusableError naming the default key and the grant', async () => {
    // Prepare
    endedWith('Client.InvalidKMSKey.InvalidState', 'Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state');
    ec2Mock.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: KEY });
    // Act
    const failure = checkRunningStep(launchedDoc({}, { market: 'on-demand' }), ec2, after(20));
    // Assess
    await expect(failure).rejects.toBeInstanceOf(EbsKmsKeyUnusableError);
    await expect(failure).rejects.toMatchObject({
      message: expect.stringContaining(`ended at launch (Client.InvalidKMSKey.InvalidState: Client.InvalidKMSKey.InvalidState: The KMS key provided is in an incorrect state): EBS could not use the KMS key of its encrypted root volume, the account's default EBS key ${KEY}`),
      hint: expect.stringContaining(`kms:CreateGrant, kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext and kms:ReEncrypt* on ${KEY}`),
      details: { instanceId: 'i-0123456789abcdef0', reasonCode: 'Client.InvalidKMSKey.InvalidState', defaultEbsKey: KEY, market: 'on-demand' },
    });
    await expect(failure).rejects.toMatchObject({ hint: expect.not.stringContaining('AWSServiceRoleForEC2Spot') });
  });

  test('Client.InternalError on a spot instance: the grant is named for the spot service-linked role too', async () => {
    // Prepare
    endedWith('Client.InternalError', 'Client.InternalError: Client error on launch');
    ec2Mock.on(GetEbsDefaultKmsKeyIdCommand).resolves({ KmsKeyId: KEY });
    // Act
    const failure = checkRunningStep(launchedDoc({}, { market: 'spot' }), ec2, after(20));
    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'EbsKmsKeyUnusableError',
      hint: expect.stringMatching(/AWSServiceRoleForEC2Spot.*--market on-demand/),
    });
  });

  test('GetEbsDefaultKmsKeyId denied: the error still says what happened, with the key unknown and why', async () => {
    // Prepare
    endedWith('Client.InternalError', 'Client.InternalError: Client error on launch');
    ec2Mock.on(GetEbsDefaultKmsKeyIdCommand).rejects(awsError('UnauthorizedOperation', 403));
    // Act
    const failure = checkRunningStep(launchedDoc(), ec2, after(20));
    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'EbsKmsKeyUnusableError',
      message: expect.stringContaining('default EBS key unknown (GetEbsDefaultKmsKeyId failed: UnauthorizedOperation)'),
      hint: expect.stringContaining('aws ec2 get-ebs-default-kms-key-id'),
    });
  });

  test('other state reasons stay InstanceStartFailedError, and no key is looked up', async () => {
    // Prepare
    endedWith('Server.SpotInstanceTermination', 'Server.SpotInstanceTermination: Spot instance termination');
    // Act + Assess
    await expect(checkRunningStep(launchedDoc(), ec2, after(20))).rejects.toBeInstanceOf(InstanceStartFailedError);
    expect(ec2Mock.commandCalls(GetEbsDefaultKmsKeyIdCommand)).toHaveLength(0);
  });
});

describe('defaultEbsKey and the message', () => {
  test('no key in the answer is reported as unknown', async () => {
    ec2Mock.on(GetEbsDefaultKmsKeyIdCommand).resolves({});
    await expect(defaultEbsKey(ec2)).resolves.toEqual({ unknown: 'GetEbsDefaultKmsKeyId returned no key' });
  });

  test('the AWS managed key needs no grant: the hint says to look elsewhere', () => {
    const error = ebsKeyUnusableError({ instanceId: 'i-1', reasonCode: 'Client.InternalError' }, { keyId: 'arn:aws:kms:us-east-1:123456789012:alias/aws/ebs' });
    expect(error.message).toBe(
      "Instance i-1 ended at launch (Client.InternalError): EBS could not use the KMS key of its encrypted root volume, the account's default EBS key arn:aws:kms:us-east-1:123456789012:alias/aws/ebs",
    );
    expect(error.hint).toContain('AWS managed key, which needs no grant');
  });
});
