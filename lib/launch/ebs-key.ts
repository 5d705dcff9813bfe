import { GetEbsDefaultKmsKeyIdCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { awsErrorCode } from '../aws/classify.js';
import { EbsKmsKeyUnusableError } from '../errors.js';

/**
 * State reasons of an instance that ended at launch because EBS could not use the KMS key of its encrypted volume:
 * `Client.InvalidKMSKey.InvalidState` (the key is disabled or pending deletion) and `Client.InternalError`
 * ("Client error on launch": most often the launching principal, or the spot service-linked role, has no grant
 * on a customer managed key). gpu-deploy always encrypts the root volume, with the account's default EBS key.
 */
export const KMS_LAUNCH_FAILURE_CODES: ReadonlySet<string> = new Set(['Client.InvalidKMSKey.InvalidState', 'Client.InternalError']);

export type DefaultEbsKey = { keyId: string } | { unknown: string };

/**
 * The account's default EBS key in the client's region (GetEbsDefaultKmsKeyId). Never throws: a denied or
 * unsupported call is reported as `unknown` with its code, since it only serves an error message.
 */
export async function defaultEbsKey(ec2: EC2Client): Promise<DefaultEbsKey> {
  try {
    const out = await ec2.send(new GetEbsDefaultKmsKeyIdCommand({}));
    return out.KmsKeyId ? { keyId: out.KmsKeyId } : { unknown: 'GetEbsDefaultKmsKeyId returned no key' };
  } catch (error) {
    return { unknown: `GetEbsDefaultKmsKeyId failed: ${awsErrorCode(error) ?? 'unknown error'}` };
  }
}

const AWS_MANAGED_EBS_KEY = /alias\/aws\/ebs$/;

/**
 * The named error for an instance that ended at launch with a KMS state reason: says so, names the default EBS
 * key (or why it is unknown) and the grant each launching principal needs.
 *
 * @example
 * ebsKeyUnusableError({ instanceId: 'i-1', reasonCode: 'Client.InternalError', reason: 'Client error on launch', market: 'spot' }, { keyId: 'arn:aws:kms:…:key/1' });
 */
export function ebsKeyUnusableError(
  ended: { instanceId: string; reasonCode: string; reason?: string; market?: string },
  key: DefaultEbsKey,
): EbsKmsKeyUnusableError {
  const keyText = 'keyId' in key ? key.keyId : `unknown (${key.unknown})`;
  const keyArg = 'keyId' in key ? key.keyId : '<the key of: aws ec2 get-ebs-default-kms-key-id>';
  const awsManaged = 'keyId' in key && AWS_MANAGED_EBS_KEY.test(key.keyId);
  const spot = ended.market === 'spot';
  const grantees = spot
    ? "the Launch function's role and the spot service-linked role AWSServiceRoleForEC2Spot"
    : "the Launch function's role";
  const hint = awsManaged
    ? 'The default EBS key is the AWS managed key, which needs no grant: check the AMI\'s snapshot encryption and the account\'s EBS encryption settings, then deploy again'
    : `Enable the key if it is disabled or pending deletion; give ${grantees} kms:CreateGrant, kms:Decrypt, kms:GenerateDataKeyWithoutPlaintext and kms:ReEncrypt* on ${keyArg} (key policy or aws kms create-grant --key-id ${keyArg} --grantee-principal <role ARN> --operations CreateGrant Decrypt GenerateDataKeyWithoutPlaintext ReEncryptFrom ReEncryptTo DescribeKey)${spot ? ', or deploy with --market on-demand' : ''}; or reset the default to the AWS managed key (aws ec2 reset-ebs-default-kms-key-id)`;
  return new EbsKmsKeyUnusableError(
    `Instance ${ended.instanceId} ended at launch (${ended.reasonCode}${ended.reason ? `: ${ended.reason}` : ''}): EBS could not use the KMS key of its encrypted root volume, the account's default EBS key ${keyText}`,
    { hint, details: { instanceId: ended.instanceId, reasonCode: ended.reasonCode, defaultEbsKey: keyText, market: ended.market } },
  );
}
