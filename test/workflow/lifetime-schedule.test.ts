/**
 * The lifetime in the cloud, as the deployed state machines run it: the real deploy and teardown ASL under the
 * real interpreter, with the real scheduleTeardown, rollback and notify handlers against the emulator (moto's
 * EventBridge Scheduler, EC2 and EventBridge); the other Tasks are stubs. A successful deployment with a lifetime
 * creates its one-time schedule; the teardown that schedule starts, and a rollback, delete it.
 */
import { CreateScheduleGroupCommand, GetScheduleCommand, SchedulerClient, type GetScheduleCommandOutput } from '@aws-sdk/client-scheduler';
import { handler as notify } from '../../functions/notify.js';
import { handler as rollback } from '../../functions/rollback.js';
import { handler as scheduleTeardown } from '../../functions/schedule-teardown.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import { expiresAtFor, scheduleNameFor } from '../../lib/lifetime/deadline.js';
import { putTeardownSchedule } from '../../lib/lifetime/schedule.js';
import { TEARDOWN_DEFINITION_PATH, readDefinition } from '../../lib/workflow/definition.js';
import { OUTPUTS, REQUEST, runWithStubs, type Step } from './stubs.js';

const GROUP = 'gpu-deploy-wf';
const TEARDOWN_ARN = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-wf-teardown';
const ROLE_ARN = 'arn:aws:iam::123456789012:role/gpu-deploy-wf-TeardownSchedulerRole';
const ENV = { GPU_DEPLOY_SCHEDULE_GROUP: GROUP, GPU_DEPLOY_SCHEDULER_ROLE_ARN: ROLE_ARN, TEARDOWN_STATE_MACHINE_ARN: TEARDOWN_ARN };

let cloud: LocalCloud;
let scheduler: SchedulerClient;

beforeAll(async () => {
  cloud = await startLocalCloud({ region: REQUEST.region });
  scheduler = new SchedulerClient({ region: REQUEST.region, endpoint: cloud.moto.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  await scheduler.send(new CreateScheduleGroupCommand({ Name: GROUP }));
  Object.assign(process.env, ENV);
}, 180_000);

afterAll(async () => {
  for (const key of Object.keys(ENV)) delete process.env[key];
  await cloud?.stop();
});

/** The real handler as Lambda calls it. */
const real = (handler: (event: never, context: never) => Promise<unknown>): Step[] => [(event: unknown) => handler(event as never, {} as never)];
const schedule = (deploymentId: string): Promise<GetScheduleCommandOutput> =>
  scheduler.send(new GetScheduleCommand({ Name: scheduleNameFor(deploymentId), GroupName: GROUP }));
const validatedAs = (deploymentId: string): Step[] => [(event: Record<string, unknown>) => ({ deploymentId, execution: event.execution, request: event.request, instanceType: { name: 'g5.xlarge' }, zones: ['eu-west-1a'] })];

describe('deploy with a lifetime, then teardown', () => {
  const deploymentId = 'wf-life-120';
  let expiresAt: string;
  let scheduled: GetScheduleCommandOutput;

  test('success creates the one-time schedule: at the deadline, in UTC, no window, deleted after it ran, starting the teardown', async () => {
    // Prepare: the Launch step's deadline, 120 minutes from the execution's start.
    const launch: Step[] = [(event: { execution: { startTime: string } }) => {
      expiresAt = expiresAtFor(event.execution.startTime, 120);
      return { ...OUTPUTS.launch, expiresAt, idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } };
    }];

    // Act
    const run = await runWithStubs({ validateRequest: validatedAs(deploymentId), launch, scheduleTeardown: real(scheduleTeardown) }, deploymentId);

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.entered.slice(-4)).toEqual(['DeploymentSucceeded', 'ScheduleTeardown', 'NotifySucceeded', 'Succeeded']);
    const output = run.result.output as { expiresAt: string; lifetime: { schedule: { name: string; action: string; at: string }; summary: string } };
    expect(output.expiresAt).toBe(expiresAt);
    expect(output.lifetime.schedule).toMatchObject({ name: `teardown-${deploymentId}`, action: 'created', at: expiresAt });
    expect(output.lifetime.summary).toContain(`expires at ${expiresAt}`);
    expect(output.lifetime.summary).toContain('idle teardown after 30 idle minutes');
    scheduled = await schedule(deploymentId);
    expect(scheduled).toMatchObject({
      ScheduleExpression: `at(${expiresAt.slice(0, 19)})`,
      ScheduleExpressionTimezone: 'UTC',
      FlexibleTimeWindow: { Mode: 'OFF' },
      ActionAfterCompletion: 'DELETE',
      State: 'ENABLED',
      Target: { Arn: TEARDOWN_ARN, RoleArn: ROLE_ARN },
    });
    expect(JSON.parse(scheduled.Target?.Input ?? '{}')).toEqual({ deploymentId, region: REQUEST.region, reason: 'expired' });
  }, 60_000);

  test('the teardown the schedule starts (with its input) deletes the schedule and publishes GPU Deployment Expired', async () => {
    // Prepare
    const definition = readDefinition(TEARDOWN_DEFINITION_PATH);
    const input = JSON.parse(scheduled.Target?.Input ?? '{}') as unknown;

    // Act
    const run = await runWithStubs({ rollback: real(rollback), notify: real(notify) }, 'td-expired', { definition, input, stateMachineName: 'gpu-deploy-wf-teardown' });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['HasRegion', 'PrepareTeardown', 'Teardown', 'IsTornDown', 'WhyEnded', 'NotifyEnded', 'TornDown', 'Succeeded']);
    expect(run.calls.notify[0]).toMatchObject({ reason: 'expired', document: { deploymentId, region: REQUEST.region } });
    expect(run.events.filter((event) => event.kind === 'caught' || event.kind === 'failed')).toEqual([]);
    expect(run.result.output).toMatchObject({ status: 'TORN_DOWN', deploymentId });
    await expect(schedule(deploymentId)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  }, 60_000);
});

test('without a lifetime no schedule is made, and the output says what ends the deployment', async () => {
  const run = await runWithStubs({ validateRequest: validatedAs('wf-life-none'), scheduleTeardown: real(scheduleTeardown) }, 'wf-life-none');
  expect(run.result.status).toBe('SUCCEEDED');
  expect((run.result.output as { lifetime: unknown }).lifetime).toEqual({ expiresAt: null, idleTeardown: null, summary: 'no lifetime: runs until you tear it down', schedule: null });
  await expect(schedule('wf-life-none')).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
}, 60_000);

test("a rollback deletes the deployment's pending schedule", async () => {
  // Prepare: a schedule of this deployment id already pending (an earlier attempt of the same deployment).
  const deploymentId = 'wf-life-rollback';
  await putTeardownSchedule(scheduler, deploymentId, REQUEST.region, '2099-01-01T00:00:00Z', { groupName: GROUP, roleArn: ROLE_ARN, teardownStateMachineArn: TEARDOWN_ARN });
  await expect(schedule(deploymentId)).resolves.toMatchObject({ ScheduleExpression: 'at(2099-01-01T00:00:00)' });

  // Act: the GPU check fails after launch.
  const run = await runWithStubs({ validateRequest: validatedAs(deploymentId), getGpuReport: [new Error('GPU not usable')], rollback: real(rollback) }, deploymentId);

  // Assess
  expect(run.result.status).toBe('FAILED');
  expect(run.entered).toContain('Rollback');
  expect(run.entered).not.toContain('ScheduleTeardown');
  expect(run.result.rollback).toMatchObject({ done: true, schedule: 'deleted' });
  await expect(schedule(deploymentId)).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
}, 60_000);
