/**
 * Static checks of statemachines/deploy.asl.json: valid ASL, error names from the project's vocabulary, every
 * Task retried on throttling and guarded by a timeout and a catch route that fits where it sits (before launch:
 * reject; after launch: roll back), every state reachable, every Lambda defined in HANDLERS and serverless.yml.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ERROR_NAMES, REQUEST_ERROR_NAMES } from '../../lib/errors.js';
import { repoRoot } from '../../lib/local/paths.js';
import { DEFINITION_PATHS, DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition, substituteArns, taskFunctions, type AslDefinition, type AslState } from '../../lib/workflow/definition.js';
import { HANDLERS } from '../../lib/workflow/handlers.js';

interface Retrier { ErrorEquals: string[]; MaxAttempts?: number }
interface Catcher { ErrorEquals: string[]; Next: string; ResultPath?: string }
type AslValidator = (definition: unknown, options?: { checkArn?: boolean; checkPaths?: boolean }) => {
  isValid: boolean;
  errors: Array<{ 'Error code': string; Message: string }>;
  errorsText: (separator?: string) => string;
};

const require = createRequire(import.meta.url);
const aslValidator = require('asl-validator') as AslValidator;

const root = repoRoot();
const definition = readDefinition();
const states = definition.States;
const tasks = taskFunctions(definition);
const taskNames = Object.keys(tasks);
const definitions: Array<[string, AslDefinition]> = DEFINITION_PATHS.map((path) => [path, readDefinition(path)]);
const NOTIFY_TARGETS = { NotifySucceeded: 'Succeeded', NotifyFailed: 'DeploymentFailed', NotifyRejected: 'RequestRejected', NotifyPlanningFailed: 'PlanningFailed', NotifyRollbackFailed: 'RollbackFailed' };
const retriersOf = (state: AslState): Retrier[] => (state.Retry ?? []) as Retrier[];
const catchersOf = (state: AslState): Catcher[] => (state.Catch ?? []) as Catcher[];

/** Successor states by Next, Choices and Default (the normal flow); with `withCatch`, also Catch targets. */
function successors(state: AslState, withCatch: boolean): string[] {
  const next: string[] = [];
  if (typeof state.Next === 'string') next.push(state.Next);
  for (const rule of (state.Choices ?? []) as Array<{ Next?: string }>) if (rule.Next) next.push(rule.Next);
  if (typeof state.Default === 'string') next.push(state.Default);
  if (withCatch) for (const catcher of catchersOf(state)) next.push(catcher.Next);
  return next;
}

/** States reachable from `from` (inclusive), not walking past `stop`. */
function reachable(from: string, withCatch: boolean, stop?: string): Set<string> {
  const seen = new Set<string>();
  const queue = [from];
  while (queue.length > 0) {
    const name = queue.shift() as string;
    if (seen.has(name) || name === stop) continue;
    seen.add(name);
    const state = states[name];
    if (state) queue.push(...successors(state, withCatch));
  }
  return seen;
}

/** AWS's own error names that a Retry or Catch may use (https://docs.aws.amazon.com/step-functions/latest/dg/concepts-error-handling.html). */
const STATES_ERRORS = [
  'States.ALL', 'States.DataLimitExceeded', 'States.ExceedToleratedFailureThreshold', 'States.HeartbeatTimeout',
  'States.Http.Socket', 'States.IntrinsicFailure', 'States.ItemReaderFailed', 'States.NoChoiceMatched',
  'States.ParameterPathFailure', 'States.Permissions', 'States.QueryEvaluationError', 'States.ResultPathMatchFailure',
  'States.ResultWriterFailed', 'States.TaskFailed', 'States.Timeout', 'States.BranchFailed',
];
const LAMBDA_ERRORS = [
  'Lambda.ServiceException', 'Lambda.AWSLambdaException', 'Lambda.SdkClientException', 'Lambda.TooManyRequestsException',
  'Lambda.ClientExecutionTimeoutException', 'Lambda.Unknown',
];

