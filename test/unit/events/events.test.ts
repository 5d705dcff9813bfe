import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { mockClient } from 'aws-sdk-client-mock';
import { handler as eventStartHandler } from '../../../functions/event-start.js';
import { handler as notifyHandler } from '../../../functions/notify.js';
import { DETAIL_TYPES, EVENT_SOURCE, clip, publishEvent } from '../../../lib/events/eventbridge.js';
import { deploymentEventDetail, notifyStep, type NotifyInput } from '../../../lib/events/notify.js';
import { eventExecutionName, startFromEvent } from '../../../lib/events/requests.js';

const ebMock = mockClient(EventBridgeClient);
const sfnMock = mockClient(SFNClient);
const events = new EventBridgeClient({ region: 'eu-west-1' });
const sfn = new SFNClient({ region: 'eu-west-1' });
const DEPLOY = 'arn:aws:states:eu-west-1:123456789012:stateMachine:gpu-deploy-dev-deploy';
const EXECUTION = { id: 'arn:aws:states:eu-west-1:123456789012:execution:gpu-deploy-dev-deploy:api-1', name: 'api-1' };
const awsError = (name: string, status = 400): Error => Object.assign(new Error(`${name} message`), { name, $metadata: { httpStatusCode: status } });
const putDetail = (index = 0): Record<string, unknown> => JSON.parse(ebMock.commandCalls(PutEventsCommand)[index]!.args[0].input.Entries![0]!.Detail!) as Record<string, unknown>;

const saved = { ...process.env };
beforeEach(() => {
  ebMock.reset();
  sfnMock.reset();
  ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 0, Entries: [{ EventId: 'evt-123' }] });
});
afterEach(() => {
  process.env = { ...saved };
});

const SUCCESS_OUTPUT = {
  status: 'SUCCEEDED', deploymentId: 'api-1', region: 'eu-west-1', instanceId: 'i-0abc', instanceType: 'g5.xlarge', zone: 'eu-west-1a', market: 'spot',
  estimate: { total: { hourly: 0.4 } }, gpu: { healthy: true },
};

describe('deploymentEventDetail', () => {
  test('success: the result, every documented key present', () => {
    expect(deploymentEventDetail({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution: EXECUTION, document: SUCCESS_OUTPUT })).toEqual({
      deploymentId: 'api-1', executionArn: EXECUTION.id, status: 'SUCCEEDED', terminalState: 'Succeeded',
      instanceId: 'i-0abc', instanceType: 'g5.xlarge', region: 'eu-west-1', zone: 'eu-west-1a', market: 'spot',
      error: null, cause: null, estimate: { total: { hourly: 0.4 } }, originalError: null, rollback: null,
    });
  });

  test('rejected at validation: the raw request and the error (Lambda cause JSON unwrapped)', () => {
    const detail = deploymentEventDetail({
      status: 'FAILED', terminalState: 'RequestRejected', execution: { id: EXECUTION.id, name: 'evt-1' },
      document: { instanceType: 'g5.xlargee', region: 'eu-west-1', error: { Error: 'InstanceTypeUnknownError', Cause: JSON.stringify({ errorMessage: 'No instance type "g5.xlargee"' }) } },
    });
    expect(detail).toMatchObject({ deploymentId: 'evt-1', instanceType: 'g5.xlargee', region: 'eu-west-1', instanceId: null, error: 'InstanceTypeUnknownError', cause: 'No instance type "g5.xlargee"', estimate: null });
  });

  test('failed after launch: the launch, the plan estimate when the launch had none, and the rollback', () => {
    const detail = deploymentEventDetail({
      status: 'FAILED', terminalState: 'DeploymentFailed', execution: EXECUTION,
      document: {
        deploymentId: 'api-1', request: { instanceType: 'g5.xlarge', region: 'eu-west-1' }, instanceType: { instanceType: 'g5.xlarge' },
        plan: { estimates: { onDemand: { total: { hourly: 1 } } } }, launch: { instanceId: 'i-0abc', instanceType: 'g5.2xlarge', zone: 'eu-west-1b', market: 'on-demand' },
        error: { Error: 'GpuVerificationFailedError', Cause: 'x'.repeat(5000) }, rollback: { done: true, remainingInstances: [], remainingSecurityGroups: [], startedAt: 't' },
      },
    });
    expect(detail).toMatchObject({ instanceId: 'i-0abc', instanceType: 'g5.2xlarge', zone: 'eu-west-1b', market: 'on-demand', error: 'GpuVerificationFailedError', estimate: { total: { hourly: 1 } }, rollback: { done: true, remainingInstances: [], remainingSecurityGroups: [] } });
    expect(detail.cause).toHaveLength(2000);
  });

  test('rollback failed: RollbackIncompleteError with its cause, and the original error', () => {
    const detail = deploymentEventDetail({
      status: 'FAILED', terminalState: 'RollbackFailed', execution: EXECUTION,
      document: { deploymentId: 'api-1', request: { region: 'eu-west-1' }, error: { Error: 'CapacityUnavailableError', Cause: 'none' }, rollbackError: { Error: 'AwsAccessDeniedError', Cause: 'denied' } },
    });
    expect(detail).toMatchObject({ error: 'RollbackIncompleteError', cause: 'denied', originalError: 'CapacityUnavailableError' });
  });

  test('a document that is not an object still gives a detail', () => {
    expect(deploymentEventDetail({ status: 'FAILED', terminalState: 'PlanningFailed', execution: EXECUTION, document: 'x' })).toMatchObject({ deploymentId: 'api-1', error: 'States.Runtime', cause: null, region: null });
  });
});

