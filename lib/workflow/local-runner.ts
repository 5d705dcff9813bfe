import { StateMachine } from 'aws-local-stepfunctions';
import { randomUUID } from 'node:crypto';
import { readDefinition, substituteArns, taskFunctions, type AslDefinition } from './definition.js';
import { LOCAL_STATES_ARN_PREFIX } from '../deployments/access.js';
import { causeMessage } from './document.js';
import type { LambdaHandler } from './handlers.js';
import { withStepNotes } from './step-notes.js';
import { scaledWaits } from './time-scale.js';

/** One line of progress: a state started, ended, was retried or caught an error, or a running Task said something. */
export interface ProgressEvent {
  kind: 'entered' | 'exited' | 'failed' | 'retried' | 'caught' | 'note';
  state: string;
  type: string;
  durationMs?: number;
  error?: string;
  cause?: string;
  /** `note`: what the Task said (stepNote), e.g. a launch attempt refused for capacity. */
  message?: string;
}

export interface LocalRunOptions {
  input: unknown;
  handlers: Record<string, LambdaHandler>;
  executionName?: string;
  /** Stops the run (Ctrl-C): the execution ends as FAILED with ExecutionAborted; the caller cleans up. */
  signal?: AbortSignal;
  /** Every Wait state lasts this long locally (the cloud waits seconds; the emulator answers at once). */
  waitMs?: number;
  /** Every Wait state lasts its definition's length times this (time-scale.ts); waitMs wins when both are given. */
  waitScale?: number;
  /** Pause before each Retry, instead of the definition's backoff. */
  retryMs?: number;
  definition?: AslDefinition;
  /** Names the state machine in the execution ARN (default `gpu-deploy-deploy`). */
  stateMachineName?: string;
  onEvent?: (event: ProgressEvent) => void;
}

export interface LocalRunResult {
  executionArn: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  cause?: string;
  /** States entered, Lambda invocations (including retries), and the last Rollback step's output. */
  transitions: number;
  lambdaInvocations: number;
  rollback?: unknown;
  durationMs: number;
}

function lambdaContext(functionName: string) {
  const deadline = Date.now() + 120_000;
  return {
    functionName,
    functionVersion: '$LATEST',
    awsRequestId: randomUUID(),
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '512',
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
  };
}

/**
 * Runs the deploy state machine definition in this process with aws-local-stepfunctions, every Task mapped to
 * the real Lambda handler it names. The same ASL file is what serverless deploys.
 *
 * @example
 * const result = await runLocally({ input: { instanceType: 'g5.xlarge' }, handlers: HANDLERS, waitMs: 200 });
 */
