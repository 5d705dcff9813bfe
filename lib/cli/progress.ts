/**
 * The progress view of a running state machine (`run`, `teardown`, `start --wait`): one line per state, except that
 * the repeats of a polling loop (Wait → Check → Choice → Wait ...) fold into one line that counts the polls against
 * the loop's deadline: `… WaitUntilManaged: poll 12, 2m10s of 25m`.
 *
 * On a terminal that line is rewritten in place. Anywhere else (a pipe, a CI log, a file) nothing can be rewritten,
 * so it is printed again only at polls 1, 2, 4, 8, 16, ...: the lines grow with the logarithm of the wait, never one
 * per poll, a stuck wait still shows it is alive at widening intervals, and the count is the same locally (polls of
 * 100 ms) and on AWS (polls of 15 s), so neither floods a log. Failures, retries and a Task's notes always get their
 * own line.
 */
import { ROLLBACK_DEADLINE_SECONDS } from '../steps/rollback.js';
import type { Timeouts } from '../types.js';
import type { ProgressEvent } from '../workflow/local-runner.js';
import { progressLine, type Io } from './output.js';

/** A loop's deadline: `seconds`, counted from when `since` (a state) last ended, else from the loop's first state. */
export interface PollDeadline {
  seconds: number;
  since?: string;
}

export interface ProgressPrinterOptions {
  write: (text: string) => void;
  tty: boolean;
  /** The definition's polling loops (pollLoops). */
  loops: readonly (readonly string[])[];
  /** Deadlines by any state of a loop. */
  deadlines?: Record<string, PollDeadline>;
  now?: () => number;
}

interface Group {
  loop: readonly string[];
  label: string;
  polls: number;
  startedAt: number;
  failed: boolean;
}

/** `0.4s`, `12s`, `2m10s`, `25m`. */
export function duration(seconds: number): string {
  if (seconds < 10) return `${seconds.toFixed(1)}s`;
  if (seconds < 60) return `${Math.round(seconds)}s`;
  const minutes = Math.floor(seconds / 60);
  const rest = Math.round(seconds - minutes * 60);
  return rest === 0 ? `${minutes}m` : `${minutes}m${String(rest).padStart(2, '0')}s`;
}

const isPowerOfTwo = (n: number): boolean => n > 0 && (n & (n - 1)) === 0;

/**
 * A printer of ProgressEvents: `onEvent` for each, `finish` when the run ends (closes an open poll line).
 *
 * @example
 * const printer = progressPrinter({ write: (t) => process.stderr.write(t), tty: true, loops: pollLoops(readDefinition()) });
 * await runLocally({ ..., onEvent: printer.onEvent }); printer.finish();
 */
export function progressPrinter(options: ProgressPrinterOptions) {
  const now = options.now ?? Date.now;
  const loopOf = new Map<string, readonly string[]>();
  for (const loop of options.loops) for (const state of loop) loopOf.set(state, loop);
  const endedAt = new Map<string, number>();
  let group: Group | undefined;
  let live = false;

  const line = (text: string): void => {
    if (live) options.write('\n');
    live = false;
    options.write(text.endsWith('\n') ? text : `${text}\n`);
  };

  const deadlineOf = (loop: readonly string[]): PollDeadline | undefined => loop.map((state) => options.deadlines?.[state]).find((d) => d !== undefined);

  const status = (g: Group): string => {
    const deadline = deadlineOf(g.loop);
    const start = deadline?.since !== undefined ? (endedAt.get(deadline.since) ?? g.startedAt) : g.startedAt;
    const elapsed = `${duration((now() - start) / 1000)}${deadline ? ` of ${duration(deadline.seconds)}` : ''}`;
    return `${g.label}: ${g.polls === 1 ? '1 poll' : `${g.polls} polls`}, ${elapsed}`;
  };

  const showPoll = (g: Group): void => {
    const text = `  … ${status(g).replace(/^([^:]+): (\d+) polls?/, '$1: poll $2')}`;
    if (options.tty) {
      options.write(`\r\x1b[2K${text}`);
      live = true;
    } else if (isPowerOfTwo(g.polls)) line(text);
  };

  const close = (): void => {
    if (!group) return;
    const summary = `  ${group.failed ? '✗' : '✓'} ${status(group)}`;
    if (live) options.write(`\r\x1b[2K${summary}\n`);
    else options.write(`${summary}\n`);
    live = false;
    group = undefined;
  };

  const onEvent = (event: ProgressEvent): void => {
    if (event.kind === 'exited' || event.kind === 'failed') endedAt.set(event.state, now());
    const loop = loopOf.get(event.state);
    const isWait = event.kind === 'entered' && event.type === 'Wait';
    // A loop folds from its first Wait on: the states before it (a first VerifyGpu, a Rollback done at once) print.
    if (loop !== undefined && event.kind !== 'note' && (group?.loop === loop || isWait)) {
      if (group?.loop !== loop) {
        close();
        group = { loop, label: event.state, polls: 0, startedAt: now(), failed: false };
      }
      if (isWait) {
        group.polls += 1;
        group.label = event.state;
        showPoll(group);
      } else if (event.kind === 'failed' || event.kind === 'retried' || event.kind === 'caught') {
        if (event.kind !== 'retried') group.failed = true;
        const text = progressLine(event);
        if (text) line(text);
      }
      return;
    }
    if (event.kind !== 'note') close();
    const text = progressLine(event);
    if (text) line(text);
  };

  return { onEvent, finish: close };
}

/** A progress printer on the command's stderr for one definition's loops and deadlines. */
export const stderrProgress = (io: Io, loops: readonly (readonly string[])[], deadlines: Record<string, PollDeadline>) =>
  progressPrinter({ write: io.err, tty: io.tty === true, loops, deadlines });

/**
 * The deadlines the definitions' loops run against, as the steps enforce them: CheckRunning and CheckManaged count
 * from the launch (lib/steps/check-*.ts), the health check from its first send (verify-gpu.ts), a rollback or
 * teardown from its first step (rollback.ts). Without timeouts (a teardown), only the rollback deadline is known.
 */
export function loopDeadlines(timeouts?: Timeouts): Record<string, PollDeadline> {
  const rollback = { seconds: ROLLBACK_DEADLINE_SECONDS };
  return {
    WaitForRollback: rollback,
    WaitForTeardown: rollback,
    ...(timeouts
      ? {
          WaitUntilRunning: { seconds: timeouts.runningSeconds, since: 'Launch' },
          WaitUntilManaged: { seconds: timeouts.runningSeconds + timeouts.managedSeconds, since: 'Launch' },
          WaitForGpuReport: { seconds: timeouts.verifySeconds },
        }
      : {}),
  };
}
