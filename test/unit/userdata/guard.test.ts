/**
 * The lifetime backstop and idle guard as UserData installs them: the rendered script run in a stubbed scratch root
 * installs the guard, its systemd units and its settings; then the installed guard runs judgement by judgement
 * against the simulated host's nvidia-smi (whose load can follow the wall clock, as a real bursty GPU's does) and
 * stub curl, docker, pgrep and shutdown. Each run lasts its period (GPU_DEPLOY_GUARD_PERIOD), so independent
 * scenarios run side by side.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderUserData } from '../../../lib/userdata/index.js';
import { GUARD_PATH } from '../../../lib/userdata/stages/guard-script.js';
import { baseOptions } from './fixtures.js';
import { makeGuardBox, runGuard, runGuardTimes, type GuardBox, type GuardRun } from './guard-sandbox.js';
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

const shutdowns = (run: GuardRun): string[] => run.calls.filter((c) => c.startsWith('shutdown'));
const status = (box: GuardBox): Record<string, unknown> => JSON.parse(readFileSync(join(box.stateDir, 'status.json'), 'utf8')) as Record<string, unknown>;
const idleCount = (box: GuardBox): string => readFileSync(join(box.stateDir, 'idle-count'), 'utf8');

describe('UserData installs the guard', () => {
  test('script, timer and service, the deadline and the idle policy, enabled before set-up starts', () => {
    // Act
    const { sandbox, result, guard } = install({ expiresAt: FUTURE, idle: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    // Assess
    expect(result.status).toBe(0);
    expect(readFileSync(guard, 'utf8')).toMatch(/^#!\/bin\/bash\n# gpu-deploy guard/);
    const units = join(sandbox.root, 'etc/systemd/system');
    // A run lasts its minute; the next one starts a second after it ends, and once a minute in any case.
    const timer = readFileSync(join(units, 'gpu-deploy-guard.timer'), 'utf8');
    expect(timer).toContain('OnUnitActiveSec=1min\nOnUnitInactiveSec=1s\n');
    const service = readFileSync(join(units, 'gpu-deploy-guard.service'), 'utf8');
    expect(service).toContain(`Type=oneshot\nTimeoutStartSec=300\nExecStart=${GUARD_PATH}\n`);
    expect(readFileSync(join(sandbox.stateDir, 'expires-at'), 'utf8')).toBe(`${FUTURE_EPOCH}\n`);
    expect(readFileSync(join(sandbox.stateDir, 'idle-policy'), 'utf8')).toBe('30 5\n');
    const enable = result.calls.indexOf('systemctl enable --now gpu-deploy-guard.timer');
    expect(enable).toBeGreaterThanOrEqual(0);
    // Before the first set-up stage's own work (on a DLAMI with nothing missing, apt is not called at all: the
    // driver check's nvidia-smi comes first).
    expect(enable).toBeLessThan(result.calls.indexOf('nvidia-smi'));
    expect(result.setupLog).toContain(`guard: lifetime ${FUTURE_EPOCH} (epoch s), idle policy 30 min below 5%`);
  });

  test('without a lifetime or idle policy the guard is installed (extend can add a deadline), samples nothing, and still lasts its period', async () => {
    const { sandbox, result, guard } = install({});
    expect(result.status).toBe(0);
    expect(existsSync(guard)).toBe(true);
    expect(existsSync(join(sandbox.stateDir, 'expires-at'))).toBe(false);
    expect(existsSync(join(sandbox.stateDir, 'idle-policy'))).toBe(false);
    const run = await runGuard(guard, boxFrom(sandbox.stateDir), { GPU_DEPLOY_GUARD_PERIOD: '2' });
    expect(run.status).toBe(0);
    expect(run.calls).toEqual([]);
    expect(run.journal).toBe('');
    // The timer starts the next run a second after this one ends: a run that ended at once would make it spin.
    expect(run.ms).toBeGreaterThanOrEqual(1000);
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

describe('a judgement is the mean over the whole period (GPU_DEPLOY_GUARD_PERIOD=10, idle after 2 periods below 5%)', () => {
  const PERIOD = { GPU_DEPLOY_GUARD_PERIOD: '10' };
  const idle2 = (): { guard: string; box: GuardBox } => {
    const { sandbox, guard } = install({ idle: { minutes: 2, gpuUtilizationBelowPercent: 5 } });
    return { guard, box: boxFrom(sandbox.stateDir) };
  };
  const lines = (runs: GuardRun[]): string[] => runs.map((run) => run.journal.trimEnd());
  // The span the readings covered: about the period; at least half of it, or the guard would say unknown.
  const MEAN = String.raw`GPU 0 mean (\d+\.\d)% over ([5-9]|10|11) s`;

  // The four loads of the H200 runs, side by side (each run lasts its 10 s).
  let bursty: { box: GuardBox; runs: GuardRun[] };
  let idle: { box: GuardBox; runs: GuardRun[] };
  let steady: { box: GuardBox; runs: GuardRun[] };
  let hung: { box: GuardBox; runs: GuardRun[] };
  beforeAll(async () => {
    const scenario = async (n: number, env: Record<string, string>) => {
      const { guard, box } = idle2();
      return { box, runs: await runGuardTimes(guard, box, n, { ...PERIOD, ...env }) };
    };
    [bursty, idle, steady, hung] = await Promise.all([
      // Busy 0.5 s of every 5 s at 99%, following the wall clock: one-shot readings say 0 nine times in ten.
      scenario(3, { SIM_GPU_LOAD: 'bursty:500:5000:99' }),
      scenario(2, { SIM_GPU_LOAD: '0' }),
      scenario(3, { SIM_GPU_LOAD: '100' }),
      scenario(1, { SIM_FAULT: 'smi-timeout', SIM_HANG_SECONDS: '60' }),
    ]);
  }, 90_000);

  test('a GPU busy 0.5 s of every 5 s is busy in every judgement, with its mean near 10%; nothing shuts down', () => {
    expect(lines(bursty.runs)).toEqual(Array(3).fill(expect.stringMatching(new RegExp(`^gpu-deploy-guard: busy: ${MEAN} \\(threshold 5%\\)$`))));
    const means = lines(bursty.runs).map((line) => Number(new RegExp(MEAN).exec(line)?.[1]));
    for (const mean of means) expect(mean).toBeGreaterThanOrEqual(5);
    for (const mean of means) expect(mean).toBeLessThanOrEqual(25);
    expect(bursty.runs.flatMap(shutdowns)).toEqual([]);
    expect(idleCount(bursty.box)).toBe('0\n');
    // Read 5 times a second for the whole period, through one nvidia-smi per judgement.
    const reads = bursty.runs.at(-1)?.calls.filter((call) => call.startsWith('nvidia-smi')) ?? [];
    expect(reads).toEqual(Array(3).fill('nvidia-smi --query-gpu=timestamp,index,utilization.gpu --format=csv,noheader,nounits -lms 200'));
  });

  test('a GPU at 0% throughout: idle in the first judgement, shut down in the second, the means in the journal and the status file', () => {
    const readings = String.raw`\((2\d|3\d|4\d|5\d) readings\)`;
    expect(lines(idle.runs)[0]).toMatch(new RegExp(`^gpu-deploy-guard: idle sample 1 of 2: GPU 0 mean 0\\.0% over ([5-9]|10|11) s ${readings}$`));
    expect(lines(idle.runs)[1]).toMatch(new RegExp(`^gpu-deploy-guard: idle sample 2 of 2: GPU 0 mean 0\\.0% over ([5-9]|10|11) s ${readings}\n`));
    expect(idle.runs.map((run) => shutdowns(run).length)).toEqual([0, 1]);
    expect(shutdowns(idle.runs[1] as GuardRun)).toEqual(['shutdown -h now gpu-deploy: idle']);
    expect(status(idle.box)).toMatchObject({ stage: 'shutdown', outcome: 'idle', deploymentId: 'dep-123' });
    expect(String(status(idle.box).message)).toMatch(
      new RegExp(`^2 consecutive idle periods of 10 s \\(the last: GPU 0 mean 0\\.0% over ([5-9]|10|11) s ${readings}\\), every GPU below 5%; no Ollama model or request, no session$`),
    );
  });

  test('a GPU at a steady 100% is busy in every judgement', () => {
    expect(lines(steady.runs)).toEqual(Array(3).fill(expect.stringMatching(/^gpu-deploy-guard: busy: GPU 0 mean 100\.0% over ([5-9]|10|11) s \(threshold 5%\)$/)));
    expect(steady.runs.flatMap(shutdowns)).toEqual([]);
  });

  test('a hanging nvidia-smi is stopped at the end of the period and the GPU counts as busy (unknown)', () => {
    const [run] = hung.runs as [GuardRun];
    expect(run.journal).toBe('gpu-deploy-guard: busy: GPU state unknown: nvidia-smi readings cover 0 s of 10 s (never idle on an unknown GPU state)\n');
    expect(run.ms).toBeLessThan(30_000);
    expect(shutdowns(run)).toEqual([]);
    expect(idleCount(hung.box)).toBe('0\n');
  });
});

describe('idle teardown, judgement by judgement (1-second periods)', () => {
  const idle3 = () => {
    const { sandbox, guard } = install({ idle: { minutes: 3, gpuUtilizationBelowPercent: 5 } });
    return { guard, box: boxFrom(sandbox.stateDir) };
  };

  test.concurrent('3 idle judgements: shutdown once, on the third, with the reason in the status file and the journal', async () => {
    // Prepare
    const { guard, box } = idle3();
    // Act: two GPUs at 0% and 3%
    const runs = await runGuardTimes(guard, box, 5, { SIM_GPU_COUNT: '2', SIM_GPU_LOAD: '0 3' });
    // Assess
    expect(runs.map((r) => shutdowns(r).length)).toEqual([0, 0, 1, 1, 1]);
    expect(shutdowns(runs[4] as GuardRun)).toEqual(['shutdown -h now gpu-deploy: idle']);
    expect(runs[0]?.journal).toMatch(/^gpu-deploy-guard: idle sample 1 of 3: GPU 0 mean 0\.0%, GPU 1 mean 3\.0% over 1 s \(\d+ readings each\)\n$/);
    expect(runs[2]?.journal).toMatch(/shutting down \(idle\): 3 consecutive idle periods of 1 s \(the last: GPU 0 mean 0\.0%, GPU 1 mean 3\.0% over 1 s \(\d+ readings each\)\), every GPU below 5%; no Ollama model or request, no session/);
    expect(runs[3]?.journal).toBe('gpu-deploy-guard: shutdown already under way\n');
    expect(status(box)).toMatchObject({ stage: 'shutdown', outcome: 'idle', deploymentId: 'dep-123' });
    expect(String(status(box).message)).toMatch(/^3 consecutive idle periods of 1 s/);
    // Ollama's request log is read for the judged period and the pause before it.
    const since = runs[0]?.calls.find((call) => call.startsWith('docker logs'));
    expect(since).toMatch(/^docker logs --since (6|7)s ollama$/);
  });

  test.concurrent.each([
    ['one GPU of three busy', { SIM_GPU_COUNT: '3', SIM_GPU_LOAD: '0 1 40' }, /^busy: GPU 2 mean 40\.0% over 1 s \(threshold 5%\)$/],
    ['a loaded Ollama model', { STUB_OLLAMA_PS: '{"models":[{"name":"llama3.2:1b","expires_at":"2099-01-01T00:00:00Z"}]}' }, /^busy: Ollama has a model loaded; GPU 0 mean 0\.0% over 1 s \(\d+ readings\)$/],
    ['a request Ollama answered', { STUB_OLLAMA_LOG: '[GIN] 2026/12/02 - 09:00:00 | 200 | 1.2s | 127.0.0.1 | POST "/api/generate"' }, /^busy: Ollama answered a request; GPU 0 mean 0\.0%/],
    ['an open Session Manager session', { STUB_SESSION: '1' }, /^busy: a Session Manager session is open; GPU 0 mean 0\.0%/],
    ['nvidia-smi failing (no driver)', { SIM_FAULT: 'no-driver' }, /^busy: GPU state unknown: nvidia-smi readings cover 0 s of 1 s \(nvidia-smi exit 9\) \(never idle on an unknown GPU state\)$/],
    ['a GPU in MIG mode (no utilization)', { SIM_MIG: '1' }, /^busy: GPU state unknown: GPU 0 reports no utilization \(\[N\/A\]\) \(never idle on an unknown GPU state\)$/],
  ])('%s: no shutdown however many judgements', async (_name, env, line) => {
    const { guard, box } = idle3();
    const runs = await runGuardTimes(guard, box, 4, { SIM_GPU_LOAD: '0', ...env });
    expect(runs.flatMap(shutdowns)).toEqual([]);
    for (const run of runs) expect(run.journal.replace(/^gpu-deploy-guard: /, '').trimEnd()).toMatch(line);
    expect(idleCount(box)).toBe('0\n');
  });

  test.concurrent("the guard's own /api/ps requests in Ollama's log are not activity", async () => {
    const { guard, box } = idle3();
    const runs = await runGuardTimes(guard, box, 3, { SIM_GPU_LOAD: '0', STUB_OLLAMA_LOG: '[GIN] 2026/12/02 - 09:00:00 | 200 | 1ms | 127.0.0.1 | GET "/api/ps"' });
    expect(shutdowns(runs[2] as GuardRun)).toHaveLength(1);
  });

  test.concurrent('a busy judgement starts the count again', async () => {
    const { guard, box } = idle3();
    const before = await runGuardTimes(guard, box, 2, { SIM_GPU_LOAD: '0' });
    await runGuard(guard, box, { SIM_GPU_LOAD: '0', STUB_SESSION: '1' });
    const after = await runGuardTimes(guard, box, 3, { SIM_GPU_LOAD: '0' });
    expect([...before, ...after].flatMap(shutdowns)).toHaveLength(1);
    expect(after.map((r) => shutdowns(r).length)).toEqual([0, 0, 1]);
  });

  test.concurrent('a fractional threshold compares as a number: a mean of 2% is idle below 2.5%, 3% is not', async () => {
    const { sandbox, guard } = install({ idle: { minutes: 1, gpuUtilizationBelowPercent: 2.5 } });
    const [busy, idle] = await Promise.all([
      runGuard(guard, boxFrom(sandbox.stateDir), { SIM_GPU_LOAD: '3' }),
      runGuard(guard, boxFrom(sandbox.stateDir), { SIM_GPU_LOAD: '2' }),
    ]);
    expect(busy.journal).toBe('gpu-deploy-guard: busy: GPU 0 mean 3.0% over 1 s (threshold 2.5%)\n');
    expect(shutdowns(idle)).toHaveLength(1);
  });

  test.concurrent('nothing counts before set-up finished', async () => {
    const { guard, box } = idle3();
    writeFileSync(join(box.stateDir, 'status.json'), '{"stage":"ollama","outcome":"running","message":"started","updatedAt":"2026-12-02T09:00:00Z","deploymentId":"dep-123"}\n');
    const runs = await runGuardTimes(guard, box, 3, { SIM_GPU_LOAD: '0' });
    expect(runs.flatMap(shutdowns)).toEqual([]);
    expect(runs.every((r) => r.journal === 'gpu-deploy-guard: set-up not finished: not counting\n')).toBe(true);
    expect(runs.flatMap((r) => r.calls)).toEqual([]);
  });
});

describe('lifetime backstop', () => {
  const epoch = (msFromNow: number): string => `${Math.floor((Date.now() + msFromNow) / 1000)}\n`;

  test('10 minutes past the deadline the instance shuts itself down, busy or not, set up or not', async () => {
    const { sandbox, guard } = install({ expiresAt: FUTURE, idle: { minutes: 30, gpuUtilizationBelowPercent: 5 } });
    const box = boxFrom(sandbox.stateDir);
    writeFileSync(join(box.stateDir, 'expires-at'), epoch(-601_000));
    writeFileSync(join(box.stateDir, 'status.json'), '{"stage":"docker","outcome":"running","message":"started","updatedAt":"2026-12-02T09:00:00Z","deploymentId":"dep-123"}\n');
    const run = await runGuard(guard, box, { SIM_GPU_LOAD: '99', STUB_SESSION: '1' });
    expect(shutdowns(run)).toEqual(['shutdown -h now gpu-deploy: lifetime']);
    expect(status(box)).toMatchObject({ stage: 'shutdown', outcome: 'lifetime', deploymentId: 'dep-123' });
    expect(run.journal).toContain('shutting down (lifetime): lifetime ended at epoch');
  });

  test.concurrent('within the grace after the deadline, and before it, nothing happens', async () => {
    const { sandbox, guard } = install({ expiresAt: FUTURE });
    const box = boxFrom(sandbox.stateDir);
    const before = await runGuard(guard, box);
    writeFileSync(join(box.stateDir, 'expires-at'), epoch(-300_000));
    const inGrace = await runGuard(guard, box);
    expect([before, inGrace].flatMap(shutdowns)).toEqual([]);
    expect(status(box)).toMatchObject({ stage: 'complete', outcome: 'succeeded' });
  });
});
