import { DescribeExecutionCommand, GetExecutionHistoryCommand, type HistoryEvent, type SFNClient } from '@aws-sdk/client-sfn';
import { callAws } from '../aws/classify.js';
import type { ProgressEvent } from '../workflow/local-runner.js';
import { WaitTimeoutError } from './errors.js';

export interface FollowOptions {
  pollMs?: number;
  timeoutMs?: number;
  onEvent?: (event: ProgressEvent) => void;
  sleep?: (ms: number) => Promise<void>;
  now?: () => number;
}

/** `TaskStateEntered` → `Task`; undefined for events that are not a state entering or leaving. */
const stateType = (type: string, suffix: 'StateEntered' | 'StateExited'): string | undefined =>
  type.endsWith(suffix) ? type.slice(0, -suffix.length) : undefined;

/**
 * Progress events from Step Functions history: a state entered, left (with its duration), or a Task that failed.
 * Pure: the same shape the local runner reports, so the CLI prints both alike.
 */
export function progressFromHistory(events: HistoryEvent[], enteredAt: Map<string, number> = new Map()): ProgressEvent[] {
  const progress: ProgressEvent[] = [];
  for (const event of events) {
    const type = event.type ?? '';
    const at = event.timestamp ? event.timestamp.getTime() : 0;
    const entered = stateType(type, 'StateEntered');
    const exited = stateType(type, 'StateExited');
    if (entered && event.stateEnteredEventDetails?.name) {
      const name = event.stateEnteredEventDetails.name;
      enteredAt.set(name, at);
      progress.push({ kind: 'entered', state: name, type: entered });
    } else if (exited && event.stateExitedEventDetails?.name) {
      const name = event.stateExitedEventDetails.name;
      progress.push({ kind: 'exited', state: name, type: exited, durationMs: Math.max(0, at - (enteredAt.get(name) ?? at)) });
    } else if (type === 'LambdaFunctionFailed' || type === 'TaskFailed') {
      const details = event.lambdaFunctionFailedEventDetails ?? event.taskFailedEventDetails;
      progress.push({ kind: 'failed', state: 'Task', type: 'Task', ...(details?.error ? { error: details.error } : {}), ...(details?.cause ? { cause: details.cause } : {}) });
    }
  }
  return progress;
}

async function historySince(sfn: SFNClient, executionArn: string, lastId: number): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const out = await callAws('GetExecutionHistory', () => sfn.send(new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, ...(nextToken ? { nextToken } : {}) })));
    events.push(...(out.events ?? []).filter((event) => (event.id ?? 0) > lastId));
    nextToken = out.nextToken;
  } while (nextToken);
  return events;
}

/**
 * Polls an execution until it ends, reporting each state it enters and leaves (GetExecutionHistory); returns the
 * execution's final status. Gives up with WaitTimeoutError after `timeoutMs` (the execution goes on).
 */
export async function followExecution(sfn: SFNClient, executionArn: string, options: FollowOptions = {}): Promise<string> {
  const pollMs = options.pollMs ?? 5000;
  const timeoutMs = options.timeoutMs ?? 3 * 60 * 60 * 1000;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const now = options.now ?? Date.now;
  const started = now();
  const enteredAt = new Map<string, number>();
  let lastId = 0;
  const report = async (): Promise<void> => {
    const events = await historySince(sfn, executionArn, lastId);
    for (const event of events) lastId = Math.max(lastId, event.id ?? 0);
    for (const progress of progressFromHistory(events, enteredAt)) options.onEvent?.(progress);
  };
  for (;;) {
    await report();
    const out = await callAws('DescribeExecution', () => sfn.send(new DescribeExecutionCommand({ executionArn })));
    if (out.status && out.status !== 'RUNNING') {
      await report();
      return out.status;
    }
    if (now() - started >= timeoutMs) {
      throw new WaitTimeoutError(`Stopped waiting after ${Math.round(timeoutMs / 1000)} s; the execution goes on`, { hint: `Follow it with gpu-deploy status ${executionArn.split(':').at(-1) ?? ''}` });
    }
    await sleep(pollMs);
  }
}
