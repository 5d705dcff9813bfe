/**
 * launchInstance against the AWS behaviour of a real account (issue 14): a security group or instance profile that
 * EC2 does not see yet, and a ClientToken whose instance was terminated. SDK error shapes as EC2 sends them.
 */
import {
  DescribeInstancesCommand,
  DescribeSecurityGroupsCommand,
  DescribeSubnetsCommand,
  EC2Client,
  EC2ServiceException,
  RunInstancesCommand,
  type RunInstancesCommandOutput,
} from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import type { LaunchAttempt } from '../../../lib/capacity/plan.js';
import { LaunchFailedError } from '../../../lib/errors.js';
import { launchInstance, MAX_TOKEN_GENERATIONS, type LaunchInput } from '../../../lib/launch/instance.js';
import { clientToken } from '../../../lib/launch/tags.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

const INPUT: LaunchInput = {
  deploymentId: 'dep-1',
  executionId: 'arn:aws:states:us-east-1:123456789012:execution:deploy:dep-1',
  imageId: 'ami-0abc',
  rootVolumeGiB: 100,
  userDataBase64: 'IyEvYmluL2Jhc2gK',
  instanceProfileName: 'gpu-deploy-ssm',
  tags: {},
};
const OD_A: LaunchAttempt = { zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', expectedHourly: 1.006, reason: 'od' };
const OD_B: LaunchAttempt = { zone: 'us-east-1b', market: 'on-demand', instanceType: 'g5.xlarge', expectedHourly: 1.006, reason: 'od' };
const NO_WAIT = { sleep: async () => undefined };

const ec2Error = (name: string, message: string): EC2ServiceException =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode: 400 }, message });
const GROUP_NOT_FOUND = ec2Error('InvalidGroup.NotFound', "The security group 'sg-1' does not exist in VPC 'vpc-1'");
const PROFILE_INVALID = ec2Error('InvalidParameterValue', 'Value (gpu-deploy-ssm) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name');
const TOKEN_TERMINATED = ec2Error(
  'IdempotentInstanceTerminated',
  'The request to launch an instance uses the same client token as a previous request for which the instance has been terminated.',
);

const launched: Omit<RunInstancesCommandOutput, '$metadata'> = { Instances: [{ InstanceId: 'i-new', InstanceType: 'g5.xlarge', Placement: { AvailabilityZone: 'us-east-1a' }, SubnetId: 'subnet-a' }] };
const tokensSent = (): (string | undefined)[] => ec2Mock.commandCalls(RunInstancesCommand).map((c) => c.args[0].input.ClientToken);

beforeEach(() => {
  ec2Mock.reset();
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [] });
  ec2Mock.on(DescribeSubnetsCommand).resolves({ Subnets: [{ SubnetId: 'subnet-a', VpcId: 'vpc-1', AvailabilityZone: 'us-east-1a' }] });
  ec2Mock.on(DescribeSecurityGroupsCommand).resolves({ SecurityGroups: [{ GroupId: 'sg-1' }] });
});

describe('launchInstance: a security group or instance profile created moments ago', () => {
  test('InvalidGroup.NotFound twice, then launched: the same ClientToken every time, one instance', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejectsOnce(GROUP_NOT_FOUND).rejectsOnce(GROUP_NOT_FOUND).resolves(launched);
    // Act
    const result = await launchInstance(ec2, INPUT, [OD_A], undefined, NO_WAIT);
    // Assess
    expect(result.instanceId).toBe('i-new');
    expect(result.attempts).toEqual([{ zone: 'us-east-1a', market: 'on-demand', instanceType: 'g5.xlarge', outcome: 'launched' }]);
    expect(tokensSent()).toEqual(Array(3).fill(clientToken(INPUT.executionId, OD_A)));
  });

  test('InvalidParameterValue naming the new instance profile is retried the same way', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejectsOnce(PROFILE_INVALID).resolves(launched);
    // Act
    const result = await launchInstance(ec2, INPUT, [OD_A], undefined, NO_WAIT);
    // Assess
    expect(result.instanceId).toBe('i-new');
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(2);
  });

  test('a group that never becomes visible: bounded, then LaunchFailedError saying so (no next attempt)', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(GROUP_NOT_FOUND);
    // Act
    const outcome = launchInstance(ec2, INPUT, [OD_A, OD_B], undefined, { ...NO_WAIT, attempts: 4 });
    // Assess
    await expect(outcome).rejects.toBeInstanceOf(LaunchFailedError);
    await expect(launchInstance(ec2, INPUT, [OD_A], undefined, { ...NO_WAIT, attempts: 4 })).rejects.toMatchObject({
      message: 'RunInstances failed in us-east-1a (on-demand): InvalidGroup.NotFound',
      hint: expect.stringContaining('still did not know the security group or instance profile'),
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(8);
  });

  test('an InvalidParameterValue about something else fails at once', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(ec2Error('InvalidParameterValue', 'User data is limited to 16384 bytes'));
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [OD_A], undefined, NO_WAIT)).rejects.toMatchObject({
      name: 'LaunchFailedError',
      hint: 'Check the request (AMI, subnet, instance profile) and the account limits named in the code',
    });
    expect(ec2Mock.commandCalls(RunInstancesCommand)).toHaveLength(1);
  });
});

describe('launchInstance: IdempotentInstanceTerminated (the token\'s instance is gone)', () => {
  test('the same attempt is launched with the next token generation; the refusal is recorded', async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejectsOnce(TOKEN_TERMINATED).resolves(launched);
    // Act
    const result = await launchInstance(ec2, INPUT, [OD_A, OD_B], undefined, NO_WAIT);
    // Assess
    expect(result.instanceId).toBe('i-new');
    expect(tokensSent()).toEqual([clientToken(INPUT.executionId, OD_A, 0), clientToken(INPUT.executionId, OD_A, 1)]);
    expect(result.attempts.map((a) => `${a.zone}:${a.outcome}`)).toEqual(['us-east-1a:IdempotentInstanceTerminated', 'us-east-1a:launched']);
  });

  test('generations are deterministic: a retried Launch replays the same tokens (EC2 then returns the one instance)', () => {
    const first = [0, 1, 2].map((g) => clientToken(INPUT.executionId, OD_A, g));
    const again = [0, 1, 2].map((g) => clientToken(INPUT.executionId, OD_A, g));
    expect(again).toEqual(first);
    expect(new Set(first).size).toBe(3);
    expect(first.every((t) => t.length <= 64)).toBe(true);
  });

  test(`bounded: after ${MAX_TOKEN_GENERATIONS} generations → LaunchFailedError naming the code`, async () => {
    // Prepare
    ec2Mock.on(RunInstancesCommand).rejects(TOKEN_TERMINATED);
    // Act + Assess
    await expect(launchInstance(ec2, INPUT, [OD_A], undefined, NO_WAIT)).rejects.toMatchObject({
      name: 'LaunchFailedError',
      message: 'RunInstances failed in us-east-1a (on-demand): IdempotentInstanceTerminated',
    });
    expect(new Set(tokensSent()).size).toBe(MAX_TOKEN_GENERATIONS);
  });
});
