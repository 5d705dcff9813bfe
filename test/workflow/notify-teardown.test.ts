/**
 * The notify Tasks of the real deploy ASL (one before every final state; a failed notification never changes the
 * outcome nor skips a rollback) and the real teardown ASL through every branch, with stub Lambdas.
 */
import { AwsAccessDeniedError, AwsThrottlingError, CapacityUnavailableError, InstanceTypeUnknownError, RollbackIncompleteError } from '../../lib/errors.js';
import { TEARDOWN_DEFINITION_PATH, readDefinition } from '../../lib/workflow/definition.js';
import { DEPLOYMENT_ID, OUTPUTS, REQUEST, runWithStubs, type FunctionName, type Step } from './stubs.js';

const PRE_LAUNCH = ['ValidateRequest', 'ResolveAmi', 'PlanCapacity'];
const always = (error: () => Error): Step[] => Array.from({ length: 20 }, error);

describe('deploy state machine: notifications', () => {
  test('success: one notification with the result, then Succeeded with the same output', async () => {
    // Act
    const run = await runWithStubs({}, 'wf-notify-ok');

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.calls.notify).toHaveLength(1);
    const output = run.result.output as Record<string, unknown>;
    expect(run.calls.notify[0]).toEqual({
      status: 'SUCCEEDED',
      terminalState: 'Succeeded',
      execution: { id: run.result.executionArn, name: 'wf-notify-ok' },
      document: output,
    });
    expect(output).toMatchObject({ status: 'SUCCEEDED', deploymentId: DEPLOYMENT_ID, instanceId: OUTPUTS.launch.instanceId });
    expect(output).not.toHaveProperty('notificationError');
    expect(run.entered.slice(-4)).toEqual(['DeploymentSucceeded', 'ScheduleTeardown', 'NotifySucceeded', 'Succeeded']);
  });

  test('a successful deployment stays within the transition budget (<= 30 with one poll each)', async () => {
    // Act
    const run = await runWithStubs();

    // Assess
    expect(run.result.transitions).toBeLessThanOrEqual(30);
  });

  test.each([
    ['throttled on every try (retried, then caught)', always(() => new AwsThrottlingError('Rate exceeded')), 4],
    ['denied (caught at once)', [new AwsAccessDeniedError('Not authorized to perform events:PutEvents')], 1],
    ['a bug in the function (caught at once)', [new TypeError('detail is undefined')], 1],
  ])('a notification %s does not fail a successful deployment', async (_label, notify, calls) => {
    // Act
    const run = await runWithStubs({ notify });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.calls.notify).toHaveLength(calls);
    expect(run.result.output).toMatchObject({ status: 'SUCCEEDED', instanceId: OUTPUTS.launch.instanceId, notificationError: { Error: (notify[0] as Error).name } });
    expect(run.entered.slice(-2)).toEqual(['NotifySucceeded', 'Succeeded']);
  });

  const failures: Array<[string, Partial<Record<FunctionName, Step[]>>, string, string, string]> = [
    ['a rejected request', { validateRequest: [new InstanceTypeUnknownError('No instance type "g5.xlargee"')] }, 'NotifyRejected', 'RequestRejected', 'InstanceTypeUnknownError'],
    ['a planning failure', { planCapacity: [new TypeError('plan.attempts is not iterable')] }, 'NotifyPlanningFailed', 'PlanningFailed', 'TypeError'],
    ['a failure after launch', { launch: [new CapacityUnavailableError('No capacity')] }, 'NotifyFailed', 'DeploymentFailed', 'CapacityUnavailableError'],
    ['an unfinished rollback', { launch: [new CapacityUnavailableError('No capacity')], rollback: [new RollbackIncompleteError('i-0abc remains')] }, 'NotifyRollbackFailed', 'RollbackFailed', 'RollbackIncompleteError'],
  ];

  test.each(failures)('%s: notified once with the document that holds the error, then the final state', async (_label, overrides, notifyState, terminal, error) => {
    // Act
    const run = await runWithStubs(overrides, 'wf-notify-fail');

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error });
    expect(run.entered.slice(-2)).toEqual([notifyState, terminal]);
    expect(run.calls.notify).toHaveLength(1);
    expect(run.calls.notify[0]).toMatchObject({ status: 'FAILED', terminalState: terminal, execution: { name: 'wf-notify-fail' } });
    const document = run.calls.notify[0]!.document as Record<string, unknown>;
    expect(document).toHaveProperty(terminal === 'RollbackFailed' ? 'rollbackError' : 'error');
  });

  test.each(failures)('%s: a notification that keeps failing changes nothing: same error, rollback done', async (_label, overrides, notifyState, terminal, error) => {
    // Act
    const run = await runWithStubs({ ...overrides, notify: always(() => new AwsThrottlingError('Rate exceeded')) });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error });
    expect(run.entered.slice(-2)).toEqual([notifyState, terminal]);
    expect(run.calls.notify).toHaveLength(4);
    if (overrides.launch) expect(run.calls.rollback.length).toBeGreaterThan(0);
  });

  test('the rollback runs before the failure is announced, and the announcement sees its result', async () => {
    // Act
    const run = await runWithStubs({ checkRunning: [new CapacityUnavailableError('gone')] });

    // Assess
    expect(run.entered.slice(-4)).toEqual(['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']);
    expect(run.calls.notify[0]!.document).toMatchObject({ deploymentId: DEPLOYMENT_ID, request: REQUEST, rollback: { done: true }, error: { Error: 'CapacityUnavailableError' } });
  });

  test('a request rejected at validation is announced with the raw request (no working document yet)', async () => {
    // Act
    const run = await runWithStubs({ validateRequest: [new InstanceTypeUnknownError('No instance type')] });

    // Assess
    expect(run.entered).toEqual([PRE_LAUNCH[0], 'NotifyRejected', 'RequestRejected']);
    expect(run.calls.notify[0]!.document).toMatchObject({ ...REQUEST, error: { Error: 'InstanceTypeUnknownError' } });
  });
});

