/**
 * The fault matrix: the real deploy ASL in the local runner, the real handlers and their SDK calls over HTTP,
 * against one shared local cloud (moto + the stand-in), with one injected fault per scenario. After each
 * scenario: its end state is the expected one, no instance is left that is not the deployment's result, and the
 * deployment never created more than one instance (all instances with its tag, terminated ones included).
 * The summary table goes to test/faults/results.md and stdout.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { clearUnavailable } from '../../lib/capacity/unavailable.js';
import { startLocalCloud, type LocalCloud } from '../../lib/local/cloud.js';
import type { Fault, HostSimulation } from '../../lib/local/standin.js';
import { repoRoot } from '../../lib/local/paths.js';
import { HANDLERS, type LambdaHandler } from '../../lib/workflow/handlers.js';
import { runLocally, type LocalRunResult, type ProgressEvent } from '../../lib/workflow/local-runner.js';
import {
  deploymentInstances,
  deploymentSecurityGroups,
  isLive,
  lambdaServiceException,
  terminateBehindTheBack,
  throttlingBurst,
  writeResults,
  type ScenarioRow,
} from './helpers.js';

let cloud: LocalCloud;
const rows: ScenarioRow[] = [];
/** Operations the workflow called in the baseline run, by service family (`ec2` -> [`ec2.RunInstances`, ...]). */
const observed = new Map<string, Set<string>>();

/** Used when the baseline did not run (a filtered run): what a deployment calls today. */
const KNOWN_OPERATIONS: Record<string, string[]> = {
  ec2: [
    'ec2.DescribeInstanceTypes',
    'ec2.DescribeInstanceTypeOfferings',
    'ec2.DescribeImages',
    'ec2.DescribeSpotPriceHistory',
    'ec2.DescribeInstances',
    'ec2.DescribeSubnets',
    'ec2.DescribeSecurityGroups',
    'ec2.CreateSecurityGroup',
    'ec2.RunInstances',
  ],
  ssm: ['ssm.GetParameter', 'ssm.DescribeInstanceInformation', 'ssm.SendCommand', 'ssm.GetCommandInvocation'],
  pricing: ['pricing.GetProducts'],
};
const operationsOf = (family: string): string[] => [...(observed.get(family) ?? KNOWN_OPERATIONS[family] ?? [])];

interface Context {
  /** The execution name, which is the deployment id the instances are tagged with. */
  deploymentId: string;
  cloud: LocalCloud;
}

interface Scenario {
  name: string;
  request: Record<string, unknown>;
  expected: { status: 'SUCCEEDED' | 'FAILED'; errors?: string[]; causeIncludes?: string };
  /** Instances the deployment may create in all (terminated included); never more than one. */
  created: number;
  /** Deployment instances that may remain live after a failed run (only RollbackFailed leaves any). */
  leftAfterFailure?: number;
  faults?: () => Fault[];
  host?: HostSimulation;
  handlers?: (ctx: Context) => Record<string, LambdaHandler>;
  check?: (run: LocalRunResult, ctx: Context & { events: ProgressEvent[]; calls: string[] }) => Promise<string | void> | string | void;
}

const callsOf = (calls: string[], operation: string): number => calls.filter((c) => c === operation).length;
const output = (run: LocalRunResult): Record<string, any> => (run.output ?? {}) as Record<string, any>;

/** Throttling bursts on every operation of one service family: each answers twice (both SDK attempts of one call). */
function throttleScenario(family: string, request: Record<string, unknown>): Scenario {
  let armed: Fault[] = [];
  return {
    name: `throttling burst on every ${family} API (2 x ${family === 'ec2' ? 'RequestLimitExceeded' : 'ThrottlingException'} each)`,
    request,
    expected: { status: 'SUCCEEDED' },
    created: 1,
    faults: () => (armed = throttlingBurst(operationsOf(family), 2)),
    check: (run, { events }) => {
      const fired = armed.filter((f) => f.times === 0).map((f) => f.operation.split('.')[1]);
      const notReached = armed.filter((f) => f.times !== 0).map((f) => f.operation.split('.')[1]);
      expect(fired.length).toBeGreaterThan(0);
      const retried = [...new Set(events.filter((e) => e.kind === 'retried').map((e) => e.state))];
      // Either a state retried, or the step degraded on purpose (an on-demand price from the dated snapshot).
      const sources = JSON.stringify(output(run).estimate?.sources ?? []);
      if (retried.length === 0) expect(sources).toContain('snapshot');
      return [
        `throttled ${fired.join(', ')}`,
        notReached.length ? `not called in this run (cached): ${notReached.join(', ')}` : '',
        retried.length ? `states retried: ${retried.join(', ')}` : 'no state retried: the plan fell back to the price snapshot',
        `market ${output(run).market}`,
      ]
        .filter(Boolean)
        .join('; ');
    },
  };
}