describe('deploy ASL: static checks', () => {
  test.each(DEFINITION_PATHS)('asl-validator accepts %s once Fn::GetAtt resources are ARNs', (path) => {
    // Act
    const result = aslValidator(substituteArns(readDefinition(path)), { checkArn: true, checkPaths: true });

    // Assess
    expect(result.errorsText('\n')).toBe('');
    expect(result.isValid).toBe(true);
  });

  test('every Retry/Catch error name (of every definition) is a States.*, Lambda.* or project error name', () => {
    // Prepare
    const names = definitions.flatMap(([, d]) => Object.values(d.States)).flatMap((state) => [...retriersOf(state), ...catchersOf(state)].flatMap((r) => r.ErrorEquals));

    // Assess
    expect(names.length).toBeGreaterThan(0);
    const unknown = names.filter((name) => {
      if (name.startsWith('States.')) return !STATES_ERRORS.includes(name);
      if (name.startsWith('Lambda.')) return !LAMBDA_ERRORS.includes(name);
      return !(ERROR_NAMES as string[]).includes(name);
    });
    expect(unknown).toEqual([]);
  });

  test('States.ALL stands alone, in the last retrier/catcher of its state', () => {
    for (const [name, state] of definitions.flatMap(([, d]) => Object.entries(d.States))) {
      for (const list of [retriersOf(state), catchersOf(state)]) {
        list.forEach((entry, index) => {
          if (!entry.ErrorEquals.includes('States.ALL')) return;
          expect({ name, errorEquals: entry.ErrorEquals, last: index === list.length - 1 }).toEqual({ name, errorEquals: ['States.ALL'], last: true });
        });
      }
    }
  });

  test('the Tasks before Launch reject the request on request errors, fail planning on any other; nothing can reach Rollback from there', () => {
    // Prepare
    const preLaunch = [...reachable(definition.StartAt, false, 'Launch')].filter((name) => states[name]?.Type === 'Task');

    // Assess
    expect(preLaunch).toEqual(['ValidateRequest', 'ResolveAmi', 'PlanCapacity', 'EnsureWorkspace']);
    for (const name of preLaunch) {
      const catchers = catchersOf(states[name] as AslState);
      expect({ name, catchesAll: catchers.some((c) => c.ErrorEquals.includes('States.ALL')) }).toEqual({ name, catchesAll: true });
      expect(catchers.map((c) => [name, c.ErrorEquals, c.Next, c.ResultPath])).toEqual([
        [name, [...REQUEST_ERROR_NAMES], 'NotifyRejected', '$.error'],
        [name, ['States.ALL'], 'NotifyPlanningFailed', '$.error'],
      ]);
    }
  });

  test('ScheduleTeardown, after success, never fails the deployment: any error goes on to NotifySucceeded', () => {
    const schedule = states.ScheduleTeardown as AslState;
    expect(states.DeploymentSucceeded?.Next).toBe('ScheduleTeardown');
    expect(schedule).toMatchObject({ Type: 'Task', ResultPath: '$.lifetime', Next: 'NotifySucceeded' });
    expect(catchersOf(schedule)).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.lifetimeError', Next: 'NotifySucceeded' }]);
    expect(states.DeploymentSucceeded?.Parameters).toMatchObject({ 'expiresAt.$': '$.launch.expiresAt', 'idleTeardown.$': '$.launch.idleTeardown' });
  });

  test('Launch and every Task after it roll back on any error', () => {
    // Prepare: the Tasks after success (notify, the schedule) have their own routes, checked above and below.
    const postLaunch = [...reachable('Launch', false, 'DeploymentSucceeded')].filter((name) => states[name]?.Type === 'Task' && tasks[name] !== 'notify');

    // Assess
    expect(postLaunch).toEqual(['Launch', 'CheckRunning', 'CheckMountTarget', 'CheckManaged', 'VerifyGpu', 'GetGpuReport']);
    for (const name of postLaunch) {
      const catchers = catchersOf(states[name] as AslState);
      expect({ name, catchesAll: catchers.some((c) => c.ErrorEquals.includes('States.ALL')) }).toEqual({ name, catchesAll: true });
      expect(catchers.map((c) => [name, c.Next, c.ResultPath])).toEqual(catchers.map(() => [name, 'Rollback', '$.error']));
    }
  });

  test('Rollback keeps the original error: its own failure goes to RollbackFailed under another path', () => {
    const rollback = states.Rollback as AslState;
    expect(catchersOf(rollback)).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.rollbackError', Next: 'NotifyRollbackFailed' }]);
    expect(states.RollbackFailed).toMatchObject({ Type: 'Fail', Error: 'RollbackIncompleteError', CausePath: '$.rollbackError.Cause' });
    expect(states.DeploymentFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
  });

  test('notify Tasks: one before every final state, on every path; a failed notification goes on to the same state', () => {
    // Prepare
    const notifyStates = taskNames.filter((name) => tasks[name] === 'notify');
    const terminal = Object.keys(states).filter((name) => ['Succeed', 'Fail'].includes(states[name]?.Type ?? ''));

    // Assess: each notify state publishes, keeps the document (ResultPath null) and cannot change the outcome.
    expect(Object.fromEntries(notifyStates.map((name) => [name, states[name]?.Next]))).toEqual(NOTIFY_TARGETS);
    for (const name of notifyStates) {
      const state = states[name] as AslState;
      expect({ name, resultPath: state.ResultPath }).toEqual({ name, resultPath: null });
      expect(catchersOf(state)).toEqual([{ ErrorEquals: ['States.ALL'], ResultPath: '$.notificationError', Next: state.Next }]);
      expect(state.Parameters).toMatchObject({ 'document.$': '$', execution: { 'id.$': '$$.Execution.Id', 'name.$': '$$.Execution.Name' }, terminalState: state.Next });
      expect((state.Parameters as { status: string }).status).toBe(state.Next === 'Succeeded' ? 'SUCCEEDED' : 'FAILED');
    }
    // Only a notify state leads into a final state, by Next, Choice or Catch.
    for (const [name, state] of Object.entries(states)) {
      const into = successors(state, true).filter((next) => terminal.includes(next));
      if (into.length > 0) expect({ name, notify: tasks[name] === 'notify' }).toEqual({ name, notify: true });
    }
  });

  test('every Task of every definition retries AwsThrottlingError and AwsTransientError', () => {
    for (const [name, state] of definitions.flatMap(([, d]) => Object.entries(d.States)).filter(([, s]) => s.Type === 'Task')) {
      const retried = retriersOf(state).flatMap((r) => r.ErrorEquals);
      const transient = retried.includes('AwsTransientError') || retried.includes('States.ALL');
      expect({ name, throttling: retried.includes('AwsThrottlingError'), transient })
        .toEqual({ name, throttling: true, transient: true });
    }
  });

  test('every Task has a TimeoutSeconds no shorter than its Lambda timeout in serverless.yml', () => {
    // Prepare
    const functions = serverlessFunctions();

    // Assess
    for (const [name, fn, state] of definitions.flatMap(([, d]) => Object.entries(taskFunctions(d)).map(([n, f]) => [n, f, d.States[n]] as const))) {
      const timeout = state?.TimeoutSeconds;
      expect({ name, timeout: typeof timeout }).toEqual({ name, timeout: 'number' });
      const lambdaTimeout = functions.get(fn)?.timeout ?? providerTimeout();
      expect({ name, atLeastLambdaTimeout: (timeout as number) >= lambdaTimeout }).toEqual({ name, atLeastLambdaTimeout: true });
    }
  });

  test('every state is reachable from StartAt', () => {
    const seen = reachable(definition.StartAt, true);
    expect(Object.keys(states).filter((name) => !seen.has(name))).toEqual([]);
    expect(Object.keys(states)).toContain(definition.StartAt);
  });

  test('teardown: the rollback function looped until done, failing by name; then why it ended, when it ended by itself', () => {
    // Prepare
    const teardown = readDefinition(TEARDOWN_DEFINITION_PATH);

    // Assess
    expect(taskFunctions(teardown)).toEqual({ Teardown: 'rollback', NotifyEnded: 'notify' });
    expect(teardown.States.Teardown).toMatchObject({ ResultPath: '$.rollback', Next: 'IsTornDown', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.error', Next: 'TeardownFailed' }] });
    expect(teardown.States.IsTornDown).toMatchObject({ Choices: [{ Variable: '$.rollback.done', BooleanEquals: true, Next: 'WhyEnded' }], Default: 'WaitForTeardown' });
    expect(teardown.States.WhyEnded).toMatchObject({ Type: 'Choice', Choices: [{ Next: 'NotifyEnded' }], Default: 'TornDown' });
    expect(teardown.States.NotifyEnded).toMatchObject({ ResultPath: null, Next: 'TornDown', Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.notificationError', Next: 'TornDown' }] });
    expect(teardown.States.WaitForTeardown).toMatchObject({ Type: 'Wait', Next: 'Teardown' });
    expect(teardown.States.TeardownFailed).toMatchObject({ Type: 'Fail', ErrorPath: '$.error.Error', CausePath: '$.error.Cause' });
    expect(teardown.TimeoutSeconds).toBeGreaterThan(20 * 60 + 150);
  });

  test('every Task (of every definition) names a function that exists in HANDLERS and in serverless.yml', () => {
    // Prepare
    const resourceFunctions = [...new Set(definitions.flatMap(([, d]) => Object.values(taskFunctions(d))))].sort();
    const declared = [...serverlessFunctions().keys()].sort();

    // Assess
    for (const [, d] of definitions) expect(Object.values(d.States).filter((s) => s.Type === 'Task')).toHaveLength(Object.keys(taskFunctions(d)).length);
    expect(resourceFunctions).toEqual(Object.keys(HANDLERS).sort());
    expect(resourceFunctions.filter((fn) => !declared.includes(fn))).toEqual([]);
    for (const fn of resourceFunctions) expect({ fn, handler: typeof HANDLERS[fn] }).toEqual({ fn, handler: 'function' });
  });
});

describe('scripts/check-asl.mjs', () => {
  const script = join(root, 'scripts', 'check-asl.mjs');

  test('passes on statemachines/*.asl.json', () => {
    // Act
    const run = spawnSync(process.execPath, [script], { cwd: root, encoding: 'utf8' });

    // Assess
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toContain(DEPLOY_DEFINITION_PATH);
    expect(run.stdout).toContain(TEARDOWN_DEFINITION_PATH);
  });

  test('exits 1 and names the problem for an invalid definition', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'check-asl-'));
    const broken = structuredClone(definition);
    (broken.States.Launch as AslState).Next = 'NoSuchState';
    const file = join(dir, 'broken.asl.json');
    writeFileSync(file, JSON.stringify(broken));

    try {
      // Act
      const run = spawnSync(process.execPath, [script, file], { cwd: root, encoding: 'utf8' });

      // Assess
      expect(run.status).toBe(1);
      expect(run.stderr).toContain('broken.asl.json');
      expect(run.stderr).toContain('NoSuchState');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** The `functions:` of serverless.yml (two-space keys under it), with their `timeout:` when set. */
function serverlessFunctions(): Map<string, { timeout?: number }> {
  const lines = readFileSync(join(root, 'serverless.yml'), 'utf8').split(/\r?\n/);
  const functions = new Map<string, { timeout?: number }>();
  let inFunctions = false;
  let current: string | undefined;
  for (const line of lines) {
    if (/^\S/.test(line)) {
      inFunctions = /^functions:\s*$/.test(line);
      current = undefined;
      continue;
    }
    if (!inFunctions) continue;
    const name = /^ {2}(\w+):\s*$/.exec(line)?.[1];
    if (name) {
      current = name;
      functions.set(name, {});
      continue;
    }
    const timeout = /^ {4}timeout:\s*(\d+)\s*$/.exec(line)?.[1];
    if (current && timeout) functions.set(current, { timeout: Number(timeout) });
  }
  return functions;
}

/** provider.timeout of serverless.yml (the Lambda default is 6 s when absent). */
function providerTimeout(): number {
  const text = readFileSync(join(root, 'serverless.yml'), 'utf8');
  const provider = /^provider:\s*\n((?: {2}.*\n|\s*\n)*)/m.exec(text)?.[1] ?? '';
  return Number(/^ {2}timeout:\s*(\d+)/m.exec(provider)?.[1] ?? 6);
}
