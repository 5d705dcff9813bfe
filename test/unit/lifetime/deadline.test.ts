import {
  BACKSTOP_GRACE_MINUTES,
  NO_LIFETIME_TEXT,
  atExpression,
  epochSeconds,
  expiresAtFor,
  extendedDeadline,
  lifetimeOfResult,
  lifetimeView,
  scheduleNameFor,
  toSecondIso,
} from '../../../lib/lifetime/deadline.js';
import { lifecycleOf } from '../../../lib/lifetime/lifecycle-tags.js';

describe('deadline arithmetic', () => {
  test.each([
    ['2026-12-02T07:30:00.000Z', 120, '2026-12-02T09:30:00Z'],
    // Milliseconds are dropped before adding: the tag is to the second.
    ['2026-12-02T07:30:00.999Z', 15, '2026-12-02T07:45:00Z'],
    // Across midnight, a month and a year.
    ['2026-12-31T23:50:00Z', 20, '2027-01-01T00:10:00Z'],
    ['2026-12-02T07:30:00Z', 525_600, '2027-12-02T07:30:00Z'],
  ])('%s + %i min = %s', (start, minutes, expected) => {
    expect(expiresAtFor(start, minutes)).toBe(expected);
  });

  test('a start that is not a time is refused', () => {
    expect(() => expiresAtFor('yesterday', 10)).toThrow(RangeError);
  });

  test('toSecondIso and epochSeconds agree with the tag format', () => {
    expect(toSecondIso(new Date('2026-12-02T09:30:00.456Z'))).toBe('2026-12-02T09:30:00Z');
    expect(epochSeconds('2026-12-02T09:30:00Z')).toBe(Date.UTC(2026, 11, 2, 9, 30) / 1000);
  });

  test('extend adds to the current deadline; to now when there is none or it passed', () => {
    const now = new Date('2026-12-02T09:00:00Z');
    expect(extendedDeadline('2026-12-02T09:30:00Z', 60, now)).toBe('2026-12-02T10:30:00Z');
    expect(extendedDeadline(undefined, 60, now)).toBe('2026-12-02T10:00:00Z');
    expect(extendedDeadline('2026-12-02T08:00:00Z', 30, now)).toBe('2026-12-02T09:30:00Z');
    expect(extendedDeadline('not a time', 30, now)).toBe('2026-12-02T09:30:00Z');
  });
});

describe('the schedule', () => {
  test("expression: Scheduler's at() without a zone suffix, read in UTC", () => {
    expect(atExpression('2026-12-02T09:30:00Z')).toBe('at(2026-12-02T09:30:00)');
    expect(atExpression('2026-12-02T10:30:00+01:00')).toBe('at(2026-12-02T09:30:00)');
    expect(() => atExpression('soon')).toThrow(RangeError);
  });

  test('name: teardown-<id>, within 64 characters, stable, distinct for ids sharing a long prefix', () => {
    expect(scheduleNameFor('cli-1234')).toBe('teardown-cli-1234');
    const long = `run-${'a'.repeat(76)}`;
    const other = `run-${'a'.repeat(75)}b`;
    expect(scheduleNameFor(long)).toHaveLength(64);
    expect(scheduleNameFor(long)).toMatch(/^teardown-run-a+-[0-9a-f]{16}$/);
    expect(scheduleNameFor(long)).toBe(scheduleNameFor(long));
    expect(scheduleNameFor(other)).not.toBe(scheduleNameFor(long));
    expect(scheduleNameFor('x'.repeat(55))).toBe(`teardown-${'x'.repeat(55)}`);
  });
});

describe('what ends a deployment, as shown', () => {
  test('neither: the clear line', () => {
    expect(lifetimeView(null, null)).toEqual({ expiresAt: null, idleTeardown: null, summary: NO_LIFETIME_TEXT });
    expect(NO_LIFETIME_TEXT).toBe('no lifetime: runs until you tear it down');
  });

  test('both: the deadline with how it is enforced, and the idle policy', () => {
    const view = lifetimeView('2026-12-02T09:30:00Z', { minutes: 30, gpuUtilizationBelowPercent: 5 }, true);
    expect(view.summary).toBe(
      `expires at 2026-12-02T09:30:00Z (its schedule tears it down then; the instance's own backstop ${BACKSTOP_GRACE_MINUTES} minutes later if that fails); ` +
        'idle teardown after 30 idle minutes (GPU below 5%, no Ollama use, no session)',
    );
  });

  test('without a schedule the backstop alone is named; when unknown, the latest time it ends', () => {
    expect(lifetimeView('2026-12-02T09:30:00Z', null, false).summary).toBe('expires at 2026-12-02T09:30:00Z (no teardown schedule: the instance shuts itself down 10 minutes later)');
    expect(lifetimeView('2026-12-02T09:30:00Z', null).summary).toBe('expires at 2026-12-02T09:30:00Z (the instance shuts itself down 10 minutes later at the latest)');
  });

  test('from a success output; older outputs read as no lifetime', () => {
    expect(lifetimeOfResult({ expiresAt: '2026-12-02T09:30:00Z', lifetime: { schedule: { name: 'teardown-x' } } }).summary).toContain('its schedule tears it down then');
    expect(lifetimeOfResult({ expiresAt: '2026-12-02T09:30:00Z', lifetime: { schedule: null } }).summary).toContain('no teardown schedule');
    expect(lifetimeOfResult({ expiresAt: '2026-12-02T09:30:00Z', idleTeardown: null }).expiresAt).toBe('2026-12-02T09:30:00Z');
    expect(lifetimeOfResult({ idleTeardown: { minutes: 10, gpuUtilizationBelowPercent: 2 } }).idleTeardown).toEqual({ minutes: 10, gpuUtilizationBelowPercent: 2 });
    expect(lifetimeOfResult({ idleTeardown: { minutes: '10' } }).summary).toBe(NO_LIFETIME_TEXT);
    expect(lifetimeOfResult(undefined).summary).toBe(NO_LIFETIME_TEXT);
  });
});

describe('lifecycleOf: the launch tags and UserData values of a request', () => {
  test('a lifetime and an idle policy', () => {
    const lifecycle = lifecycleOf({ maxLifetimeMinutes: 120, idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } }, '2026-12-02T07:30:00.500Z');
    expect(lifecycle).toEqual({
      expiresAt: '2026-12-02T09:30:00Z',
      idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 },
      tags: { 'gpu-deploy:expires-at': '2026-12-02T09:30:00Z', 'gpu-deploy:idle-teardown': 'minutes=30 below=5' },
      userData: { expiresAt: '2026-12-02T09:30:00Z', idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 5 } },
    });
  });

  test('neither: no tags, no UserData values', () => {
    expect(lifecycleOf({}, '2026-12-02T07:30:00Z')).toEqual({ expiresAt: null, idleTeardown: null, tags: {}, userData: {} });
  });
});