const SCENARIOS: Scenario[] = [
  {
    name: 'baseline: no fault',
    request: { instanceType: 'g5.xlarge' },
    expected: { status: 'SUCCEEDED' },
    created: 1,
    check: (_run, { calls }) => {
      for (const call of calls) {
        const family = call.split('.')[0] ?? call;
        observed.set(family, (observed.get(family) ?? new Set()).add(call));
      }
      return `${calls.length} API calls: ${[...observed.keys()].map((f) => `${f} ${operationsOf(f).length} operations`).join(', ')}`;
    },
  },
  {
    name: 'capacity: InsufficientInstanceCapacity in the first two zones (on-demand)',
    request: { instanceType: 'g5.xlarge', market: 'on-demand' },
    faults: () => [{ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500, zones: ['us-east-1a', 'us-east-1b'] }],
    expected: { status: 'SUCCEEDED' },
    created: 1,
    check: (run, { calls }) => {
      const attempts = (output(run).launchAttempts as { zone: string; outcome: string }[]).map((a) => `${a.zone}:${a.outcome}`);
      expect(attempts.slice(0, 2)).toEqual(['us-east-1a:InsufficientInstanceCapacity', 'us-east-1b:InsufficientInstanceCapacity']);
      expect(attempts.at(-1)).toMatch(/:launched$/);
      // An HTTP 500 capacity error is retried once by the SDK itself (maxAttempts 2) before the next attempt.
      const runInstances = callsOf(calls, 'ec2.RunInstances');
      expect(runInstances).toBeGreaterThanOrEqual(attempts.length);
      expect(runInstances).toBeLessThanOrEqual(2 * attempts.length - 1);
      return `launched in ${output(run).zone} after ${attempts.length - 1} refusals (${runInstances} RunInstances calls: the SDK repeats each HTTP 500 once)`;
    },
  },
  {
    name: 'capacity: InsufficientInstanceCapacity in every zone and market',
    request: { instanceType: 'g5.xlarge' },
    faults: () => [{ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500 }],
    expected: { status: 'FAILED', errors: ['CapacityUnavailableError'] },
    created: 0,
    check: async (run, { deploymentId }) => {
      expect(run.rollback).toMatchObject({ done: true });
      expect(await deploymentSecurityGroups(cloud, deploymentId)).toEqual([]);
    },
  },
  {
    name: 'capacity: spot refused everywhere, on-demand granted',
    request: { instanceType: 'g5.xlarge', market: 'auto' },
    faults: () => [{ operation: 'ec2.RunInstances', code: 'InsufficientInstanceCapacity', status: 500, spot: true }],
    expected: { status: 'SUCCEEDED' },
    created: 1,
    check: (run) => {
      expect(output(run).market).toBe('on-demand');
      const attempts = output(run).launchAttempts as { market: string; outcome: string }[];
      expect(attempts.filter((a) => a.market === 'spot').every((a) => a.outcome === 'InsufficientInstanceCapacity')).toBe(true);
      return `${attempts.filter((a) => a.market === 'spot').length} spot refusals, then on-demand in ${output(run).zone}`;
    },
  },
  // Each throttling scenario asks for another OS so the AMI lookup (cached per OS for hours) really calls AWS.
  throttleScenario('ec2', { instanceType: 'g4dn.xlarge', osType: 'ubuntu-24.04' }),
  throttleScenario('ssm', { instanceType: 'g4dn.xlarge', osType: 'amazon-linux-2023' }),
  throttleScenario('pricing', { instanceType: 'g4dn.xlarge', osType: 'amazon-linux-2' }),
  (() => {
    let launches = 0;
    return {
      name: 'Launch Lambda crashes after RunInstances returned (Lambda.ServiceException, retried)',
      request: { instanceType: 'g5.xlarge', market: 'on-demand' },
      expected: { status: 'SUCCEEDED' },
      created: 1,
      handlers: () => ({
        launch: (async (event: never, context: never) => {
          launches += 1;
          const result = await (HANDLERS.launch as LambdaHandler)(event, context);
          if (launches === 1) throw lambdaServiceException('Simulated crash after RunInstances returned');
          return result;
        }) as LambdaHandler,
      }),
      check: (run, { events, calls }) => {
        expect(launches).toBe(2);
        expect(events.some((e) => e.kind === 'retried' && e.state === 'Launch')).toBe(true);
        expect(callsOf(calls, 'ec2.RunInstances')).toBe(1);
        return `the retried Launch found ${output(run).instanceId} by its tag; RunInstances called once`;
      },
    } satisfies Scenario;
  })(),
  {
    name: 'instance terminated by someone else right after Launch',
    request: { instanceType: 'g5.xlarge', market: 'on-demand' },
    expected: { status: 'FAILED', errors: ['InstanceStartFailedError'] },
    created: 1,
    handlers: (ctx) => ({
      launch: (async (event: never, context: never) => {
        const result = (await (HANDLERS.launch as LambdaHandler)(event, context)) as { instanceId: string };
        await terminateBehindTheBack(ctx.cloud, [result.instanceId]);
        return result;
      }) as LambdaHandler,
    }),
    check: async (run, { deploymentId }) => {
      expect(run.rollback).toMatchObject({ done: true, remainingInstances: [] });
      expect(await deploymentSecurityGroups(cloud, deploymentId)).toEqual([]);
    },
  },
  {
    name: 'instance terminated by someone else while waiting for SSM (timeouts 1 s + 2 s)',
    request: { instanceType: 'g5.xlarge', market: 'on-demand', timeouts: { runningSeconds: 1, managedSeconds: 2, verifySeconds: 60 } },
    // Today CheckManaged only asks SSM, so it notices the loss only at the managed deadline (see the note).
    expected: { status: 'FAILED', errors: ['InstanceStartFailedError', 'SsmManagedTimeoutError'] },
    created: 1,
    handlers: (ctx) => {
      let terminated = false;
      return {
        checkManaged: (async (event: never, context: never) => {
          if (!terminated) {
            terminated = true;
            await terminateBehindTheBack(ctx.cloud, [(event as { launch: { instanceId: string } }).launch.instanceId]);
          }
          return (HANDLERS.checkManaged as LambdaHandler)(event, context);
        }) as LambdaHandler,
      };
    },
    check: (run) => {
      expect(run.rollback).toMatchObject({ done: true });
      if (run.error === 'SsmManagedTimeoutError') {
        return 'CheckManaged does not look at the instance state: a terminated instance is polled until runningSeconds + managedSeconds (25 min by default) and reported as an SSM timeout';
      }
      return 'CheckManaged noticed the terminated instance';
    },
  },
  {
    name: 'SSM agent never online (timeouts 1 s + 1 s)',
    request: { instanceType: 'g5.xlarge', timeouts: { runningSeconds: 1, managedSeconds: 1, verifySeconds: 60 } },
    host: { agentOffline: true },
    expected: { status: 'FAILED', errors: ['SsmManagedTimeoutError'] },
    created: 1,
    check: (run, { events }) => {
      expect(run.rollback).toMatchObject({ done: true });
      return `${events.filter((e) => e.kind === 'entered' && e.state === 'CheckManaged').length} CheckManaged polls`;
    },
  },
  {
    name: 'health check: NVIDIA driver not loaded',
    request: { instanceType: 'g5.xlarge' },
    host: { fault: 'no-driver' },
    expected: { status: 'FAILED', errors: ['GpuVerificationFailedError'], causeIncludes: 'DRIVER_NOT_LOADED' },
    created: 1,
  },
  {
    name: 'health check: Docker cannot see the GPU',
    request: { instanceType: 'g5.xlarge' },
    host: { fault: 'docker-no-gpu' },
    expected: { status: 'FAILED', errors: ['GpuVerificationFailedError'], causeIncludes: 'DOCKER_GPU_UNAVAILABLE' },
    created: 1,
  },
  {
    name: 'health check: Ollama runs on the CPU',
    request: { instanceType: 'g5.xlarge' },
    host: { fault: 'ollama-cpu' },
    expected: { status: 'FAILED', errors: ['GpuVerificationFailedError'], causeIncludes: 'OLLAMA_ON_CPU' },
    created: 1,
  },
  {
    name: 'SendCommand API times out twice (HTTP 504), then answers',
    request: { instanceType: 'g5.xlarge' },
    faults: () => [{ operation: 'ssm.SendCommand', code: 'RequestTimeoutException', status: 504, times: 2 }],
    expected: { status: 'SUCCEEDED' },
    created: 1,
    check: (_run, { events }) => {
      expect(events.some((e) => e.kind === 'retried' && e.state === 'VerifyGpu')).toBe(true);
    },
  },
  {
    name: 'SendCommand API times out on every call (HTTP 504)',
    request: { instanceType: 'g5.xlarge' },
    faults: () => [{ operation: 'ssm.SendCommand', code: 'RequestTimeoutException', status: 504 }],
    expected: { status: 'FAILED', errors: ['AwsTransientError'] },
    created: 1,
    check: (run) => {
      expect(run.rollback).toMatchObject({ done: true });
    },
  },
  {
    name: 'Run Command never reports back (GetCommandInvocation: InvocationDoesNotExist; verifySeconds 1)',
    request: { instanceType: 'g5.xlarge', timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 1 } },
    faults: () => [{ operation: 'ssm.GetCommandInvocation', code: 'InvocationDoesNotExist', status: 400 }],
    expected: { status: 'FAILED', errors: ['VerificationTimeoutError'] },
    created: 1,
    check: (run) => {
      expect(run.rollback).toMatchObject({ done: true });
    },
  },
  (() => {
    let armed: Fault[] = [];
    return {
      name: 'rollback throttled (2 x RequestLimitExceeded on each EC2 call of Rollback)',
      request: { instanceType: 'g5.xlarge' },
      host: { fault: 'no-driver' },
      expected: { status: 'FAILED', errors: ['GpuVerificationFailedError'] },
      created: 1,
      handlers: (ctx) => ({
        rollback: (async (event: never, context: never) => {
          // Armed when the Rollback state first runs, so only the clean-up is throttled.
          if (armed.length === 0) {
            armed = throttlingBurst(['ec2.DescribeInstances', 'ec2.TerminateInstances', 'ec2.DescribeSecurityGroups', 'ec2.DeleteSecurityGroup'], 2);
            ctx.cloud.standIn.faults.push(...armed);
          }
          return (HANDLERS.rollback as LambdaHandler)(event, context);
        }) as LambdaHandler,
      }),
      check: async (run, { events, deploymentId }) => {
        expect(run.rollback).toMatchObject({ done: true, remainingInstances: [] });
        expect(await deploymentSecurityGroups(cloud, deploymentId)).toEqual([]);
        const retried = events.filter((e) => e.kind === 'retried' && e.state === 'Rollback').length;
        expect(retried).toBeGreaterThanOrEqual(1);
        return `Rollback retried ${retried} times; throttled ${armed.filter((f) => f.times === 0).map((f) => f.operation.split('.')[1]).join(', ')}`;
      },
    } satisfies Scenario;
  })(),
  {
    name: 'rollback refused (UnauthorizedOperation on TerminateInstances: the role lost the permission)',
    request: { instanceType: 'g5.xlarge' },
    host: { fault: 'no-driver' },
    expected: { status: 'FAILED', errors: ['RollbackIncompleteError'] },
    created: 1,
    // The documented end state RollbackFailed: the instance stays, tagged, for `gpu-deploy teardown`.
    leftAfterFailure: 1,
    handlers: (ctx) => ({
      rollback: (async (event: never, context: never) => {
        ctx.cloud.standIn.faults.push({ operation: 'ec2.TerminateInstances', code: 'UnauthorizedOperation', status: 403, message: 'not authorized (injected)' });
        return (HANDLERS.rollback as LambdaHandler)(event, context);
      }) as LambdaHandler,
    }),
    check: (run) => `the instance is left running and tagged, as RollbackFailed documents (the test then terminates it); cause: ${(run.cause ?? '').slice(0, 90)}`,
  },
];

