import {
  AuthorizeSecurityGroupIngressCommand,
  CreateSecurityGroupCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAccessDeniedError, NetworkNotFoundError } from '../../../lib/errors.js';
import { ensureSecurityGroup, findSubnet } from '../../../lib/launch/network.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

beforeEach(() => ec2Mock.reset());

describe('findSubnet', () => {
  test('no subnet in the request: the default subnet of the zone (default-for-az)', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1b' }] });
    // Act
    const placement = await findSubnet(ec2, 'us-east-1b');
    // Assess
    expect(placement).toEqual({ subnetId: 'subnet-1', vpcId: 'vpc-1', zone: 'us-east-1b' });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'availability-zone', Values: ['us-east-1b'] },
        { Name: 'default-for-az', Values: ['true'] },
      ],
    });
  });

  test('an explicit subnet is looked up by id; its own zone wins', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0123abcd', VpcId: 'vpc-9', AvailabilityZone: 'us-east-1c' }] });
    // Act
    const placement = await findSubnet(ec2, 'us-east-1a', 'subnet-0123abcd');
    // Assess
    expect(placement).toEqual({ subnetId: 'subnet-0123abcd', vpcId: 'vpc-9', zone: 'us-east-1c' });
    expect(ec2Mock.commandCalls(DescribeSubnetsCommand)[0]?.args[0].input).toEqual({ SubnetIds: ['subnet-0123abcd'] });
  });

  test('a subnet without a zone in the answer keeps the attempt zone', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-1', VpcId: 'vpc-1' }] });
    // Act + Assess
    expect((await findSubnet(ec2, 'us-east-1d')).zone).toBe('us-east-1d');
  });

  test('no default subnet in the zone → NetworkNotFoundError saying how to fix it', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [] });
    // Act
    const failure = findSubnet(ec2, 'us-east-1e');
    // Assess
    await expect(failure).rejects.toBeInstanceOf(NetworkNotFoundError);
    await expect(failure).rejects.toMatchObject({
      message: 'The default VPC has no subnet in us-east-1e',
      hint: expect.stringContaining('aws ec2 create-default-vpc'),
      details: { zone: 'us-east-1e', subnetId: undefined },
    });
  });

  test('an explicit subnet that does not exist → NetworkNotFoundError naming it', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-0123abcd' }] });
    // Act
    const failure = findSubnet(ec2, 'us-east-1a', 'subnet-0123abcd');
    // Assess
    await expect(failure).rejects.toMatchObject({
      name: 'NetworkNotFoundError',
      message: 'Subnet subnet-0123abcd was not found',
      hint: 'Set subnetId to a subnet of this account and region',
    });
  });

  test('an SDK failure is converted at the boundary', async () => {
    // Prepare
    ec2Mock.on(DescribeSubnetsCommand).rejects(Object.assign(new Error('no'), { name: 'UnauthorizedOperation', $metadata: { httpStatusCode: 403 } }));
    // Act + Assess
    await expect(findSubnet(ec2, 'us-east-1a')).rejects.toBeInstanceOf(AwsAccessDeniedError);
  });
});

describe('ensureSecurityGroup', () => {
  test('reuses the group tagged with the deployment in the VPC', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-existing' }] });
    // Act
    const groupId = await ensureSecurityGroup(ec2, 'vpc-1', 'dep-1');
    // Assess
    expect(groupId).toBe('sg-existing');
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[0]?.args[0].input).toEqual({
      Filters: [
        { Name: 'tag:gpu-deploy:deployment-id', Values: ['dep-1'] },
        { Name: 'vpc-id', Values: ['vpc-1'] },
      ],
    });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
  });

  test('creates a tagged group with no inbound rule when none exists', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    // Act
    const groupId = await ensureSecurityGroup(ec2, 'vpc-1', 'dep-1');
    // Assess
    expect(groupId).toBe('sg-new');
    const input = ec2Mock.commandCalls(CreateSecurityGroupCommand)[0]?.args[0].input;
    expect(input).toMatchObject({ GroupName: 'gpu-deploy-dep-1', VpcId: 'vpc-1' });
    expect(input?.Description).toContain('no inbound rules');
    expect(input?.TagSpecifications).toEqual([
      {
        ResourceType: 'security-group',
        Tags: [
          { Key: 'Name', Value: 'gpu-deploy-dep-1' },
          { Key: 'gpu-deploy:deployment-id', Value: 'dep-1' },
          { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' },
        ],
      },
    ]);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
    expect(ec2Mock.calls()).toHaveLength(2);
  });

  test('a group without id in the answer counts as none', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupName: 'x' }] });
    ec2Mock.on(CreateSecurityGroupCommand).resolves({ GroupId: 'sg-new' });
    // Act + Assess
    expect(await ensureSecurityGroup(ec2, 'vpc-1', 'dep-1')).toBe('sg-new');
  });

  test('CreateSecurityGroup answering without an id → NetworkNotFoundError', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    ec2Mock.on(CreateSecurityGroupCommand).resolves({});
    // Act + Assess
    await expect(ensureSecurityGroup(ec2, 'vpc-1', 'dep-1')).rejects.toThrow(new NetworkNotFoundError('CreateSecurityGroup returned no group id'));
  });

  test('a failing CreateSecurityGroup is converted with its operation', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({});
    ec2Mock.on(CreateSecurityGroupCommand).rejects(Object.assign(new Error('limit'), { name: 'SecurityGroupLimitExceeded', $metadata: { httpStatusCode: 400 } }));
    // Act + Assess
    await expect(ensureSecurityGroup(ec2, 'vpc-1', 'dep-1')).rejects.toMatchObject({
      name: 'AwsRequestError',
      details: { code: 'SecurityGroupLimitExceeded', operation: 'CreateSecurityGroup' },
    });
  });

  test('InvalidGroup.Duplicate (a retried Launch whose describe missed the first group) → the group found by name in the VPC', async () => {
    // Prepare: the tag lookup does not see the group yet, CreateSecurityGroup says it exists.
    ec2Mock.on(DescribeSecurityGroupsCommand).resolvesOnce({ SecurityGroups: [] }).resolves({ SecurityGroups: [{ GroupId: 'sg-first' }] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(
      Object.assign(new Error("The security group 'gpu-deploy-dep-1' already exists for VPC 'vpc-1'"), { name: 'InvalidGroup.Duplicate', $metadata: { httpStatusCode: 400 } }),
    );
    // Act
    const groupId = await ensureSecurityGroup(ec2, 'vpc-1', 'dep-1');
    // Assess
    expect(groupId).toBe('sg-first');
    expect(ec2Mock.commandCalls(DescribeSecurityGroupsCommand)[1]?.args[0].input).toEqual({
      Filters: [
        { Name: 'group-name', Values: ['gpu-deploy-dep-1'] },
        { Name: 'vpc-id', Values: ['vpc-1'] },
      ],
    });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(1);
  });

  test('InvalidGroup.Duplicate while the name lookup still sees nothing → AwsTransientError (the state machine retries it)', async () => {
    // Prepare
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(Object.assign(new Error('already exists'), { name: 'InvalidGroup.Duplicate', $metadata: { httpStatusCode: 400 } }));
    // Act + Assess
    await expect(ensureSecurityGroup(ec2, 'vpc-1', 'dep-1')).rejects.toMatchObject({
      name: 'AwsTransientError',
      message: expect.stringContaining('gpu-deploy-dep-1 exists in vpc-1'),
      details: { groupName: 'gpu-deploy-dep-1', vpcId: 'vpc-1' },
    });
  });
});
