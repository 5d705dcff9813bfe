/**
 * The workspace's AWS resources, with mocked clients for the answers the emulator never gives: a lost
 * CreateFileSystem answer (FileSystemAlreadyExists), groups and rules that a retried call finds already made, EC2
 * not seeing a new group yet, mount targets in another VPC, EFS not seeing the new file system or group yet.
 */
import { AuthorizeSecurityGroupIngressCommand, CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, DescribeVpcAttributeCommand, EC2Client } from '@aws-sdk/client-ec2';
import {
  CreateFileSystemCommand,
  CreateMountTargetCommand,
  DescribeFileSystemsCommand,
  DescribeLifecycleConfigurationCommand,
  DescribeMountTargetsCommand,
  EFSClient,
  PutLifecycleConfigurationCommand,
} from '@aws-sdk/client-efs';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsRequestError, AwsTransientError, WorkspaceNetworkError } from '../../../lib/errors.js';
import { ensureFileSystem, ensureLifecycle, listWorkspaceFileSystems, sizeOf } from '../../../lib/workspace/file-system.js';
import { ensureWorkspaceGroups } from '../../../lib/workspace/groups.js';
import { ensureMountTargets } from '../../../lib/workspace/mount-targets.js';
import { creationToken, isWorkspaceResource, workspaceGroupName } from '../../../lib/workspace/names.js';
import { assertVpcDns } from '../../../lib/workspace/vpc-dns.js';
import { awsError } from '../steps/fixtures.js';

const efsMock = mockClient(EFSClient);
const ec2Mock = mockClient(EC2Client);
const efs = new EFSClient({ region: 'us-east-1' });
const ec2 = new EC2Client({ region: 'us-east-1' });
const TAGS = [{ Key: 'gpu-deploy:workspace', Value: 'demo' }, { Key: 'gpu-deploy:managed-by', Value: 'gpu-deploy' }];
const noSleep = { sleep: async () => undefined };

beforeEach(() => {
  efsMock.reset();
  ec2Mock.reset();
});

describe('names', () => {
  test('the creation token is gpu-deploy-ws-NAME, and a name too long for 64 characters keeps a digest of itself', () => {
    expect(creationToken('demo')).toBe('gpu-deploy-ws-demo');
    const long = creationToken('a'.repeat(63));
    expect(long).toHaveLength(64);
    expect(long).toMatch(/^gpu-deploy-ws-a+-[0-9a-f]{12}$/);
    expect(creationToken(`${'a'.repeat(62)}b`)).not.toBe(long);
    expect(workspaceGroupName('demo', 'mount-target')).toBe('gpu-deploy-ws-demo-mount-target');
  });

  test('only resources with both the workspace tag and the managed-by tag are workspaces', () => {
    expect(isWorkspaceResource(TAGS, 'demo')).toBe(true);
    expect(isWorkspaceResource(TAGS, 'other')).toBe(false);
    expect(isWorkspaceResource([TAGS[0] as { Key: string; Value: string }])).toBe(false);
    expect(isWorkspaceResource(undefined)).toBe(false);
  });
});

