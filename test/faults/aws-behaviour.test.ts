/**
 * What a real AWS account does that the emulator never does by itself (issue 14): each scenario injects the exact
 * AWS error code and message in front of moto (the stand-in's fault proxy), runs the real deploy ASL with the real
 * handlers, and asserts the outcome and that the deployment created exactly one instance.
 */
import { CreateSecurityGroupCommand, DescribeSecurityGroupsCommand, DeleteSecurityGroupCommand, DescribeVpcsCommand } from '@aws-sdk/client-ec2';
import { randomUUID } from 'node:crypto';
import { clearUnavailable } from '../../lib/capacity/unavailable.js';
import { LOCAL_INSTANCE_PROFILE, startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import type { Fault } from '../../lib/local/standin.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally, type LocalRunResult, type ProgressEvent } from '../../lib/workflow/local-runner.js';
import { deploymentInstances, isLive, motoEc2, terminateBehindTheBack } from './helpers.js';

let cloud: LocalCloud;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: 'us-east-1' });
});

afterAll(async () => {
  await cloud?.stop();
});

afterEach(async () => {
  cloud.standIn.faults.length = 0;
  await terminateBehindTheBack(cloud, (await cloud.liveInstances()).filter(Boolean));
});

interface Outcome {
  run: LocalRunResult;
  deploymentId: string;
  calls: string[];
  events: ProgressEvent[];
  /** Every instance that ever carried the deployment's tag, terminated ones included. */
  created: number;
  live: string[];
  output: Record<string, unknown>;
}

async function deploy(request: Record<string, unknown>, faults: Fault[], deploymentId = `aws-${randomUUID().slice(0, 8)}`): Promise<Outcome> {
  clearUnavailable();
  cloud.standIn.host = {};
  cloud.standIn.faults.length = 0;
  cloud.standIn.faults.push(...faults);
  const before = cloud.standIn.calls.length;
  const events: ProgressEvent[] = [];
  const run = await runLocally({ input: request, handlers: HANDLERS, executionName: deploymentId, waitMs: 20, retryMs: 10, onEvent: (e) => events.push(e) });
  const instances = await deploymentInstances(cloud, deploymentId);
  return {
    run,
    deploymentId,
    calls: cloud.standIn.calls.slice(before),
    events,
    created: instances.length,
    live: instances.filter(isLive).map((i) => i.InstanceId ?? ''),
    output: (run.output ?? {}) as Record<string, unknown>,
  };
}

const count = (calls: string[], operation: string): number => calls.filter((c) => c === operation).length;
const unfired = (faults: Fault[]): Fault[] => faults.filter((f) => f.times !== 0);

/** Succeeded with exactly one instance, which is the result and still runs. */
function expectOneInstance(outcome: Outcome): void {
  expect(outcome.run).toMatchObject({ status: 'SUCCEEDED' });
  expect(outcome.created).toBe(1);
  expect(outcome.live).toEqual([outcome.output.instanceId]);
}

describe('EC2 eventual consistency at launch', () => {
  test('RunInstances answers InvalidGroup.NotFound (the group was created a moment ago): retried, SUCCEEDED, one instance', async () => {
    // Prepare: the message EC2 sends for a group it does not see yet.
    const faults: Fault[] = [
      { operation: 'ec2.RunInstances', code: 'InvalidGroup.NotFound', message: "The security group 'sg-0f1e2d3c4b5a69788' does not exist in VPC 'vpc-0a1b2c3d'", status: 400, times: 2 },
    ];
    // Act
    const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, faults);
    // Assess
    expectOneInstance(outcome);
    expect(unfired(faults)).toEqual([]);
    expect(count(outcome.calls, 'ec2.RunInstances')).toBe(3);
    // Retried inside the Launch step, not by a rollback and a second deployment.
    expect(outcome.events.filter((e) => e.kind === 'entered' && e.state === 'Launch')).toHaveLength(1);
    expect(outcome.events.some((e) => e.state === 'Rollback')).toBe(false);
  });

  test('RunInstances answers InvalidParameterValue for the instance profile created a moment ago: retried, SUCCEEDED, one instance', async () => {
    // Prepare
    const faults: Fault[] = [
      {
        operation: 'ec2.RunInstances',
        code: 'InvalidParameterValue',
        message: `Value (${LOCAL_INSTANCE_PROFILE}) for parameter iamInstanceProfile.name is invalid. Invalid IAM Instance Profile name`,
        status: 400,
        times: 1,
      },
    ];
    // Act
    const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, faults);
    // Assess
    expectOneInstance(outcome);
    expect(count(outcome.calls, 'ec2.RunInstances')).toBe(2);
  });

  test('an InvalidParameterValue that is not about the profile is not retried: FAILED LaunchFailedError, no instance', async () => {
    // Prepare
    const faults: Fault[] = [{ operation: 'ec2.RunInstances', code: 'InvalidParameterValue', message: 'User data is limited to 16384 bytes', status: 400 }];
    // Act
    const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, faults);
    // Assess
    expect(outcome.run).toMatchObject({ status: 'FAILED', error: 'LaunchFailedError' });
    expect(count(outcome.calls, 'ec2.RunInstances')).toBe(1);
    expect(outcome.created).toBe(0);
  });

  test('CreateSecurityGroup answers InvalidGroup.Duplicate (the first try\'s group, not yet visible by tag): the group is found by name, SUCCEEDED, one instance', async () => {
    // Prepare: the deployment's group exists under its name but the tag lookup cannot see it, as right after a
    // first Launch try created it. moto itself answers CreateSecurityGroup with the real InvalidGroup.Duplicate.
    const deploymentId = `aws-${randomUUID().slice(0, 8)}`;
    const ec2 = motoEc2(cloud);
    const vpcs = await ec2.send(new DescribeVpcsCommand({ Filters: [{ Name: 'is-default', Values: ['true'] }] }));
    const vpcId = vpcs.Vpcs?.[0]?.VpcId ?? '';
    const first = await ec2.send(new CreateSecurityGroupCommand({ GroupName: `gpu-deploy-${deploymentId}`, Description: 'first try', VpcId: vpcId }));
    try {
      // Act
      const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, [], deploymentId);
      // Assess
      expectOneInstance(outcome);
      const [instance] = await deploymentInstances(cloud, deploymentId);
      expect(instance?.SecurityGroups?.map((g) => g.GroupId)).toEqual([first.GroupId]);
      expect(count(outcome.calls, 'ec2.CreateSecurityGroup')).toBe(1);
      const groups = await ec2.send(new DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [`gpu-deploy-${deploymentId}`] }] }));
      expect(groups.SecurityGroups?.map((g) => g.GroupId)).toEqual([first.GroupId]);
    } finally {
      await terminateBehindTheBack(cloud, (await cloud.liveInstances()).filter(Boolean));
      await ec2.send(new DeleteSecurityGroupCommand({ GroupId: first.GroupId })).catch(() => undefined);
    }
  });
});

