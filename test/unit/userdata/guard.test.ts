/**
 * The lifetime backstop and idle guard as UserData installs them: the rendered script run in a stubbed scratch root
 * installs the guard, its systemd units and its settings; then the installed guard runs sample by sample against
 * stub nvidia-smi, curl, docker, pgrep and shutdown, with a shortened sampling period.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUserData } from '../../../lib/userdata/index.js';
import { GUARD_PATH } from '../../../lib/userdata/stages/guard-script.js';
import { baseOptions } from './fixtures.js';
import { makeGuardBox, runGuard, type GuardBox, type GuardRun } from './guard-sandbox.js';
import { findShellcheck, makeSandbox, removeScratch, runInSandbox } from './sandbox.js';

afterAll(removeScratch);

const FUTURE = '2099-01-01T00:00:00Z';
const FUTURE_EPOCH = String(Date.parse(FUTURE) / 1000);

/** Renders and runs UserData with the given lifetime and idle policy; returns where it installed the guard. */
function install(options: { expiresAt?: string; idle?: { minutes: number; gpuUtilizationBelowPercent: number } }) {
  const sandbox = makeSandbox();
  const result = runInSandbox(
    renderUserData(baseOptions({ ...(options.expiresAt ? { expiresAt: options.expiresAt } : {}), ...(options.idle ? { idleTeardown: options.idle } : {}) })),
    sandbox,
  );
  return { sandbox, result, guard: join(sandbox.root, GUARD_PATH) };
}

/** A guard box holding what UserData wrote to the state directory (status.json, expires-at, idle-policy). */
function boxFrom(stateDir: string): GuardBox {
  const box = makeGuardBox();
  for (const file of ['status.json', 'expires-at', 'idle-policy']) {
    if (existsSync(join(stateDir, file))) copyFileSync(join(stateDir, file), join(box.stateDir, file));
  }
  return box;
}

const samples = (guard: string, box: GuardBox, n: number, env: Record<string, string> = {}): GuardRun[] =>
  Array.from({ length: n }, () => runGuard(guard, box, env));
const shutdowns = (run: GuardRun): string[] => run.calls.filter((c) => c.startsWith('shutdown'));
const status = (box: GuardBox): Record<string, unknown> => JSON.parse(readFileSync(join(box.stateDir, 'status.json'), 'utf8')) as Record<string, unknown>;

