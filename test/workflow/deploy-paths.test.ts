/**
 * The real statemachines/deploy.asl.json, run by the real interpreter (runLocally / aws-local-stepfunctions),
 * with stub Lambdas: every branch of the workflow.
 */
import {
  AmiNotFoundError,
  AwsAccessDeniedError,
  CapacityUnavailableError,
  GpuVerificationFailedError,
  InstanceStartFailedError,
  InstanceTypeUnknownError,
  LaunchPlanEmptyError,
  RollbackIncompleteError,
  SsmManagedTimeoutError,
} from '../../lib/errors.js';
import { DEPLOYMENT_ID, OUTPUTS, REQUEST, invocationCounts, runWithStubs, type FunctionName } from './stubs.js';

const PRE_LAUNCH = ['ValidateRequest', 'ResolveAmi', 'PlanCapacity'];
/** Without a workspace, the Choice before Launch goes straight on. */
const TO_LAUNCH = [...PRE_LAUNCH, 'WantsWorkspace', 'Launch'];
/** The notify Task that runs before each final state. */
const NOTIFY_BEFORE: Record<string, string> = { RequestRejected: 'NotifyRejected', PlanningFailed: 'NotifyPlanningFailed' };

describe('deploy state machine: success', () => {
  test('polls until running, managed and verified, then reports what was deployed', async () => {
    // Prepare
    const verifyPending = { commandId: 'cmd-1', sentAt: '2025-01-01T00:00:00.000Z', status: 'pending' };
    const verifyDone = { ...verifyPending, status: 'done', report: OUTPUTS.report, workspace: null };

    // Act
    const run = await runWithStubs({
      checkRunning: [{ state: 'pending' }, { state: 'pending' }, { state: 'running' }],
      checkManaged: [{ online: false }, { online: true }],
      verifyGpu: [verifyPending],
      getGpuReport: [verifyPending, verifyDone],
    });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.result.output).toEqual({
      status: 'SUCCEEDED',
      deploymentId: DEPLOYMENT_ID,
      region: REQUEST.region,
      instanceId: OUTPUTS.launch.instanceId,
      instanceType: OUTPUTS.launch.instanceType,
      zone: OUTPUTS.launch.zone,
      market: OUTPUTS.launch.market,
      imageId: OUTPUTS.ami.imageId,
      amiName: OUTPUTS.ami.name,
      amiSource: OUTPUTS.ami.source,
      warnings: OUTPUTS.ami.warnings,
      estimate: OUTPUTS.launch.estimate,
      launchAttempts: OUTPUTS.launch.attempts,
      gpu: OUTPUTS.report,
      expiresAt: null,
      idleTeardown: null,
      workspace: null,
      lifetime: { expiresAt: null, idleTeardown: null, summary: 'no lifetime: runs until you tear it down', schedule: null },
    });
    expect(run.entered).toEqual([
      'ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'WantsWorkspace', 'Launch',
      'WaitUntilRunning', 'CheckRunning', 'IsRunning',
      'WaitUntilRunning', 'CheckRunning', 'IsRunning',
      'WaitUntilRunning', 'CheckRunning', 'IsRunning',
      'WaitUntilManaged', 'CheckManaged', 'IsManaged',
      'WaitUntilManaged', 'CheckManaged', 'IsManaged',
      'VerifyGpu',
      'WaitForGpuReport', 'GetGpuReport', 'IsVerified',
      'WaitForGpuReport', 'GetGpuReport', 'IsVerified',
      'DeploymentSucceeded', 'ScheduleTeardown', 'NotifySucceeded', 'Succeeded',
    ]);
    expect(invocationCounts(run.calls)).toEqual({
      validateRequest: 1, resolveAmi: 1, planCapacity: 1, ensureWorkspace: 0, launch: 1,
      checkRunning: 3, checkMountTarget: 0, checkManaged: 2, verifyGpu: 1, getGpuReport: 2, rollback: 0, scheduleTeardown: 1, notify: 1,
    });
    expect(run.result.lambdaInvocations).toBe(14);
    expect(run.result.transitions).toBe(run.entered.length);
    expect(run.result.rollback).toBeUndefined();
  });

  test('each Task gets the whole working document: request, execution context and every earlier result', async () => {
    // Prepare
    const executionName = 'wf-context-test';

    // Act
    const run = await runWithStubs({}, executionName);

    // Assess
    const validateInput = run.calls.validateRequest[0];
    expect(validateInput).toEqual({
      request: REQUEST,
      execution: { id: run.result.executionArn, name: executionName, startTime: expect.any(String) },
    });
    expect(run.result.executionArn).toMatch(new RegExp(`:execution:[^:]+:${executionName}$`));
    const launchInput = run.calls.launch[0];
    expect(launchInput).toMatchObject({
      deploymentId: DEPLOYMENT_ID,
      execution: { id: run.result.executionArn, name: executionName },
      request: REQUEST,
      ami: OUTPUTS.ami,
      plan: OUTPUTS.plan,
    });
    expect(run.calls.checkRunning[0]).toMatchObject({ deploymentId: DEPLOYMENT_ID, launch: OUTPUTS.launch });
    expect(run.calls.getGpuReport[0]).toMatchObject({ verify: { commandId: 'cmd-1', status: 'pending' }, ssm: { online: true } });
  });
});