describe('the file system', () => {
  test('found by tag across pages: nothing is created', async () => {
    efsMock.on(DescribeFileSystemsCommand).resolvesOnce({ FileSystems: [{ FileSystemId: 'fs-other' } as never], NextMarker: 'm2' }).resolvesOnce({ FileSystems: [{ FileSystemId: 'fs-1', Tags: TAGS } as never] });
    expect(await ensureFileSystem(efs, 'demo')).toMatchObject({ fileSystem: { FileSystemId: 'fs-1' }, created: false });
    expect(efsMock.commandCalls(DescribeFileSystemsCommand)[1]?.args[0].input).toEqual({ Marker: 'm2' });
    expect(efsMock.commandCalls(CreateFileSystemCommand)).toHaveLength(0);
  });

  test('created encrypted, elastic, general purpose, tagged, with the creation token', async () => {
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    efsMock.on(CreateFileSystemCommand).resolves({ FileSystemId: 'fs-new', LifeCycleState: 'creating' } as never);
    expect(await ensureFileSystem(efs, 'demo')).toMatchObject({ fileSystem: { FileSystemId: 'fs-new' }, created: true });
    expect(efsMock.commandCalls(CreateFileSystemCommand)[0]?.args[0].input).toEqual({
      CreationToken: 'gpu-deploy-ws-demo',
      Encrypted: true,
      PerformanceMode: 'generalPurpose',
      ThroughputMode: 'elastic',
      Tags: [{ Key: 'Name', Value: 'gpu-deploy-ws-demo' }, ...TAGS],
    });
  });

  test('a retried create (the first answer was lost) gets FileSystemAlreadyExists and reads that one back by its token', async () => {
    efsMock.on(DescribeFileSystemsCommand, {}).resolves({ FileSystems: [] });
    efsMock.on(DescribeFileSystemsCommand, { CreationToken: 'gpu-deploy-ws-demo' }).resolves({ FileSystems: [{ FileSystemId: 'fs-1', LifeCycleState: 'creating' } as never] });
    efsMock.on(CreateFileSystemCommand).rejects(awsError('FileSystemAlreadyExists', 409));
    expect(await ensureFileSystem(efs, 'demo')).toMatchObject({ fileSystem: { FileSystemId: 'fs-1' }, created: false });
  });

  test('FileSystemAlreadyExists but not listed yet is transient (retried); any other error is named', async () => {
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [] });
    efsMock.on(CreateFileSystemCommand).rejects(awsError('FileSystemAlreadyExists', 409));
    await expect(ensureFileSystem(efs, 'demo')).rejects.toBeInstanceOf(AwsTransientError);
    // EFS answers its quota with 403: named as the quota it is, not as a missing permission.
    efsMock.on(CreateFileSystemCommand).rejects(awsError('FileSystemLimitExceeded', 403));
    await expect(ensureFileSystem(efs, 'demo')).rejects.toMatchObject({ name: 'WorkspaceUnavailableError', details: { code: 'FileSystemLimitExceeded' } });
    efsMock.on(CreateFileSystemCommand).rejects(awsError('AccessDeniedException', 403));
    await expect(ensureFileSystem(efs, 'demo')).rejects.toMatchObject({ name: 'AwsAccessDeniedError' });
    efsMock.on(CreateFileSystemCommand).rejects(awsError('InsufficientThroughputCapacity', 503));
    await expect(ensureFileSystem(efs, 'demo')).rejects.toBeInstanceOf(AwsTransientError);
  });

  test('the lifecycle policy is set only where there is none: a policy the user chose stays', async () => {
    efsMock.on(DescribeLifecycleConfigurationCommand).resolves({ LifecyclePolicies: [] });
    expect(await ensureLifecycle(efs, 'fs-1')).toBe(true);
    expect(efsMock.commandCalls(PutLifecycleConfigurationCommand)[0]?.args[0].input).toEqual({
      FileSystemId: 'fs-1',
      LifecyclePolicies: [{ TransitionToIA: 'AFTER_30_DAYS' }, { TransitionToPrimaryStorageClass: 'AFTER_1_ACCESS' }],
    });
    efsMock.on(DescribeLifecycleConfigurationCommand).resolves({ LifecyclePolicies: [{ TransitionToIA: 'AFTER_7_DAYS' }] });
    expect(await ensureLifecycle(efs, 'fs-1')).toBe(false);
    expect(efsMock.commandCalls(PutLifecycleConfigurationCommand)).toHaveLength(1);
  });

  test('sizes per storage class; Standard is what is not in IA or Archive when EFS leaves it out', async () => {
    expect(sizeOf({ SizeInBytes: { Value: 100, ValueInIA: 30, ValueInArchive: 10 } } as never)).toEqual({ totalBytes: 100, standardBytes: 60, iaBytes: 30, archiveBytes: 10 });
    expect(sizeOf({} as never)).toEqual({ totalBytes: 0, standardBytes: 0, iaBytes: 0, archiveBytes: 0 });
    efsMock.on(DescribeFileSystemsCommand).resolves({ FileSystems: [{ FileSystemId: 'fs-1', Tags: TAGS }, { FileSystemId: 'fs-2', Tags: [] }] as never });
    expect((await listWorkspaceFileSystems(efs)).map((fs) => fs.FileSystemId)).toEqual(['fs-1']);
  });
});