describe('UserData installs the guard', () => {
  test('script, timer and service, the deadline and the idle policy, enabled before set-up starts', () => {
    // Act
    const { sandbox, result, guard } = install({ expiresAt: FUTURE, idle: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    // Assess
    expect(result.status).toBe(0);
    expect(readFileSync(guard, 'utf8')).toMatch(/^#!\/bin\/bash\n# gpu-deploy guard/);
    const units = join(sandbox.root, 'etc/systemd/system');
    expect(readFileSync(join(units, 'gpu-deploy-guard.timer'), 'utf8')).toContain('OnUnitActiveSec=1min');
    expect(readFileSync(join(units, 'gpu-deploy-guard.service'), 'utf8')).toContain(`ExecStart=${GUARD_PATH}`);
    expect(readFileSync(join(sandbox.stateDir, 'expires-at'), 'utf8')).toBe(`${FUTURE_EPOCH}\n`);
    expect(readFileSync(join(sandbox.stateDir, 'idle-policy'), 'utf8')).toBe('30 5\n');
    const enable = result.calls.indexOf('systemctl enable --now gpu-deploy-guard.timer');
    expect(enable).toBeGreaterThanOrEqual(0);
    // Before the first set-up stage's own work (on a DLAMI with nothing missing, apt is not called at all: the
    // driver check's nvidia-smi comes first).
    expect(enable).toBeLessThan(result.calls.indexOf('nvidia-smi'));
    expect(result.setupLog).toContain(`guard: lifetime ${FUTURE_EPOCH} (epoch s), idle policy 30 min below 5%`);
  });

  test('without a lifetime or idle policy the guard is installed (extend can add a deadline) with no settings', () => {
    const { sandbox, result, guard } = install({});
    expect(result.status).toBe(0);
    expect(existsSync(guard)).toBe(true);
    expect(existsSync(join(sandbox.stateDir, 'expires-at'))).toBe(false);
    expect(existsSync(join(sandbox.stateDir, 'idle-policy'))).toBe(false);
    // And it then samples nothing.
    const run = runGuard(guard, boxFrom(sandbox.stateDir));
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
  });

  test('the installed guard passes shellcheck', () => {
    const shellcheck = findShellcheck();
    if (shellcheck === undefined) throw new Error('shellcheck is required (npm test installs it into .venv)');
    const { guard } = install({ idle: { minutes: 5, gpuUtilizationBelowPercent: 5 } });
    const check = spawnSync(shellcheck, ['--shell=bash', guard], { encoding: 'utf8' });
    expect(check.stdout).toBe('');
    expect(check.status).toBe(0);
  });
});

describe('idle teardown, sample by sample', () => {
  const idle3 = () => {
    const { sandbox, guard } = install({ idle: { minutes: 3, gpuUtilizationBelowPercent: 5 } });
    return { guard, box: boxFrom(sandbox.stateDir) };
  };

  test('3 idle samples: shutdown once, on the third, with the reason in the status file and the journal', () => {
    // Prepare
    const { guard, box } = idle3();
    // Act
    const runs = samples(guard, box, 5, { STUB_GPU_UTIL: '0 3' });
    // Assess
    expect(runs.map((r) => shutdowns(r).length)).toEqual([0, 0, 1, 1, 1]);
    expect(shutdowns(runs[4] as GuardRun)).toEqual(['shutdown -h now gpu-deploy: idle']);
    expect(runs[0]?.journal).toBe('gpu-deploy-guard: idle sample 1 of 3\n');
    expect(runs[2]?.journal).toContain('shutting down (idle): 3 consecutive idle minutes: GPU below 5%, no Ollama model or request, no session');
    expect(runs[3]?.journal).toBe('gpu-deploy-guard: shutdown already under way\n');
    expect(status(box)).toMatchObject({ stage: 'shutdown', outcome: 'idle', deploymentId: 'dep-123' });
    expect(String(status(box).message)).toMatch(/^3 consecutive idle minutes/);
    // The shortened period reaches Ollama's request log.
    expect(runs[0]?.calls).toContain('docker logs --since 1s ollama');
  });

  test.each([
    ['a busy GPU', { STUB_GPU_UTIL: '0 40' }, 'busy: GPU at 40%'],
    ['a loaded Ollama model', { STUB_OLLAMA_PS: '{"models":[{"name":"llama3.2:1b","expires_at":"2099-01-01T00:00:00Z"}]}' }, 'busy: Ollama has a model loaded'],
    ['a request Ollama answered', { STUB_OLLAMA_LOG: '[GIN] 2026/12/02 - 09:00:00 | 200 | 1.2s | 127.0.0.1 | POST "/api/generate"' }, 'busy: Ollama answered a request'],
    ['an open Session Manager session', { STUB_SESSION: '1' }, 'busy: a Session Manager session is open'],
    ['nvidia-smi failing', { STUB_NVIDIA_FAIL: '1' }, 'busy: nvidia-smi failed (never idle on an unknown GPU state)'],
  ])('%s: no shutdown however many samples', (_name, env, line) => {
    const { guard, box } = idle3();
    const runs = samples(guard, box, 5, env);
    expect(runs.flatMap(shutdowns)).toEqual([]);
    expect(runs.every((r) => r.journal === `gpu-deploy-guard: ${line}\n`)).toBe(true);
    expect(readFileSync(join(box.stateDir, 'idle-count'), 'utf8')).toBe('0\n');
  });

  test("the guard's own /api/ps requests in Ollama's log are not activity", () => {
    const { guard, box } = idle3();
    const runs = samples(guard, box, 3, { STUB_OLLAMA_LOG: '[GIN] 2026/12/02 - 09:00:00 | 200 | 1ms | 127.0.0.1 | GET "/api/ps"' });
    expect(shutdowns(runs[2] as GuardRun)).toHaveLength(1);
  });

  test('a busy sample starts the count again', () => {
    const { guard, box } = idle3();
    const before = samples(guard, box, 2);
    runGuard(guard, box, { STUB_SESSION: '1' });
    const after = samples(guard, box, 3);
    expect([...before, ...after].flatMap(shutdowns)).toHaveLength(1);
    expect(after.map((r) => shutdowns(r).length)).toEqual([0, 0, 1]);
  });

  test('a fractional threshold compares as a number: 2% is idle below 2.5%, 3% is not', () => {
    const { sandbox, guard } = install({ idle: { minutes: 1, gpuUtilizationBelowPercent: 2.5 } });
    const busyBox = boxFrom(sandbox.stateDir);
    expect(runGuard(guard, busyBox, { STUB_GPU_UTIL: '3' }).journal).toBe('gpu-deploy-guard: busy: GPU at 3%\n');
    expect(shutdowns(runGuard(guard, boxFrom(sandbox.stateDir), { STUB_GPU_UTIL: '2' }))).toHaveLength(1);
  });

  test('nothing counts before set-up finished', () => {
    const { guard, box } = idle3();
    writeFileSync(join(box.stateDir, 'status.json'), '{"stage":"ollama","outcome":"running","message":"started","updatedAt":"2026-12-02T09:00:00Z","deploymentId":"dep-123"}\n');
    const runs = samples(guard, box, 5);
    expect(runs.flatMap(shutdowns)).toEqual([]);
    expect(runs.every((r) => r.journal === 'gpu-deploy-guard: set-up not finished: not counting\n')).toBe(true);
    expect(runs.flatMap((r) => r.calls)).toEqual([]);
  });
});

describe('lifetime backstop', () => {
  const epoch = (msFromNow: number): string => `${Math.floor((Date.now() + msFromNow) / 1000)}\n`;

  test('10 minutes past the deadline the instance shuts itself down, busy or not, set up or not', () => {
    const { sandbox, guard } = install({ expiresAt: FUTURE, idle: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    const box = boxFrom(sandbox.stateDir);
    writeFileSync(join(box.stateDir, 'expires-at'), epoch(-601_000));
    writeFileSync(join(box.stateDir, 'status.json'), '{"stage":"docker","outcome":"running","message":"started","updatedAt":"2026-12-02T09:00:00Z","deploymentId":"dep-123"}\n');
    const run = runGuard(guard, box, { STUB_GPU_UTIL: '99', STUB_SESSION: '1' });
    expect(shutdowns(run)).toEqual(['shutdown -h now gpu-deploy: lifetime']);
    expect(status(box)).toMatchObject({ stage: 'shutdown', outcome: 'lifetime', deploymentId: 'dep-123' });
    expect(run.journal).toContain('shutting down (lifetime): lifetime ended at epoch');
  });

  test('within the grace after the deadline, and before it, nothing happens', () => {
    const { sandbox, guard } = install({ expiresAt: FUTURE });
    const box = boxFrom(sandbox.stateDir);
    const before = runGuard(guard, box);
    writeFileSync(join(box.stateDir, 'expires-at'), epoch(-300_000));
    const inGrace = runGuard(guard, box);
    expect([before, inGrace].flatMap(shutdowns)).toEqual([]);
    expect(status(box)).toMatchObject({ stage: 'complete', outcome: 'succeeded' });
  });
});