describe('deploy state machine: rejected before launch', () => {
  // Errors the request must fix end in RequestRejected; anything else before launch in PlanningFailed.
  const cases: Array<[string, FunctionName, Error, string]> = [
    ['ValidateRequest', 'validateRequest', new InstanceTypeUnknownError('No instance type "g5.xlargee"', { hint: 'Did you mean g5.xlarge?' }), 'RequestRejected'],
    ['ValidateRequest', 'validateRequest', new TypeError("Cannot read properties of undefined (reading 'region')"), 'PlanningFailed'],
    ['ResolveAmi', 'resolveAmi', new AmiNotFoundError('No DLAMI for ubuntu-22.04 arm64'), 'RequestRejected'],
    ['ResolveAmi', 'resolveAmi', new TypeError('ami.name.match is not a function'), 'PlanningFailed'],
    ['PlanCapacity', 'planCapacity', new LaunchPlanEmptyError('No zone offers g5.xlarge under $0.10/h'), 'RequestRejected'],
    ['PlanCapacity', 'planCapacity', new TypeError('plan.attempts is not iterable'), 'PlanningFailed'],
  ];

  test.each(cases)('%s throwing %p ends in %s with that error; nothing launched or rolled back', async (state, fn, error, terminal) => {
    // Act
    const run = await runWithStubs({ [fn]: [error] });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error: error.name, cause: error.message });
    const failedAt = PRE_LAUNCH.indexOf(state);
    expect(run.entered).toEqual([...PRE_LAUNCH.slice(0, failedAt + 1), NOTIFY_BEFORE[terminal], terminal]);
    expect(run.events).toContainEqual({ kind: 'caught', state, type: 'Task' });
    expect(run.calls[fn]).toHaveLength(1);
    expect(run.calls.launch).toHaveLength(0);
    expect(run.calls.rollback).toHaveLength(0);
  });
});

