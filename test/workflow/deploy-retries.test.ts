/**
 * Retry behaviour of the real deploy ASL under the real interpreter: AWS throttling and transient faults are
 * retried per the definition's `Retry` blocks; when retries run out the error takes the state's catch route.
 */
import { AwsThrottlingError, AwsTransientError } from '../../lib/errors.js';
import { readDefinition, taskFunctions } from '../../lib/workflow/definition.js';
import { REQUEST, runWithStubs, type FunctionName, type Step } from './stubs.js';

const definition = readDefinition();
const tasks = taskFunctions(definition);

/** The MaxAttempts of the first retrier that names `errorName` (ASL default 3), read from the ASL file. */
function maxAttempts(state: string, errorName: string): number {
  const retry = (definition.States[state]?.Retry ?? []) as Array<{ ErrorEquals: string[]; MaxAttempts?: number }>;
  const retrier = retry.find((r) => r.ErrorEquals.includes(errorName) || r.ErrorEquals.includes('States.ALL'));
  if (!retrier) throw new Error(`${state} has no retrier for ${errorName}`);
  return retrier.MaxAttempts ?? 3;
}

/** `count` errors, then `value`. */
const failThen = (error: () => Error, count: number, value: Step): Step[] => [...Array.from({ length: count }, error), value];

describe('deploy state machine: retries', () => {
  test.each([
    ['AwsThrottlingError', () => new AwsThrottlingError('Rate exceeded')],
    ['AwsTransientError', () => new AwsTransientError('503 Service Unavailable')],
  ])('%s twice, then success: the Task runs 3 times and the deployment succeeds', async (name, makeError) => {
    // Prepare: one pre-launch and one post-launch Task fail twice each before answering.
    const ami = { imageId: 'ami-1', name: 'dlami', source: 'describe-images', warnings: [] };

    // Act
    const run = await runWithStubs({
      resolveAmi: failThen(makeError, 2, ami),
      checkManaged: failThen(makeError, 2, { online: true }),
    });

    // Assess
    expect(run.result.status).toBe('SUCCEEDED');
    expect(run.calls.resolveAmi).toHaveLength(3);
    expect(run.calls.checkManaged).toHaveLength(3);
    expect(run.calls.rollback).toHaveLength(0);
    const retried = run.events.filter((event) => event.kind === 'retried').map((event) => event.state);
    expect(retried).toEqual(['ResolveAmi', 'ResolveAmi', 'CheckManaged', 'CheckManaged']);
    const failed = run.events.filter((event) => event.kind === 'failed');
    expect(failed.map((event) => event.error)).toEqual([name, name, name, name]);
    // A retry re-runs the Task with the same input.
    expect(run.calls.resolveAmi[2]).toEqual(run.calls.resolveAmi[0]);
    expect(run.result.output).toMatchObject({ imageId: 'ami-1', amiSource: 'describe-images' });
  });

  // Which terminal state each Task's catch route leads to when its error is not retried away.
  const routes: Array<[string, string[]]> = [
    ['ValidateRequest', ['NotifyPlanningFailed', 'PlanningFailed']],
    ['ResolveAmi', ['NotifyPlanningFailed', 'PlanningFailed']],
    ['PlanCapacity', ['NotifyPlanningFailed', 'PlanningFailed']],
    ['EnsureWorkspace', ['NotifyPlanningFailed', 'PlanningFailed']],
    ['Launch', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['CheckRunning', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['CheckMountTarget', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['CheckManaged', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['VerifyGpu', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['GetGpuReport', ['Rollback', 'IsRolledBack', 'NotifyFailed', 'DeploymentFailed']],
    ['Rollback', ['NotifyRollbackFailed', 'RollbackFailed']],
    // After success: no schedule still leaves a deployment that succeeded (the instance's backstop holds the lifetime).
    ['ScheduleTeardown', ['NotifySucceeded', 'Succeeded']],
  ];

  test('the table below covers every Task of the ASL but the notify Tasks (tested apart: they never change the route)', () => {
    expect(routes.map(([state]) => state).sort()).toEqual(Object.keys(tasks).filter((name) => tasks[name] !== 'notify').sort());
  });

  describe.each([
    ['AwsThrottlingError', () => new AwsThrottlingError('Rate exceeded')],
    ['AwsTransientError', () => new AwsTransientError('socket hang up')],
  ])('%s on every call', (errorName, makeError) => {
    test.each(routes)('%s: retried MaxAttempts times, then caught to %p', async (state, route) => {
      // Prepare
      const fn = tasks[state] as FunctionName;
      const attempts = 1 + maxAttempts(state, errorName);
      // A Rollback Task failing needs something to roll back after: the launch fails first.
      const overrides: Partial<Record<FunctionName, Step[]>> = { [fn]: [makeError()] };
      if (state === 'Rollback') overrides.launch = [new Error('launch failed')];
      // The workspace's Tasks run only for a request that names one.
      const withWorkspace = ['EnsureWorkspace', 'CheckMountTarget'].includes(state) ? { definition, input: { ...REQUEST, workspace: { name: 'ws1' } } } : undefined;

      // Act
      const run = await runWithStubs(overrides, undefined, withWorkspace);

      // Assess
      expect(run.calls[fn]).toHaveLength(attempts);
      expect(run.events.filter((event) => event.kind === 'retried' && event.state === state)).toHaveLength(attempts - 1);
      expect(run.entered.slice(-route.length)).toEqual(route);
      if (route.at(-1) === 'Succeeded') {
        expect(run.result.status).toBe('SUCCEEDED');
        expect(run.result.output).toMatchObject({ status: 'SUCCEEDED', lifetimeError: { Error: errorName } });
        return;
      }
      expect(run.result.status).toBe('FAILED');
      expect(run.result.error).toBe(state === 'Rollback' ? 'RollbackIncompleteError' : errorName);
      expect(run.calls.rollback.length > 0).toBe(route[0] === 'Rollback' || state === 'Rollback');
    });
  });

  test('retry budgets are what the ASL says (throttling 6, transient 3, rollback 8 and 10 (any error), notify 3 and 2)', () => {
    // The counts above come from the file; this pins the file's values so a change to them is deliberate.
    for (const state of Object.keys(tasks).filter((name) => tasks[name] === 'notify')) {
      expect([state, maxAttempts(state, 'AwsThrottlingError'), maxAttempts(state, 'AwsTransientError')]).toEqual([state, 3, 2]);
    }
    for (const state of Object.keys(tasks).filter((name) => name !== 'Rollback' && tasks[name] !== 'notify')) {
      expect([state, maxAttempts(state, 'AwsThrottlingError'), maxAttempts(state, 'AwsTransientError')]).toEqual([state, 6, 3]);
    }
    // Rollback: throttling 8; any other error but RollbackIncompleteError 10 (States.ALL); RollbackIncompleteError 0.
    expect([maxAttempts('Rollback', 'AwsThrottlingError'), maxAttempts('Rollback', 'AwsTransientError'), maxAttempts('Rollback', 'RollbackIncompleteError')]).toEqual([8, 10, 0]);
  });
});
