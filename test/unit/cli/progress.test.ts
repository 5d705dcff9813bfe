import { clip } from '../../../lib/cli/output.js';
import { duration, loopDeadlines, progressPrinter } from '../../../lib/cli/progress.js';
import { readDefinition, TEARDOWN_DEFINITION_PATH } from '../../../lib/workflow/definition.js';
import type { ProgressEvent } from '../../../lib/workflow/local-runner.js';
import { pollLoops } from '../../../lib/workflow/loops.js';
import { scaledTimeouts, scaledWaits } from '../../../lib/workflow/time-scale.js';

const DEPLOY_LOOPS = pollLoops(readDefinition());
const entered = (state: string, type = 'Task'): ProgressEvent => ({ kind: 'entered', state, type });
const exited = (state: string, type = 'Task', durationMs = 5): ProgressEvent => ({ kind: 'exited', state, type, durationMs });

/** The events of `polls` rounds of the managed loop, then the state after it. */
function managedPolls(polls: number, clock: { t: number }): ProgressEvent[] {
  const events: ProgressEvent[] = [exited('Launch')];
  for (let i = 0; i < polls; i += 1) {
    events.push(entered('WaitUntilManaged', 'Wait'), exited('WaitUntilManaged', 'Wait'), entered('CheckManaged'), exited('CheckManaged'), entered('IsManaged', 'Choice'), exited('IsManaged', 'Choice'));
    clock.t += 15_000;
  }
  return [...events, entered('VerifyGpu')];
}

function print(tty: boolean, events: ProgressEvent[], clock: { t: number }, step = 0): string {
  let out = '';
  const printer = progressPrinter({ write: (t) => (out += t), tty, loops: DEPLOY_LOOPS, deadlines: loopDeadlines({ runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 }), now: () => clock.t });
  for (const event of events) {
    printer.onEvent(event);
    if (event.type === 'Wait' && event.kind === 'entered') clock.t += step;
  }
  printer.finish();
  return out;
}

describe('the polling loops of the definitions', () => {
  test('deploy: running, managed, verify, rollback and the workspace\'s two; teardown: its own loop', () => {
    const sorted = DEPLOY_LOOPS.map((loop) => [...loop].sort());
    expect(sorted).toEqual(
      expect.arrayContaining([
        ['CheckRunning', 'IsRunning', 'WaitUntilRunning'],
        ['CheckManaged', 'IsManaged', 'WaitUntilManaged'],
        ['GetGpuReport', 'IsVerified', 'VerifyGpu', 'WaitForGpuReport', 'WaitForSetup'],
        ['IsRolledBack', 'Rollback', 'WaitForRollback'],
        ['EnsureWorkspace', 'IsWorkspaceReady', 'WaitForWorkspace'],
        ['CheckMountTarget', 'IsMountTargetAvailable', 'WaitForMountTarget'],
      ]),
    );
    expect(sorted).toHaveLength(6);
    expect(pollLoops(readDefinition(TEARDOWN_DEFINITION_PATH)).map((l) => [...l].sort())).toEqual([['IsTornDown', 'Teardown', 'WaitForTeardown']]);
  });
});

describe('progressPrinter', () => {
  test('not a terminal: a 100-poll wait prints at polls 1, 2, 4 ... 64 and a summary, never a line per poll', () => {
    const clock = { t: 0 };
    const out = print(false, managedPolls(100, clock), { t: 0 }, 15_000);
    const lines = out.trimEnd().split('\n');
    expect(lines.filter((l) => l.includes('WaitUntilManaged: poll'))).toEqual([1, 2, 4, 8, 16, 32, 64].map((n) => expect.stringContaining(`WaitUntilManaged: poll ${n}, `)));
    expect(lines).toContain('  ✓ WaitUntilManaged: 100 polls, 25m of 25m');
    expect(lines.at(-1)).toBe('  → VerifyGpu');
    expect(out).not.toContain('CheckManaged');
    expect(lines.length).toBeLessThan(12);
  });

  test('a terminal: one line rewritten in place, with the poll count and time against the deadline from launch', () => {
    const out = print(true, managedPolls(3, { t: 0 }), { t: 0 }, 130_000);
    expect(out).toContain('\r\x1b[2K  … WaitUntilManaged: poll 1, 0.0s of 25m');
    expect(out).toContain('\r\x1b[2K  … WaitUntilManaged: poll 3, 4m20s of 25m');
    expect(out).toContain('\r\x1b[2K  ✓ WaitUntilManaged: 3 polls, 6m30s of 25m\n  → VerifyGpu\n');
    expect(out.split('\n')).toHaveLength(4);
  });

  test('a failure inside a loop gets its own whole line, and the summary says the loop failed', () => {
    const events = [...managedPolls(2, { t: 0 }).slice(0, -1), { kind: 'failed', state: 'CheckManaged', type: 'Task', durationMs: 3, error: 'SsmManagedTimeoutError', cause: 'SSM never reported it online' } as ProgressEvent, entered('Rollback')];
    const out = print(true, events, { t: 0 });
    expect(out).toContain('poll 2, 0.0s of 25m\n  ✗ CheckManaged              3 ms  SsmManagedTimeoutError: SSM never reported it online\n');
    expect(out).toContain('  ✗ WaitUntilManaged: 2 polls');
    expect(out.endsWith('  → Rollback\n')).toBe(true);
  });

  test('states of a loop before its first Wait print as usual; a Task\'s notes print as they come', () => {
    const out = print(false, [entered('Rollback'), { kind: 'note', state: 'Launch', type: 'Task', message: 'us-east-1a spot: refused' }, exited('Rollback'), entered('IsRolledBack', 'Choice'), entered('NotifyFailed')], { t: 0 });
    expect(out).toBe('  → Rollback\n      us-east-1a spot: refused\n  ✓ Rollback                  5 ms\n  ✓ IsRolledBack\n  → NotifyFailed\n');
  });
});

describe('the texts', () => {
  test('duration, and causes cut at a word with an ellipsis, never mid-word', () => {
    expect([0.04, 9.96, 12.4, 60, 130, 1500].map(duration)).toEqual(['0.0s', '10.0s', '12s', '1m', '2m10s', '25m']);
    expect(clip('short', 20)).toBe('short');
    expect(clip('The instance needs outbound HTTPS to SSM and a profile', 30)).toBe('The instance needs outbound…');
    expect(clip(`${'x'.repeat(40)} tail`, 20)).toBe(`${'x'.repeat(19)}…`);
  });
});

describe('local time', () => {
  test('waits and deadlines scale by one factor, deadlines in whole seconds of at least 1', () => {
    expect(scaledWaits(readDefinition(), 0.01)).toMatchObject({ WaitUntilRunning: 100, WaitUntilManaged: 150, WaitForSetup: 300, WaitForRollback: 100 });
    expect(scaledTimeouts({ runningSeconds: 600, managedSeconds: 900, verifySeconds: 30 }, 0.01)).toEqual({ runningSeconds: 6, managedSeconds: 9, verifySeconds: 1 });
  });
});