describe('deploy state machine: failure after launch rolls back', () => {
  test('a launch failure rolls back, repeating the rollback until it is done, then fails with the original error', async () => {
    // Prepare
    const error = new CapacityUnavailableError('No g5.xlarge capacity in eu-west-1a (spot, on-demand)');
    const notDone = { done: false, remainingInstances: ['i-0abc1234def567890'], remainingSecurityGroups: ['sg-1'], startedAt: '2025-01-01T00:00:00.000Z' };
    const done = { done: true, remainingInstances: [], remainingSecurityGroups: [], startedAt: '2025-01-01T00:00:00.000Z' };

    // Act
    const run = await runWithStubs({ launch: [error], rollback: [notDone, done] });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error: 'CapacityUnavailableError', cause: error.message, rollback: done });
    expect(run.entered).toEqual([
      ...TO_LAUNCH,
      'Rollback', 'IsRolledBack', 'WaitForRollback',
      'Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed',
    ]);
    expect(run.calls.rollback).toHaveLength(2);
    // The rollback sees the error it cleans up after, and its own previous step (to keep its deadline).
    expect(run.calls.rollback[0]).toMatchObject({ deploymentId: DEPLOYMENT_ID, request: REQUEST, error: { Error: 'CapacityUnavailableError', Cause: error.message } });
    expect(run.calls.rollback[0]).not.toHaveProperty('rollback');
    expect(run.calls.rollback[1]).toMatchObject({ rollback: notDone, error: { Error: 'CapacityUnavailableError' } });
    expect(run.calls.checkRunning).toHaveLength(0);
  });

  const cases: Array<[string, FunctionName, Error, string[]]> = [
    ['CheckRunning', 'checkRunning', new InstanceStartFailedError('i-0abc went to stopped: Server.InternalError'), ['WaitUntilRunning', 'CheckRunning']],
    ['CheckManaged', 'checkManaged', new SsmManagedTimeoutError('The SSM agent did not come online in 15 minutes'), ['WaitUntilRunning', 'CheckRunning', 'IsRunning', 'WaitUntilManaged', 'CheckManaged']],
    ['VerifyGpu', 'verifyGpu', new GpuVerificationFailedError('SendCommand was rejected'), ['WaitUntilRunning', 'CheckRunning', 'IsRunning', 'WaitUntilManaged', 'CheckManaged', 'IsManaged', 'VerifyGpu']],
    ['VerifyGpu', 'verifyGpu', new TypeError('commandId is undefined'), ['WaitUntilRunning', 'CheckRunning', 'IsRunning', 'WaitUntilManaged', 'CheckManaged', 'IsManaged', 'VerifyGpu']],
    ['GetGpuReport', 'getGpuReport', new GpuVerificationFailedError('nvidia-smi found no GPU'), ['WaitUntilRunning', 'CheckRunning', 'IsRunning', 'WaitUntilManaged', 'CheckManaged', 'IsManaged', 'VerifyGpu', 'WaitForGpuReport', 'GetGpuReport']],
    ['Launch', 'launch', new AwsAccessDeniedError('Not authorized to perform ec2:RunInstances'), []],
  ];

  test.each(cases)('%s throwing %p rolls back and fails with the original error', async (state, fn, error, between) => {
    // Act
    const run = await runWithStubs({ [fn]: [error] });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error: error.name, cause: error.message });
    expect(run.entered).toEqual([...TO_LAUNCH, ...between, 'Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']);
    expect(run.events).toContainEqual({ kind: 'caught', state, type: 'Task' });
    expect(run.calls.rollback).toHaveLength(1);
    expect(run.calls.rollback[0]).toMatchObject({ deploymentId: DEPLOYMENT_ID, error: { Error: error.name, Cause: error.message } });
    expect(run.result.rollback).toMatchObject({ done: true });
  });
});

describe('deploy state machine: rollback failure', () => {
  test.each([
    [new RollbackIncompleteError('Rollback of gd-wf-test did not finish: instances i-0abc remain'), 1],
    // Any other error is retried (a Lambda timeout or a denied call may pass): 1 + 10 attempts before giving up.
    [new AwsAccessDeniedError('Not authorized to perform ec2:TerminateInstances'), 11],
  ])('a rollback throwing %p ends in RollbackFailed as RollbackIncompleteError, with its cause', async (rollbackError, calls) => {
    // Prepare
    const launchError = new CapacityUnavailableError('No capacity');

    // Act
    const run = await runWithStubs({ launch: [launchError], rollback: Array.from({ length: calls }, () => rollbackError) });

    // Assess
    expect(run.result).toMatchObject({ status: 'FAILED', error: 'RollbackIncompleteError', cause: rollbackError.message });
    expect(run.entered).toEqual([...TO_LAUNCH, 'Rollback', 'NotifyRollbackFailed', 'RollbackFailed']);
    expect(run.calls.rollback).toHaveLength(calls);
  });

  test('an unexpected rollback error (a Lambda timeout) is retried and the clean-up completes', async () => {
    const timedOut = Object.assign(new Error('Task timed out after 120.00 seconds'), { name: 'Sandbox.Timedout' });
    const done = { done: true, remainingInstances: [], remainingSecurityGroups: [], startedAt: '2025-01-01T00:00:00.000Z' };
    const run = await runWithStubs({ launch: [new CapacityUnavailableError('No capacity')], rollback: [timedOut, done] });
    expect(run.result).toMatchObject({ status: 'FAILED', error: 'CapacityUnavailableError' });
    expect(run.entered.slice(-3)).toEqual(['IsRolledBack', 'NotifyFailed', 'DeploymentFailed']);
    expect(run.calls.rollback).toHaveLength(2);
  });
});

describe('deploy state machine: a launch without a price', () => {
  // DeploymentSucceeded reads `$.launch.estimate`; the launch step always sets it, null when a price is unknown
  // (Pricing API unreachable and no snapshot cell), so a verified deployment never fails for want of a price.
  test('succeeds with a null estimate', async () => {
    // Act
    const run = await runWithStubs({ launch: [{ ...OUTPUTS.launch, estimate: null }] });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.result.output).toMatchObject({ estimate: null });
  });
});
