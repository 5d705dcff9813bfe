import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import {
  AddRoleToInstanceProfileCommand,
  AttachRolePolicyCommand,
  CreateInstanceProfileCommand,
  CreateRoleCommand,
  GetInstanceProfileCommand,
  GetRoleCommand,
  IAMClient,
} from '@aws-sdk/client-iam';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsRequestError, InstanceProfileNotFoundError, InstanceProfileUnavailableError } from '../../../lib/errors.js';
import { resolveInstanceProfile } from '../../../lib/iam/resolve-profile.js';
import { EC2_TRUST_POLICY, partitionOf, ssmManagedPolicyArn } from '../../../lib/iam/ssm-profile.js';

const iamMock = mockClient(IAMClient);
const cfnMock = mockClient(CloudFormationClient);
const clients = { iam: new IAMClient({ region: 'eu-west-1' }), cfn: new CloudFormationClient({ region: 'eu-west-1' }) };
const INPUT = { stackName: 'gpu-deploy-dev', region: 'eu-west-1' };

const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} (test)`), { name, $metadata: { httpStatusCode: status } });
const noStack = (): void => void cfnMock.on(DescribeStacksCommand).rejects(awsError('ValidationError'));

beforeEach(() => {
  iamMock.reset();
  cfnMock.reset();
});

describe('resolveInstanceProfile: request, then the stack, then gpu-deploy-ssm', () => {
  test('the request names one that exists: used as is, nothing else is asked', async () => {
    // Prepare
    iamMock.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'team-ssm' } as never });
    // Act
    const profile = await resolveInstanceProfile({ ...INPUT, requested: 'team-ssm' }, clients);
    // Assess
    expect(profile).toEqual({ name: 'team-ssm', source: 'request', notes: [] });
    expect(cfnMock.calls()).toHaveLength(0);
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });

  test('the request names one IAM does not know: InstanceProfileNotFoundError naming the flag', async () => {
    // Prepare
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity', 404));
    // Act + Assess
    await expect(resolveInstanceProfile({ ...INPUT, requested: 'typo' }, clients)).rejects.toBeInstanceOf(InstanceProfileNotFoundError);
    await expect(resolveInstanceProfile({ ...INPUT, requested: 'typo' }, clients)).rejects.toMatchObject({ hint: expect.stringContaining('--instance-profile') });
  });

  test('not allowed to look the requested one up: used, and the note says so', async () => {
    // Prepare
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('AccessDenied', 403));
    // Act
    const profile = await resolveInstanceProfile({ ...INPUT, requested: 'team-ssm' }, clients);
    // Assess
    expect(profile.source).toBe('request');
    expect(profile.notes[0]).toContain('iam:GetInstanceProfile');
  });

  test("no request: the deployed stack's GpuInstanceProfileName output", async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'gpu-deploy-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: [{ OutputKey: 'GpuInstanceProfileName', OutputValue: 'gpu-deploy-dev-GpuInstanceProfile-1AB' }] }] });
    // Act
    const profile = await resolveInstanceProfile(INPUT, clients);
    // Assess
    expect(profile).toEqual({ name: 'gpu-deploy-dev-GpuInstanceProfile-1AB', source: 'stack', notes: [] });
    expect(cfnMock.commandCalls(DescribeStacksCommand)[0]?.args[0].input).toEqual({ StackName: 'gpu-deploy-dev' });
    expect(iamMock.calls()).toHaveLength(0);
  });

  test('no stack, gpu-deploy-ssm exists with its role: reused, nothing created', async () => {
    // Prepare
    noStack();
    iamMock.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { InstanceProfileName: 'gpu-deploy-ssm', Roles: [{ RoleName: 'gpu-deploy-ssm' }] } as never });
    // Act
    const profile = await resolveInstanceProfile(INPUT, clients);
    // Assess
    expect(profile).toEqual({ name: 'gpu-deploy-ssm', source: 'existing', notes: [] });
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
    expect(iamMock.commandCalls(CreateInstanceProfileCommand)).toHaveLength(0);
  });

  test('no stack and no gpu-deploy-ssm: a role trusting only ec2.amazonaws.com with only AmazonSSMManagedInstanceCore, in a profile', async () => {
    // Prepare
    noStack();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntity', 404));
    // Act
    const profile = await resolveInstanceProfile(INPUT, clients);
    // Assess
    expect(profile).toMatchObject({ name: 'gpu-deploy-ssm', source: 'created', created: ['role', 'policy-attachment', 'instance-profile', 'role-in-profile'] });
    const role = iamMock.commandCalls(CreateRoleCommand)[0]?.args[0].input;
    expect(role?.RoleName).toBe('gpu-deploy-ssm');
    expect(JSON.parse(role?.AssumeRolePolicyDocument ?? '{}').Statement).toEqual([{ Effect: 'Allow', Principal: { Service: 'ec2.amazonaws.com' }, Action: 'sts:AssumeRole' }]);
    expect(iamMock.commandCalls(AttachRolePolicyCommand).map((c) => c.args[0].input)).toEqual([{ RoleName: 'gpu-deploy-ssm', PolicyArn: 'arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore' }]);
    expect(iamMock.commandCalls(AddRoleToInstanceProfileCommand)[0]?.args[0].input).toEqual({ InstanceProfileName: 'gpu-deploy-ssm', RoleName: 'gpu-deploy-ssm' });
  });

  test('an earlier attempt left the role but no profile: the policy is attached again, the profile created, no second role', async () => {
    // Prepare
    noStack();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(GetRoleCommand).resolves({ Role: { RoleName: 'gpu-deploy-ssm' } as never });
    // Act
    const profile = await resolveInstanceProfile(INPUT, clients);
    // Assess
    expect(profile.created).toEqual(['policy-attachment', 'instance-profile', 'role-in-profile']);
    expect(iamMock.commandCalls(CreateRoleCommand)).toHaveLength(0);
  });

  test('a concurrent run created them a moment before: EntityAlreadyExists and LimitExceeded are not failures', async () => {
    // Prepare
    noStack();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(CreateRoleCommand).rejects(awsError('EntityAlreadyExists', 409));
    iamMock.on(CreateInstanceProfileCommand).rejects(awsError('EntityAlreadyExists', 409));
    iamMock.on(AddRoleToInstanceProfileCommand).rejects(awsError('LimitExceeded', 409));
    // Act + Assess
    await expect(resolveInstanceProfile(INPUT, clients)).resolves.toMatchObject({ name: 'gpu-deploy-ssm', source: 'created' });
  });

  test('no iam:CreateRole: InstanceProfileUnavailableError before any launch, naming the flag and the permissions', async () => {
    // Prepare
    noStack();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(GetRoleCommand).rejects(awsError('NoSuchEntity', 404));
    iamMock.on(CreateRoleCommand).rejects(awsError('AccessDenied', 403));
    // Act
    const error = await resolveInstanceProfile(INPUT, clients).catch((e: unknown) => e);
    // Assess
    expect(error).toBeInstanceOf(InstanceProfileUnavailableError);
    expect((error as InstanceProfileUnavailableError).hint).toContain('--instance-profile NAME');
    expect((error as InstanceProfileUnavailableError).hint).toContain('iam:CreateRole');
    expect((error as InstanceProfileUnavailableError).message).toContain('AccessDenied');
  });

  test('not allowed to read the stack: noted, and gpu-deploy-ssm is used', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 403));
    iamMock.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { Roles: [{ RoleName: 'gpu-deploy-ssm' }] } as never });
    // Act
    const profile = await resolveInstanceProfile(INPUT, clients);
    // Assess
    expect(profile.source).toBe('existing');
    expect(profile.notes[0]).toContain('cloudformation:DescribeStacks');
  });

  test('other AWS failures are project errors, not swallowed', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).rejects(awsError('SomethingOdd'));
    // Act + Assess
    await expect(resolveInstanceProfile(INPUT, clients)).rejects.toBeInstanceOf(AwsRequestError);
    cfnMock.reset();
    noStack();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('SomethingOdd'));
    await expect(resolveInstanceProfile(INPUT, clients)).rejects.toBeInstanceOf(AwsRequestError);
    iamMock.reset();
    iamMock.on(GetInstanceProfileCommand).rejects(awsError('SomethingOdd'));
    await expect(resolveInstanceProfile({ ...INPUT, requested: 'x' }, clients)).rejects.toBeInstanceOf(AwsRequestError);
  });

  test('a deleted stack or one without the output does not count', async () => {
    // Prepare
    cfnMock.on(DescribeStacksCommand).resolvesOnce({ Stacks: [{ StackName: 's', StackStatus: 'DELETE_COMPLETE', CreationTime: new Date() }] }).resolves({ Stacks: [{ StackName: 's', StackStatus: 'CREATE_COMPLETE', CreationTime: new Date(), Outputs: [] }] });
    iamMock.on(GetInstanceProfileCommand).resolves({ InstanceProfile: { Roles: [{ RoleName: 'gpu-deploy-ssm' }] } as never });
    // Act + Assess
    await expect(resolveInstanceProfile(INPUT, clients)).resolves.toMatchObject({ source: 'existing' });
    await expect(resolveInstanceProfile(INPUT, clients)).resolves.toMatchObject({ source: 'existing' });
  });
});

describe('the policy and its partition', () => {
  test('China and GovCloud have their own partition in the managed policy ARN', () => {
    // Assess
    expect(partitionOf('cn-north-1')).toBe('aws-cn');
    expect(partitionOf('us-gov-west-1')).toBe('aws-us-gov');
    expect(ssmManagedPolicyArn('us-gov-west-1')).toBe('arn:aws-us-gov:iam::aws:policy/AmazonSSMManagedInstanceCore');
    expect(JSON.parse(EC2_TRUST_POLICY).Statement).toHaveLength(1);
  });
});