export async function runLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const source = options.definition ?? readDefinition();
  const tasks = taskFunctions(source);
  const definition = substituteArns(source);
  const machine = new StateMachine(definition as never, { validationOptions: { checkArn: true, checkPaths: true } });
  const executionName = options.executionName ?? `local-${randomUUID()}`;
  const stateMachineName = options.stateMachineName ?? 'gpu-deploy-deploy';
  const executionArn = `${LOCAL_STATES_ARN_PREFIX}execution:${stateMachineName}:${executionName}`;

  const onEvent = options.onEvent ?? (() => undefined);
  // A failing progress callback must not turn a deployment's outcome into a failure.
  const emit = (event: ProgressEvent): void => {
    try {
      onEvent(event);
    } catch {
      // ignored: progress is best-effort
    }
  };
  let lambdaInvocations = 0;
  const taskResourceLocalHandlers: Record<string, (input: never) => Promise<never>> = {};
  for (const [stateName, functionName] of Object.entries(tasks)) {
    const handler = options.handlers[functionName];
    if (!handler) throw new Error(`No handler for function ${functionName} (state ${stateName})`);
    taskResourceLocalHandlers[stateName] = (input: never) => {
      lambdaInvocations += 1;
      const onNote = (message: string): void => emit({ kind: 'note', state: stateName, type: 'Task', message });
      return withStepNotes(onNote, () => handler(input, lambdaContext(functionName) as never) as Promise<never>);
    };
  }
  const waitStates = Object.entries(source.States).filter(([, s]) => s.Type === 'Wait').map(([name]) => name);
  // Without waitMs/waitScale/retryMs the definition's own Wait durations and Retry backoff apply (a run against AWS
  // must not poll or retry in a tight loop).
  const waits =
    options.waitMs !== undefined ? Object.fromEntries(waitStates.map((name) => [name, options.waitMs])) : options.waitScale !== undefined ? scaledWaits(source, options.waitScale) : undefined;
  const overrides = {
    taskResourceLocalHandlers: taskResourceLocalHandlers as never,
    ...(waits === undefined ? {} : { waitTimeOverrides: waits }),
    ...(options.retryMs === undefined ? {} : { retryIntervalOverrides: Object.fromEntries(Object.keys(tasks).map((name) => [name, options.retryMs])) }),
  };

  const started = Date.now();
  const startTime = new Date(started).toISOString();
  const execution = machine.run(options.input as never, {
    overrides: overrides as never,
    context: {
      Execution: { Id: executionArn, Name: executionName, Input: options.input, StartTime: startTime, RoleArn: 'arn:aws:iam::000000000000:role/local' },
      StateMachine: { Id: `${LOCAL_STATES_ARN_PREFIX}stateMachine:${stateMachineName}`, Name: stateMachineName },
    } as never,
  });

  options.signal?.addEventListener('abort', () => execution.abort(), { once: true });
  let transitions = 0;
  let rollback: unknown;
  const enteredAt = new Map<string, number>();
  const caught = new Set<string>();
  const logs = (async () => {
    for await (const event of execution.eventLogs) {
      const e = event as { type: string; timestamp: number; state?: { name: string; type: string; output?: unknown }; Error?: string; Cause?: string };
      if (!e.state) continue;
      const { name, type } = e.state;
      if (e.type === 'StateEntered') {
        transitions += 1;
        enteredAt.set(name, e.timestamp);
        emit({ kind: 'entered', state: name, type });
      } else if (e.type === 'StateExited') {
        if (name === 'Rollback') rollback = (e.state.output as { rollback?: unknown } | undefined)?.rollback;
        // A state that failed and leaves anyway was caught by its Catch (said as it happened): it did not succeed.
        if (!caught.delete(name)) emit({ kind: 'exited', state: name, type, durationMs: e.timestamp - (enteredAt.get(name) ?? e.timestamp) });
      } else if (e.type === 'StateFailed') {
        emit({ kind: 'failed', state: name, type, durationMs: e.timestamp - (enteredAt.get(name) ?? e.timestamp), ...(e.Error ? { error: e.Error } : {}), ...(e.Cause ? { cause: String(e.Cause) } : {}) });
      } else if (e.type === 'StateRetried') {
        emit({ kind: 'retried', state: name, type });
      } else if (e.type === 'StateCaught') {
        caught.add(name);
        emit({ kind: 'caught', state: name, type });
      }
    }
  })();

  const base = { executionArn, transitions: 0, lambdaInvocations: 0 };
  let result: LocalRunResult;
  try {
    const output = await execution.result;
    await logs;
    result = { ...base, status: 'SUCCEEDED', output, durationMs: Date.now() - started } as LocalRunResult;
  } catch (error) {
    await logs.catch(() => undefined);
    // aws-local-stepfunctions throws ExecutionError wrapping the Fail state's error (name = Error, message = Cause).
    const failure = error as { cause?: unknown };
    const inner = (failure.cause ?? error) as { name?: string; message?: string };
    const cause = inner.message ?? String(error);
    result = { ...base, status: 'FAILED', error: inner.name ?? 'States.Runtime', cause: causeMessage(cause), durationMs: Date.now() - started } as LocalRunResult;
  }
  result.transitions = transitions;
  result.lambdaInvocations = lambdaInvocations;
  if (rollback !== undefined) result.rollback = rollback;
  return result;
}
