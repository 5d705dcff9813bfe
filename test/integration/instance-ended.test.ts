/**
 * Whatever ends an instance, its leftovers go: the real instanceEnded handler against the local cloud. A deployment
 * launched by "this stack" (a teardown state machine created in the emulator) is terminated behind its back, as a
 * console termination or spot reclaim would; the state-change event starts the teardown of its deployment. An EC2
 * error (the exact code and message, injected in front of the emulator) starts nothing and is named, so EventBridge
 * retries the delivery.
 */
import { TerminateInstancesCommand } from '@aws-sdk/client-ec2';
import { CreateStateMachineCommand, DescribeExecutionCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { handler } from '../../functions/instance-ended.js';
import { ec2Client } from '../../lib/aws/ec2.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { rollbackStep } from '../../lib/steps/rollback.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';
import { runLocally } from '../../lib/workflow/local-runner.js';
import { TEARDOWN_DEFINITION_PATH, readDefinition, substituteArns } from '../../lib/workflow/definition.js';
import { deploymentInstances, motoEc2 } from './helpers.js';

const REGION = 'us-east-1';
const ENV = ['DEPLOY_STATE_MACHINE_ARN', 'TEARDOWN_STATE_MACHINE_ARN'] as const;
let cloud: LocalCloud;
let teardownArn: string;
const deploymentId = 'it-ended-1';
let instanceId: string;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REGION });
  const sfn = new SFNClient({ region: REGION });
  const definition = JSON.stringify(substituteArns(readDefinition(TEARDOWN_DEFINITION_PATH)));
  teardownArn = (await sfn.send(new CreateStateMachineCommand({ name: 'gpu-deploy-local-teardown', definition, roleArn: 'arn:aws:iam::123456789012:role/sfn' }))).stateMachineArn ?? '';
  // The local runner names its executions' state machine gpu-deploy-local-deploy: "this stack".
  const run = await runLocally({ input: { instanceType: 'g5.xlarge', region: REGION, idleTeardown: { minutes: 30 } }, handlers: HANDLERS, executionName: deploymentId, stateMachineName: 'gpu-deploy-local-deploy', waitMs: 20, retryMs: 10 });
  expect(run.status).toBe('SUCCEEDED');
  instanceId = String((run.output as { instanceId: string }).instanceId);
  process.env.DEPLOY_STATE_MACHINE_ARN = 'arn:aws:states:local:000000000000:stateMachine:gpu-deploy-local-deploy';
  process.env.TEARDOWN_STATE_MACHINE_ARN = teardownArn;
}, 240_000);

afterAll(async () => {
  for (const key of ENV) delete process.env[key];
  await rollbackStep({ deploymentId, request: { region: REGION } }, ec2Client(REGION)).catch(() => undefined);
  await cloud?.stop();
});

const event = (id: string, state = 'terminated') => ({ id: 'evt-1', region: REGION, time: new Date().toISOString(), detail: { 'instance-id': id, state } });

test('an EC2 error looking the instance up starts nothing and is named (EventBridge retries)', async () => {
  await motoEc2(cloud).send(new TerminateInstancesCommand({ InstanceIds: [instanceId] }));
  // Both of the SDK's attempts are throttled.
  cloud.standIn.faults.push({ operation: 'ec2.DescribeInstances', code: 'RequestLimitExceeded', status: 503, message: 'Request limit exceeded.', times: 2 });
  await expect(handler(event(instanceId) as never, {} as never)).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  await expect(new SFNClient({ region: REGION }).send(new DescribeExecutionCommand({ executionArn: `${teardownArn.replace(':stateMachine:', ':execution:')}:ended-${instanceId}` }))).rejects.toMatchObject({ name: 'ExecutionDoesNotExist' });
}, 60_000);

test('a terminated instance of this stack (console, spot reclaim): the teardown of its deployment starts, once', async () => {
  const [instance] = await deploymentInstances(cloud, deploymentId);
  expect(instance?.State?.Name).toBe('terminated');
  const outcome = await handler(event(instanceId) as never, {} as never);
  expect(outcome).toMatchObject({ action: 'teardown-started', deploymentId, instanceId, reason: null });
  const execution = await new SFNClient({ region: REGION }).send(new DescribeExecutionCommand({ executionArn: (outcome as { teardownExecutionArn: string }).teardownExecutionArn }));
  expect(JSON.parse(execution.input ?? '{}')).toEqual({ deploymentId, region: REGION, instanceId });
  // EventBridge delivers at least once: a second delivery (same name, same input) gets the same execution back.
  const again = await handler(event(instanceId) as never, {} as never);
  expect((again as { teardownExecutionArn: string }).teardownExecutionArn).toBe((outcome as { teardownExecutionArn: string }).teardownExecutionArn);
  const executions = await new SFNClient({ region: REGION }).send(new ListExecutionsCommand({ stateMachineArn: teardownArn }));
  expect(executions.executions).toHaveLength(1);
}, 60_000);

test('other states and instances gpu-deploy did not launch are ignored', async () => {
  await expect(handler(event(instanceId, 'stopping') as never, {} as never)).resolves.toMatchObject({ action: 'ignored' });
  await expect(handler(event('i-0123456789abcdef0') as never, {} as never)).resolves.toMatchObject({ action: 'ignored', reason: 'the instance was not launched by gpu-deploy' });
}, 60_000);
