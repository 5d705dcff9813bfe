/**
 * `gpu-deploy plan` against the warm local cloud, each AWS call timed by a proxy (bench/timing-proxy.ts): the
 * figures of issue 9's plan target.
 */
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { repoRoot } from '../lib/local/paths.js';
import { startTimingProxy, type TimedCall } from './timing-proxy.js';

const root = repoRoot();
export const PLAN_RUNS = 3;

/** One `gpu-deploy plan --json` in a fresh Node process, its AWS calls timed by the proxy. */
function runPlanProcess(endpoint: string): Promise<{ wallMs: number; commandMs: number; exitCode: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [join(root, 'bin', 'gpu-deploy.js'), 'plan', '--json', '--instance-type', 'g5.xlarge', '--region', 'us-east-1'], {
      cwd: root,
      env: { ...process.env, AWS_ENDPOINT_URL: endpoint },
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    let stdout = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      const wallMs = performance.now() - started;
      let commandMs = Number.NaN;
      try {
        commandMs = Number((JSON.parse(stdout) as { durationMs?: number }).durationMs);
      } catch {
        // reported as NaN: the plan printed no JSON
      }
      resolve({ wallMs, commandMs, exitCode: code ?? 1 });
    });
  });
}

/**
 * `gpu-deploy plan` as a user runs it (a fresh process: cold module caches, warm emulator), PLAN_RUNS times; the
 * median run by command time is reported. commandMs is the plan's own durationMs (validation, AMI, capacity and
 * prices, from the first AWS call to the document), wallMs adds Node start-up and module loading.
 */
export async function planFigures(cloudEndpoint: string) {
  const proxy = await startTimingProxy(cloudEndpoint);
  try {
    const runs = [];
    for (let i = 0; i < PLAN_RUNS; i++) {
      const from = proxy.calls.length;
      const result = await runPlanProcess(proxy.endpoint);
      const calls: TimedCall[] = proxy.calls.slice(from);
      const slowest = calls.reduce<TimedCall | undefined>((a, c) => (a && a.ms >= c.ms ? a : c), undefined);
      const first = Math.min(...calls.map((c) => c.startMs));
      const last = Math.max(...calls.map((c) => c.startMs + c.ms));
      runs.push({
        ...result,
        apiCalls: calls.length,
        sumOfCallsMs: Number(calls.reduce((n, c) => n + c.ms, 0).toFixed(1)),
        firstToLastCallMs: Number((last - first).toFixed(1)),
        slowestCall: slowest ? { operation: slowest.operation, ms: Number(slowest.ms.toFixed(1)) } : undefined,
        calls: calls.map((c) => ({ operation: c.operation, startMs: Number((c.startMs - first).toFixed(1)), ms: Number(c.ms.toFixed(1)), status: c.status })),
        ratio: slowest ? Number((result.commandMs / slowest.ms).toFixed(2)) : Number.NaN,
      });
    }
    const median = [...runs].sort((a, b) => a.commandMs - b.commandMs)[Math.floor(runs.length / 2)];
    return { runs: runs.map(({ calls: _calls, ...rest }) => rest), median };
  } finally {
    await proxy.stop();
  }
}