beforeAll(async () => {
  cloud = await startLocalCloud({ region: 'us-east-1' });
});

afterAll(async () => {
  await cloud?.stop();
  if (rows.length === 0) return;
  const text = writeResults(
    join(repoRoot(), 'test', 'faults', 'results.md'),
    rows,
    [
      '# Fault matrix (generated by test/faults/matrix.test.ts)',
      '',
      `Run ${new Date().toISOString()}: the real deploy ASL in the local runner (waits 20 ms, retry pauses 10 ms), the real`,
      'handlers, moto + the local stand-in over HTTP, one shared local cloud. "instances created" counts every',
      'instance that ever carried the deployment tag (terminated included); "instances left" the ones still live',
      'after the run (a successful run leaves exactly its result, which the test then terminates).',
    ].join('\n'),
  );
  console.log(text);
});

async function runScenario(scenario: Scenario): Promise<void> {
  cloud.standIn.faults.length = 0;
  cloud.standIn.host = { ...(scenario.host ?? {}) };
  clearUnavailable();
  const deploymentId = `fault-${rows.length + 1}-${randomUUID().slice(0, 8)}`;
  const ctx: Context = { deploymentId, cloud };
  cloud.standIn.faults.push(...(scenario.faults?.() ?? []));
  const callsBefore = cloud.standIn.calls.length;
  const events: ProgressEvent[] = [];
  const started = Date.now();
  const run = await runLocally({
    input: scenario.request,
    handlers: { ...HANDLERS, ...(scenario.handlers?.(ctx) ?? {}) },
    executionName: deploymentId,
    waitMs: 20,
    retryMs: 10,
    onEvent: (e) => events.push(e),
  });
  const ms = Date.now() - started;
  cloud.standIn.faults.length = 0;
  const calls = cloud.standIn.calls.slice(callsBefore);

  const created = await deploymentInstances(cloud, deploymentId);
  const live = created.filter(isLive).map((i) => i.InstanceId ?? '');
  const result = run.status === 'SUCCEEDED' ? String(output(run).instanceId) : undefined;
  const allowed = new Set(result ? [result] : live.slice(0, scenario.leftAfterFailure ?? 0));
  const strays = (await cloud.liveInstances()).filter((id) => !allowed.has(id));

  const wanted = scenario.expected;
  const ok =
    run.status === wanted.status &&
    (wanted.errors ? wanted.errors.includes(run.error ?? '') : run.error === undefined) &&
    (!wanted.causeIncludes || (run.cause ?? '').includes(wanted.causeIncludes));
  const row: ScenarioRow = {
    scenario: scenario.name,
    expected: `${wanted.status}${wanted.errors ? ` ${wanted.errors.join(' or ')}` : ''}${wanted.causeIncludes ? ` (${wanted.causeIncludes})` : ''}`,
    outcome: run.status,
    error: run.error ?? '',
    instancesLeft: live.length,
    instancesCreated: created.length,
    runInstancesCalls: callsOf(calls, 'ec2.RunInstances'),
    retries: events.filter((e) => e.kind === 'retried').length,
    ms,
    ok: false,
    note: '',
  };
  rows.push(row);
  try {
    // Assess: the end state, then the invariants.
    expect(run.status).toBe(wanted.status);
    if (wanted.errors) expect(wanted.errors).toContain(run.error);
    else expect(run.error).toBeUndefined();
    if (wanted.causeIncludes) expect(run.cause).toContain(wanted.causeIncludes);
    expect(ok).toBe(true);
    expect(strays).toEqual([]);
    expect(created.length).toBeLessThanOrEqual(1);
    expect(created.length).toBe(scenario.created);
    if (run.status === 'SUCCEEDED') expect(live).toEqual([result]);
    else expect(live.length).toBe(scenario.leftAfterFailure ?? 0);
    const note = await scenario.check?.(run, { ...ctx, events, calls });
    row.note = note ?? '';
    row.ok = true;
  } catch (error) {
    row.note = `${row.note ? `${row.note}; ` : ''}${run.status} ${run.error ?? ''}: ${(run.cause ?? '').slice(0, 200)}`;
    throw error;
  } finally {
    // The next scenario starts from an account with no live instance.
    await terminateBehindTheBack(cloud, (await cloud.liveInstances()).filter(Boolean));
  }
}

describe('fault matrix', () => {
  for (const scenario of SCENARIOS) {
    test(scenario.name, () => runScenario(scenario));
  }

  test('every scenario ended as expected', () => {
    const failed = rows.filter((r) => !r.ok).map((r) => r.scenario);
    expect(failed).toEqual([]);
    expect(rows).toHaveLength(SCENARIOS.length);
  });
});