describe('notifyStep and publishEvent', () => {
  test('publishes on the bus with source gpu-deploy, the detail-type of the outcome and the execution as resource', async () => {
    // Act
    const result = await notifyStep({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution: EXECUTION, document: SUCCESS_OUTPUT }, events, 'my-bus');

    // Assess
    expect(result).toEqual({ eventId: 'evt-123', detailType: DETAIL_TYPES.succeeded });
    const entry = ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry).toMatchObject({ Source: EVENT_SOURCE, DetailType: 'GPU Deployment Succeeded', Resources: [EXECUTION.id], EventBusName: 'my-bus' });
    expect(putDetail()).toMatchObject({ deploymentId: 'api-1', status: 'SUCCEEDED' });
  });

  test('a failure publishes GPU Deployment Failed; a local execution id is no resource', async () => {
    await notifyStep({ status: 'FAILED', terminalState: 'PlanningFailed', execution: { id: 'local-1', name: 'local-1' }, document: { error: { Error: 'X', Cause: 'y' } } }, events);
    const entry = ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!;
    expect(entry.DetailType).toBe('GPU Deployment Failed');
    expect(entry).not.toHaveProperty('Resources');
    expect(entry).not.toHaveProperty('EventBusName');
  });

  test.each([
    ['ThrottlingException', 'AwsThrottlingError'],
    ['InternalFailure', 'AwsTransientError'],
    ['AccessDeniedException', 'AwsAccessDeniedError'],
    [undefined, 'AwsRequestError'],
  ])('a rejected entry (%s) is a named error', async (code, name) => {
    ebMock.on(PutEventsCommand).resolves({ FailedEntryCount: 1, Entries: [code ? { ErrorCode: code, ErrorMessage: 'no' } : {}] });
    await expect(publishEvent(events, { detailType: 'x', detail: {} })).rejects.toMatchObject({ name });
  });

  test('an SDK error is a named error; the notify handler passes it on (the ASL retries or catches it)', async () => {
    // Prepare
    ebMock.on(PutEventsCommand).rejects(awsError('ThrottlingException'));
    process.env.AWS_REGION = 'eu-west-1';

    // Act + Assess
    await expect(notifyHandler({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution: EXECUTION, document: SUCCESS_OUTPUT } as NotifyInput, {} as never)).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  });

  test('the notify handler publishes to GPU_DEPLOY_EVENT_BUS when set', async () => {
    process.env.GPU_DEPLOY_EVENT_BUS = 'team-bus';
    await notifyHandler({ status: 'SUCCEEDED', terminalState: 'Succeeded', execution: EXECUTION, document: SUCCESS_OUTPUT } as NotifyInput, {} as never);
    expect(ebMock.commandCalls(PutEventsCommand)[0]!.args[0].input.Entries![0]!.EventBusName).toBe('team-bus');
  });

  test('clip keeps short texts and cuts long ones', () => {
    expect(clip('abc', 5)).toBe('abc');
    expect(clip('abcdefgh', 5)).toBe('abcd…');
  });
});

