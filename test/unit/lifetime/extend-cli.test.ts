/** `gpu-deploy extend` with a deployed stack (its CloudFormation outputs name the schedule group and role). */
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { CreateTagsCommand, DescribeInstancesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { CreateScheduleCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { GetCommandInvocationCommand, SendCommandCommand, SSMClient } from '@aws-sdk/client-ssm';
import { mockClient } from 'aws-sdk-client-mock';
import { extendMain } from '../../../lib/cli/extend.js';
import type { Io } from '../../../lib/cli/output.js';
import { awsError } from '../steps/fixtures.js';

const cfnMock = mockClient(CloudFormationClient);
const ec2Mock = mockClient(EC2Client);
const ssmMock = mockClient(SSMClient);
const schedulerMock = mockClient(SchedulerClient);
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const TEARDOWN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-teardown';
const ROLE = 'arn:aws:iam::123456789012:role/gpu-deploy-dev-TeardownSchedulerRole';
const outputs = (extra: Record<string, string>) =>
  Object.entries({ DeployStateMachineArn: DEPLOY, TeardownStateMachineArn: TEARDOWN, ...extra }).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue }));

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return { out: (t) => void (out += t), err: (t) => void (err += t), stdout: () => out, stderr: () => err };
}

const deps = () => ({
  cfn: new CloudFormationClient({ region: 'eu-west-1' }),
  ec2: new EC2Client({ region: 'eu-west-1' }),
  ssm: new SSMClient({ region: 'eu-west-1' }),
  scheduler: new SchedulerClient({ region: 'eu-west-1' }),
  now: () => new Date('2026-12-02T09:00:00Z'),
  sleep: async () => undefined,
  pollMs: 0,
});

beforeEach(() => {
  for (const mock of [cfnMock, ec2Mock, ssmMock, schedulerMock]) mock.reset();
  const Tags = [
    { Key: 'gpu-deploy:deployment-id', Value: 'cli-1' },
    { Key: 'gpu-deploy:execution-arn', Value: `${DEPLOY.replace(':stateMachine:', ':execution:')}:cli-1` },
    { Key: 'gpu-deploy:expires-at', Value: '2026-12-02T09:30:00Z' },
  ];
  ec2Mock.on(DescribeInstancesCommand).resolves({ Reservations: [{ Instances: [{ InstanceId: 'i-0abc', State: { Name: 'running' }, Tags }] }] });
  ec2Mock.on(CreateTagsCommand).resolves({});
  ssmMock.on(SendCommandCommand).resolves({ Command: { CommandId: 'cmd-1' } });
  ssmMock.on(GetCommandInvocationCommand).resolves({ Status: 'Success', StandardOutputContent: 'backstop: shutdown at epoch 1796207400 plus 600 s\n' });
  schedulerMock.on(CreateScheduleCommand).resolves({ ScheduleArn: 'arn:sched' });
});

test("with the deployed stack: the schedule in the stack's group, run by the stack's role, moves too", async () => {
  cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'gpu-deploy-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs({ TeardownScheduleGroupName: 'gpu-deploy-dev', TeardownSchedulerRoleArn: ROLE }) }] });
  const io = capture();
  expect(await extendMain(['cli-1', '--minutes', '60', '--region', 'eu-west-1'], io, deps())).toBe(0);
  expect(JSON.parse(io.stdout())).toMatchObject({ status: 'EXTENDED', expiresAt: '2026-12-02T10:30:00Z', schedule: { action: 'created', name: 'teardown-cli-1' } });
  expect(schedulerMock.commandCalls(CreateScheduleCommand)[0]?.args[0].input).toMatchObject({ GroupName: 'gpu-deploy-dev', Target: { Arn: TEARDOWN, RoleArn: ROLE } });
  expect(io.stderr()).toContain('its schedule tears it down then');
});

test('a stack deployed before lifetimes existed: the schedule is skipped, and the reason says to update it', async () => {
  cfnMock.on(DescribeStacksCommand).resolves({ Stacks: [{ StackName: 'gpu-deploy-dev', StackStatus: 'UPDATE_COMPLETE', CreationTime: new Date(), Outputs: outputs({}) }] });
  const io = capture();
  expect(await extendMain(['cli-1', '--minutes', '60', '--json'], io, deps())).toBe(0);
  expect(JSON.parse(io.stdout()).schedule).toEqual({ action: 'skipped', reason: 'the stack gpu-deploy-dev predates lifetimes (npx serverless deploy updates it)' });
});

test('CloudFormation refusing (not a missing stack) fails with the named error, before anything moves', async () => {
  cfnMock.on(DescribeStacksCommand).rejects(awsError('AccessDenied', 403));
  const io = capture();
  expect(await extendMain(['cli-1', '--minutes', '60'], io, deps())).toBe(1);
  expect(io.stderr()).toContain('error: AwsAccessDeniedError');
  expect(ssmMock.calls()).toHaveLength(0);
});