describe('the two groups', () => {
  test('made where missing, the NFS rule from the client group only; found again, nothing is made twice', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolvesOnce({ GroupId: 'sg-client' }).resolvesOnce({ GroupId: 'sg-mt' });
    expect(await ensureWorkspaceGroups(ec2, 'vpc-1', 'demo')).toEqual({ clientGroupId: 'sg-client', mountTargetGroupId: 'sg-mt' });
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)[0]?.args[0].input).toEqual({
      GroupId: 'sg-mt',
      IpPermissions: [{ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, UserIdGroupPairs: [{ GroupId: 'sg-client', Description: 'NFS from instances using the workspace' }] }],
    });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand).map((c) => c.args[0].input.GroupName)).toEqual(['gpu-deploy-ws-demo-client', 'gpu-deploy-ws-demo-mount-target']);
    // Found with its rule: no call that changes anything.
    ec2Mock.reset();
    const role = (r: string) => [...TAGS, { Key: 'gpu-deploy:workspace-role', Value: r }];
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({
      SecurityGroups: [
        { GroupId: 'sg-client', Tags: role('client') },
        { GroupId: 'sg-mt', Tags: role('mount-target'), IpPermissions: [{ IpProtocol: 'tcp', FromPort: 2049, ToPort: 2049, UserIdGroupPairs: [{ GroupId: 'sg-client' }] }] },
      ],
    });
    expect(await ensureWorkspaceGroups(ec2, 'vpc-1', 'demo')).toEqual({ clientGroupId: 'sg-client', mountTargetGroupId: 'sg-mt' });
    expect(ec2Mock.commandCalls(CreateSecurityGroupCommand)).toHaveLength(0);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(0);
  });

  test('a retried call: InvalidGroup.Duplicate is read back by name, InvalidPermission.Duplicate means the rule is there', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'tag:gpu-deploy:workspace', Values: ['demo'] }, { Name: 'vpc-id', Values: ['vpc-1'] }] }).resolves({ SecurityGroups: [] });
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'group-name', Values: ['gpu-deploy-ws-demo-client'] }, { Name: 'vpc-id', Values: ['vpc-1'] }] }).resolves({ SecurityGroups: [{ GroupId: 'sg-c' }] });
    ec2Mock.on(DescribeSecurityGroupsCommand, { Filters: [{ Name: 'group-name', Values: ['gpu-deploy-ws-demo-mount-target'] }, { Name: 'vpc-id', Values: ['vpc-1'] }] }).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).rejects(awsError('InvalidGroup.Duplicate'));
    // The mount-target group is neither listed nor readable by name yet: transient, retried by the state machine.
    await expect(ensureWorkspaceGroups(ec2, 'vpc-1', 'demo')).rejects.toBeInstanceOf(AwsTransientError);
    ec2Mock.on(CreateSecurityGroupCommand, { GroupName: 'gpu-deploy-ws-demo-mount-target' }).resolves({ GroupId: 'sg-m' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('InvalidPermission.Duplicate'));
    expect(await ensureWorkspaceGroups(ec2, 'vpc-1', 'demo')).toEqual({ clientGroupId: 'sg-c', mountTargetGroupId: 'sg-m' });
  });

  test('a client group EC2 does not know yet (InvalidGroup.NotFound) is retried; another error is named', async () => {
    ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [] });
    ec2Mock.on(CreateSecurityGroupCommand).resolvesOnce({ GroupId: 'sg-c' }).resolvesOnce({ GroupId: 'sg-m' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejectsOnce(awsError('InvalidGroup.NotFound')).resolves({});
    await ensureWorkspaceGroups(ec2, 'vpc-1', 'demo', noSleep);
    expect(ec2Mock.commandCalls(AuthorizeSecurityGroupIngressCommand)).toHaveLength(2);
    // Both groups made again (by name: a once-queue spent above would answer nothing), then the rule is refused.
    ec2Mock.on(CreateSecurityGroupCommand, { GroupName: 'gpu-deploy-ws-demo-client' }).resolves({ GroupId: 'sg-c' });
    ec2Mock.on(CreateSecurityGroupCommand, { GroupName: 'gpu-deploy-ws-demo-mount-target' }).resolves({ GroupId: 'sg-m' });
    ec2Mock.on(AuthorizeSecurityGroupIngressCommand).rejects(awsError('RulesPerSecurityGroupLimitExceeded'));
    const refused = ensureWorkspaceGroups(ec2, 'vpc-1', 'demo', noSleep);
    await expect(refused).rejects.toBeInstanceOf(AwsRequestError);
    await expect(refused).rejects.toThrow(/RulesPerSecurityGroupLimitExceeded/);
  });
});