describe('EventBridge requests: startFromEvent', () => {
  const requestEvent = (detail: unknown, extra: Record<string, unknown> = {}) => ({
    id: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', source: 'gpu-deploy.requests', 'detail-type': 'GPU Deployment Requested', region: 'eu-west-1', detail, ...extra,
  });

  test('a valid request starts an execution named after the event, with the validated request', async () => {
    // Prepare
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DEPLOY}:x`, startDate: new Date() });
    const logs: string[] = [];

    // Act
    const outcome = await startFromEvent(requestEvent({ instanceType: 'g5.xlarge', amiType: 'pytorch' }), sfn, events, { deployStateMachineArn: DEPLOY, region: 'eu-west-1', log: (_level, message) => logs.push(message) });

    // Assess
    expect(outcome).toEqual({ action: 'started', deploymentId: 'evt-6a7e8feb-b491-4cf7-a9f1-bf3703467718', executionArn: `${DEPLOY}:x` });
    const call = sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input;
    expect(call.name).toBe('evt-6a7e8feb-b491-4cf7-a9f1-bf3703467718');
    expect(JSON.parse(call.input!)).toMatchObject({ instanceType: 'g5.xlarge', amiType: 'pytorch', region: 'eu-west-1' });
    expect(ebMock.calls()).toHaveLength(0);
    expect(logs.join('\n')).toContain('deployment started');
  });

  test('a bad request never starts an execution: logged and answered with GPU Deployment Failed (RequestRejected)', async () => {
    // Prepare
    const logs: Record<string, unknown>[] = [];

    // Act
    const outcome = await startFromEvent(requestEvent({ instanceType: 'g5.xlarge', osType: 'windows' }), sfn, events, { deployStateMachineArn: DEPLOY, busName: 'b', log: (level, message, fields) => logs.push({ level, message, ...fields }) });

    // Assess
    expect(outcome.action).toBe('rejected');
    expect(outcome.problems).toEqual([expect.stringContaining('osType must be one of')]);
    expect(sfnMock.calls()).toHaveLength(0);
    expect(putDetail()).toMatchObject({ status: 'FAILED', terminalState: 'RequestRejected', error: 'RequestInvalidError', deploymentId: outcome.deploymentId, requestEventId: '6a7e8feb-b491-4cf7-a9f1-bf3703467718', executionArn: null });
    expect(logs[0]).toMatchObject({ level: 'warn', message: 'request rejected', error: 'RequestInvalidError' });
  });

  test('a detail that is not an object is rejected the same way', async () => {
    const outcome = await startFromEvent(requestEvent('g5.xlarge'), sfn, events, { deployStateMachineArn: DEPLOY });
    expect(outcome).toMatchObject({ action: 'rejected', problems: ['The deployment request must be a JSON object'] });
  });

  test('a second delivery of a finished request is a duplicate, not an error', async () => {
    sfnMock.on(StartExecutionCommand).rejects(awsError('ExecutionAlreadyExists'));
    expect(await startFromEvent(requestEvent({}), sfn, events, { deployStateMachineArn: DEPLOY })).toMatchObject({ action: 'duplicate' });
  });

  test('another source or detail-type is ignored', async () => {
    expect(await startFromEvent(requestEvent({}, { source: 'aws.ec2' }), sfn, events, { deployStateMachineArn: DEPLOY })).toEqual({ action: 'ignored' });
    expect(sfnMock.calls()).toHaveLength(0);
  });

  test('a Step Functions failure propagates (EventBridge retries the invocation)', async () => {
    sfnMock.on(StartExecutionCommand).rejects(awsError('ThrottlingException'));
    await expect(startFromEvent(requestEvent({}), sfn, events, { deployStateMachineArn: DEPLOY })).rejects.toMatchObject({ name: 'AwsThrottlingError' });
  });

  test('the handler reads the state machine from its environment', async () => {
    // Prepare
    process.env.DEPLOY_STATE_MACHINE_ARN = DEPLOY;
    process.env.AWS_REGION = 'eu-west-1';
    process.env.GPU_DEPLOY_EVENT_BUS = 'b';
    sfnMock.on(StartExecutionCommand).resolves({ executionArn: `${DEPLOY}:x`, startDate: new Date() });

    // Act
    const outcome = await eventStartHandler(requestEvent({ instanceType: 'g5.xlarge' }) as never, {} as never);

    // Assess
    expect(outcome).toMatchObject({ action: 'started' });
    expect(sfnMock.commandCalls(StartExecutionCommand)[0]!.args[0].input.stateMachineArn).toBe(DEPLOY);
  });

  test('eventExecutionName keeps only id characters, at most 80', () => {
    expect(eventExecutionName('a:b/c')).toBe('evt-abc');
    expect(eventExecutionName('x'.repeat(100))).toHaveLength(80);
  });
});