describe('a ClientToken whose instance is gone', () => {
  test('RunInstances answers IdempotentInstanceTerminated: the attempt takes a new token, SUCCEEDED, one instance', async () => {
    // Prepare: EC2's documented message for the code.
    const faults: Fault[] = [
      {
        operation: 'ec2.RunInstances',
        code: 'IdempotentInstanceTerminated',
        message: 'The request to launch an instance uses the same client token as a previous request for which the instance has been terminated.',
        status: 400,
        times: 1,
      },
    ];
    // Act
    const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, faults);
    // Assess
    expectOneInstance(outcome);
    expect(count(outcome.calls, 'ec2.RunInstances')).toBe(2);
    const attempts = (outcome.output.launchAttempts as { zone: string; outcome: string }[]).map((a) => a.outcome);
    expect(attempts).toEqual(['IdempotentInstanceTerminated', 'launched']);
  });
});

describe('spot interruption warnings reach only the stack\'s region', () => {
  test('onInterruption relaunch for another region than the stack\'s: FAILED InterruptionRegionUnsupportedError, rejected before launch, no instance', async () => {
    // Act: the local cloud (the stack's region, AWS_REGION) is us-east-1.
    const outcome = await deploy({ instanceType: 'g5.xlarge', region: 'eu-west-1', onInterruption: 'relaunch' }, []);
    // Assess
    expect(outcome.run).toMatchObject({ status: 'FAILED', error: 'InterruptionRegionUnsupportedError' });
    expect(outcome.run.cause).toContain('eu-west-1');
    expect(outcome.events.some((e) => e.kind === 'entered' && e.state === 'NotifyRejected')).toBe(true);
    expect(count(outcome.calls, 'ec2.RunInstances')).toBe(0);
    expect(outcome.created).toBe(0);
  });
});

describe('SSM Run Command while the agent re-registers', () => {
  const invalidInstance = (times?: number): Fault => ({
    operation: 'ssm.SendCommand',
    code: 'InvalidInstanceId',
    message: 'Instances [[i-0123456789abcdef0]] not in a valid state for account 123456789012',
    status: 400,
    ...(times === undefined ? {} : { times }),
  });

  test('SendCommand answers InvalidInstanceId twice: sent again after a wait, SUCCEEDED, one instance', async () => {
    // Act
    const outcome = await deploy({ instanceType: 'g5.xlarge', market: 'on-demand' }, [invalidInstance(2)]);
    // Assess
    expectOneInstance(outcome);
    expect(count(outcome.calls, 'ssm.SendCommand')).toBe(3);
    expect(outcome.events.filter((e) => e.kind === 'entered' && e.state === 'VerifyGpu')).toHaveLength(3);
    expect(outcome.events.some((e) => e.state === 'Rollback')).toBe(false);
  });

  test('InvalidInstanceId until the verify deadline (verifySeconds 1): FAILED VerificationTimeoutError, rolled back, nothing left', async () => {
    // Act
    const outcome = await deploy(
      { instanceType: 'g5.xlarge', market: 'on-demand', timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 1 } },
      [invalidInstance()],
    );
    // Assess
    expect(outcome.run).toMatchObject({ status: 'FAILED', error: 'VerificationTimeoutError', rollback: { done: true } });
    expect(outcome.run.cause).toContain('InvalidInstanceId');
    expect(outcome.created).toBe(1);
    expect(outcome.live).toEqual([]);
  });
});
