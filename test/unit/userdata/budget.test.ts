import { MAX_TOTAL_TIMEOUT_SECONDS, parseRequest } from '../../../lib/request.js';
import { OS_TYPES } from '../../../lib/types.js';
import {
  budgetLine,
  budgetWarnings,
  setupBudget,
  setupStages,
  STANDARD_AMI_VERIFY_SECONDS,
  verifyDeadlineSeconds,
} from '../../../lib/userdata/budget.js';
import { userDataStages } from '../../../lib/userdata/index.js';

const request = (raw: Record<string, unknown> = {}) => parseRequest(raw);

describe('the verify deadline', () => {
  test('a DLAMI keeps the request value, default or not', () => {
    expect(verifyDeadlineSeconds(request(), false)).toBe(900);
    expect(verifyDeadlineSeconds(request({ timeouts: { verifySeconds: 300 } }), false)).toBe(300);
  });

  test('a standard AMI raises the default to the standard-path budget', () => {
    expect(verifyDeadlineSeconds(request(), true)).toBe(STANDARD_AMI_VERIFY_SECONDS);
    expect(STANDARD_AMI_VERIFY_SECONDS).toBe(2400);
  });

  test('a value the request sets is kept, even on a standard AMI', () => {
    expect(verifyDeadlineSeconds(request({ timeouts: { verifySeconds: 1200 } }), true)).toBe(1200);
    expect(verifyDeadlineSeconds(request({ timeouts: { verifySeconds: 3600 } }), true)).toBe(3600);
  });

  test('the raise never pushes the deadlines together past the state machine limit', () => {
    const long = request({ timeouts: { runningSeconds: 1800, managedSeconds: 1800 } });
    const deadline = verifyDeadlineSeconds(long, true);
    expect(deadline).toBe(MAX_TOTAL_TIMEOUT_SECONDS - 3600);
    expect(1800 + 1800 + deadline).toBeLessThanOrEqual(MAX_TOTAL_TIMEOUT_SECONDS);
  });
});

describe('the set-up budget', () => {
  test.each(OS_TYPES)('%s: one estimate per stage, in the order the script runs them', (osType) => {
    const stages = setupStages(osType, 'standard', { enabled: true });
    expect(stages.map((s) => s.stage)).toEqual(userDataStages().slice(0, -1));
  });

  test.each(OS_TYPES)('%s: the standard path is estimated far above the DLAMI path, and its default deadline covers it with room', (osType) => {
    const standard = setupBudget(request({ osType }), true);
    const dlami = setupBudget(request({ osType }), false);
    expect(standard.estimatedSeconds).toBeGreaterThan(900);
    expect(dlami.estimatedSeconds).toBeLessThan(900);
    expect(standard.verifySeconds).toBeGreaterThanOrEqual(1.5 * standard.estimatedSeconds);
    expect(dlami.verifySeconds).toBeGreaterThanOrEqual(1.5 * dlami.estimatedSeconds);
    expect(standard.downloadMiB).toBe(standard.stages.reduce((sum, s) => sum + s.downloadMiB, 0));
    expect(budgetWarnings(standard)).toEqual([]);
  });

  test('the Ollama stage counts only when Ollama runs; a model is named as extra', () => {
    const off = setupStages('ubuntu-22.04', 'dlami', { enabled: false });
    expect(off.find((s) => s.stage === 'ollama')).toMatchObject({ downloadMiB: 0, seconds: 0 });
    expect(setupStages('ubuntu-22.04', 'dlami', { enabled: true, model: 'llama3.2:1b' }).find((s) => s.stage === 'ollama')?.what).toContain('the model');
  });

  test('where the deadline came from is stated', () => {
    expect(setupBudget(request(), true).verifySecondsFrom).toBe('standard-ami-default');
    expect(setupBudget(request(), false).verifySecondsFrom).toBe('default');
    expect(setupBudget(request({ timeouts: { verifySeconds: 600 } }), true).verifySecondsFrom).toBe('request');
  });

  test('a set deadline shorter than the estimate is warned about', () => {
    const short = setupBudget(request({ timeouts: { verifySeconds: 600 } }), true);
    expect(budgetWarnings(short)).toEqual([
      `timeouts.verifySeconds is 600s, less than the about ${short.estimatedSeconds}s this set-up is estimated to take (the driver is built on the instance): the deployment may time out and roll back`,
    ]);
  });

  test('the plan line says the path, the download, the estimate and the deadline with its origin', () => {
    expect(budgetLine(setupBudget(request(), true))).toMatch(
      /^Set-up on the instance \(standard AMI: NVIDIA driver built and CUDA toolkit installed there\): about \d+\.\d GiB to download, about \d+ min estimated; verify deadline 2400s \(the 900s default, raised for a driver build\)$/,
    );
    expect(budgetLine(setupBudget(request(), false))).toMatch(/^Set-up on the instance \(DLAMI: driver included\): .*; verify deadline 900s \(default\)$/);
    expect(budgetLine(setupBudget(request({ timeouts: { verifySeconds: 1200 } }), false))).toMatch(/verify deadline 1200s \(timeouts\.verifySeconds\)$/);
  });
});