describe('mount targets', () => {
  const placements = [
    { zone: 'us-east-1a', subnetId: 'subnet-a', vpcId: 'vpc-1' },
    { zone: 'us-east-1b', subnetId: 'subnet-b', vpcId: 'vpc-1' },
  ];

  test('made in the zones that lack one, in their subnet and the mount-target group; states as read back', async () => {
    efsMock.on(DescribeMountTargetsCommand)
      .resolvesOnce({ MountTargets: [{ MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a', SubnetId: 'subnet-a', VpcId: 'vpc-1', LifeCycleState: 'available' } as never] })
      .resolves({
        MountTargets: [
          { MountTargetId: 'fsmt-a', AvailabilityZoneName: 'us-east-1a', SubnetId: 'subnet-a', VpcId: 'vpc-1', LifeCycleState: 'available' },
          { MountTargetId: 'fsmt-b', AvailabilityZoneName: 'us-east-1b', SubnetId: 'subnet-b', VpcId: 'vpc-1', LifeCycleState: 'creating' },
        ] as never,
      });
    efsMock.on(CreateMountTargetCommand).resolves({});
    expect(await ensureMountTargets(efs, 'fs-1', placements, 'sg-mt')).toEqual({
      'us-east-1a': { mountTargetId: 'fsmt-a', subnetId: 'subnet-a', state: 'available' },
      'us-east-1b': { mountTargetId: 'fsmt-b', subnetId: 'subnet-b', state: 'creating' },
    });
    expect(efsMock.commandCalls(CreateMountTargetCommand).map((c) => c.args[0].input)).toEqual([{ FileSystemId: 'fs-1', SubnetId: 'subnet-b', SecurityGroups: ['sg-mt'] }]);
  });

  test('mount targets in another VPC: WorkspaceNetworkError (EFS serves one VPC), nothing created', async () => {
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [{ MountTargetId: 'fsmt-x', AvailabilityZoneName: 'us-east-1c', VpcId: 'vpc-9' }] as never });
    await expect(ensureMountTargets(efs, 'fs-1', placements, 'sg-mt')).rejects.toBeInstanceOf(WorkspaceNetworkError);
    expect(efsMock.commandCalls(CreateMountTargetCommand)).toHaveLength(0);
  });

  test('EFS not seeing the file system or the group yet is transient; no free address is named', async () => {
    efsMock.on(DescribeMountTargetsCommand).resolves({ MountTargets: [] });
    for (const code of ['IncorrectFileSystemLifeCycleState', 'SecurityGroupNotFound']) {
      efsMock.on(CreateMountTargetCommand).rejects(awsError(code, 409));
      await expect(ensureMountTargets(efs, 'fs-1', placements, 'sg-mt')).rejects.toMatchObject({ name: 'AwsTransientError', details: { code } });
    }
    efsMock.on(CreateMountTargetCommand).rejects(awsError('NoFreeAddressesInSubnet', 409));
    await expect(ensureMountTargets(efs, 'fs-1', placements, 'sg-mt')).rejects.toBeInstanceOf(AwsRequestError);
  });
});

describe('the VPC must resolve the file system', () => {
  test('DNS support and hostnames on: fine; either off: WorkspaceNetworkError naming it and the fix', async () => {
    ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsSupport' }).resolves({ EnableDnsSupport: { Value: true } });
    ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: true } });
    await expect(assertVpcDns(ec2, 'vpc-1')).resolves.toBeUndefined();
    ec2Mock.on(DescribeVpcAttributeCommand, { Attribute: 'enableDnsHostnames' }).resolves({ EnableDnsHostnames: { Value: false } });
    const error = await assertVpcDns(ec2, 'vpc-1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WorkspaceNetworkError);
    expect(error).toMatchObject({ message: 'VPC vpc-1 has enableDnsHostnames off: the workspace\'s DNS name would not resolve there', details: { off: ['enableDnsHostnames'] } });
    expect((error as WorkspaceNetworkError).hint).toContain('modify-vpc-attribute --vpc-id vpc-1');
  });
});