describe('teardown state machine', () => {
  const definition = readDefinition(TEARDOWN_DEFINITION_PATH);
  const input = { deploymentId: 'api-123', region: 'eu-west-1' };
  const teardown = (overrides: Partial<Record<FunctionName, Step[]>>) =>
    runWithStubs(overrides, 'td-test', { definition, input, stateMachineName: 'gpu-deploy-teardown' });
  const done = { done: true, terminatedInstances: ['i-0abc'], deletedSecurityGroups: ['sg-1'], remainingInstances: [], remainingSecurityGroups: [], startedAt: '2025-01-01T00:00:00.000Z', region: 'eu-west-1' };
  const notDone = { ...done, done: false, terminatedInstances: [], deletedSecurityGroups: [], remainingInstances: ['i-0abc'], remainingSecurityGroups: ['sg-1'] };

  test('clean at once: one step, then TornDown with what was removed', async () => {
    // Act
    const run = await teardown({ rollback: [done] });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.result.executionArn).toContain(':execution:gpu-deploy-teardown:td-test');
    expect(run.entered).toEqual(['HasRegion', 'PrepareTeardown', 'Teardown', 'IsTornDown', 'WhyEnded', 'TornDown', 'Succeeded']);
    expect(run.calls.rollback).toEqual([{ deploymentId: 'api-123', region: 'eu-west-1', request: { region: 'eu-west-1' } }]);
    expect(run.calls.notify).toEqual([]);
    expect(run.result.output).toEqual({ status: 'TORN_DOWN', deploymentId: 'api-123', region: 'eu-west-1', terminatedInstances: ['i-0abc'], deletedSecurityGroups: ['sg-1'] });
  });

  test('loops with a wait until clean, passing its own previous step (for its deadline)', async () => {
    // Act
    const run = await teardown({ rollback: [notDone, notDone, done] });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual([
      'HasRegion', 'PrepareTeardown',
      'Teardown', 'IsTornDown', 'WaitForTeardown',
      'Teardown', 'IsTornDown', 'WaitForTeardown',
      'Teardown', 'IsTornDown', 'WhyEnded', 'TornDown', 'Succeeded',
    ]);
    expect(run.calls.rollback[1]).toEqual({ deploymentId: 'api-123', region: 'eu-west-1', request: { region: 'eu-west-1' }, rollback: notDone });
  });

  test.each([
    ['idle', 'GPU Deployment Idle'],
    ['expired', 'GPU Deployment Expired'],
  ])('ended by itself (%s): once torn down, NotifyEnded says why, with what was removed', async (reason, detailType) => {
    const definition = readDefinition(TEARDOWN_DEFINITION_PATH);
    const run = await runWithStubs({ rollback: [done], notify: [{ eventId: 'evt-1', detailType }] }, 'td-ended', { definition, input: { ...input, reason, instanceId: 'i-0abc' }, stateMachineName: 'gpu-deploy-teardown' });
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['HasRegion', 'PrepareTeardown', 'Teardown', 'IsTornDown', 'WhyEnded', 'NotifyEnded', 'TornDown', 'Succeeded']);
    expect(run.calls.notify).toEqual([{
      reason,
      execution: { id: run.result.executionArn, name: 'td-ended' },
      document: { ...input, reason, instanceId: 'i-0abc', request: { region: 'eu-west-1' }, rollback: done },
    }]);
    expect(run.result.output).toMatchObject({ status: 'TORN_DOWN', terminatedInstances: ['i-0abc'] });
  });

  test('a failed ended-notification never fails the teardown; an unknown reason publishes nothing', async () => {
    const definition = readDefinition(TEARDOWN_DEFINITION_PATH);
    const failing = await runWithStubs({ rollback: [done], notify: [new Error('PutEvents denied')] }, 'td-ended-2', { definition, input: { ...input, reason: 'idle' }, stateMachineName: 'gpu-deploy-teardown' });
    expect(failing.result.status).toBe('SUCCEEDED');
    expect(failing.entered.slice(-3)).toEqual(['NotifyEnded', 'TornDown', 'Succeeded']);
    const unknown = await runWithStubs({ rollback: [done] }, 'td-ended-3', { definition, input: { ...input, reason: 'bored' }, stateMachineName: 'gpu-deploy-teardown' });
    expect(unknown.entered).toEqual(['HasRegion', 'PrepareTeardown', 'Teardown', 'IsTornDown', 'WhyEnded', 'TornDown', 'Succeeded']);
    expect(unknown.calls.notify).toEqual([]);
  });

  test('started by the safety-net rule (execution ARN, no region): the rollback step gets the ARN, and the result names the region it found', async () => {
    // Prepare: what the rule's InputTransformer sends for a FAILED, TIMED_OUT or ABORTED deploy execution.
    const arn = 'arn:aws:states:us-east-1:123456789012:execution:gpu-deploy-dev-deploy:dep-7';
    // Act
    const run = await runWithStubs({ rollback: [done] }, 'td-rule', {
      definition,
      input: { deploymentId: 'dep-7', executionArn: arn },
      stateMachineName: 'gpu-deploy-teardown',
    });
    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.entered).toEqual(['HasRegion', 'PrepareFromExecution', 'Teardown', 'IsTornDown', 'WhyEnded', 'TornDown', 'Succeeded']);
    expect(run.calls.rollback).toEqual([{ deploymentId: 'dep-7', executionArn: arn, request: {} }]);
    expect(run.result.output).toMatchObject({ status: 'TORN_DOWN', deploymentId: 'dep-7', region: 'eu-west-1' });
  });

  test.each([
    ['RollbackIncompleteError', [new RollbackIncompleteError('Rollback of api-123 did not finish')], 1],
    // Anything but RollbackIncompleteError is retried: 1 + 10 attempts (throttling: 1 + 8).
    ['AwsAccessDeniedError', always(() => new AwsAccessDeniedError('Not authorized to perform ec2:TerminateInstances')), 11],
    ['AwsThrottlingError', always(() => new AwsThrottlingError('Rate exceeded')), 9],
  ])('fails by name (%s) when the clean-up cannot finish', async (error, rollback, calls) => {
    // Act
    const run = await teardown({ rollback });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error, cause: (rollback[0] as Error).message });
    expect(run.entered.slice(-2)).toEqual(['Teardown', 'TeardownFailed']);
    expect(run.calls.rollback).toHaveLength(calls);
  });
});
