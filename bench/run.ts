/**
 * `npm run bench`: measured figures, written to bench/results.json and bench/RESULTS.md. Benchmarks, not tests:
 * nothing here fails on a slow machine; the numbers are for the record and for comparing changes.
 *
 * 1. Per handler: packaged bundle size and cold module-load time, beside a naive bundle of the same handler
 *    (esbuild defaults: CommonJS resolution of the SDK, no minification); the ratio is the figure.
 * 2. Per deployment (local runner against the emulator): state transitions, Lambda invocations, AWS API calls,
 *    and the workflow's own overhead (the local run's wall time with every Wait state set to 0).
 * 3. AMI resolution: AWS API calls for a cold and a warm lookup.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import { getLatestDlami } from '../lib/ami/resolve.js';
import { ec2Client } from '../lib/aws/ec2.js';
import { ssmClient } from '../lib/aws/ssm.js';
import { TtlCache } from '../lib/cache.js';
import { startLocalCloud } from '../lib/local/cloud.js';
import { repoRoot } from '../lib/local/paths.js';
import { HANDLERS } from '../lib/workflow/handlers.js';
import { runLocally } from '../lib/workflow/local-runner.js';

const root = repoRoot();
const LOAD_RUNS = 7;
const WAIT_MS = 500;
const HANDLER_FILES: Record<string, string> = {
  validateRequest: 'validate-request',
  resolveAmi: 'resolve-ami',
  planCapacity: 'plan-capacity',
  launch: 'launch',
  checkRunning: 'check-running',
  checkManaged: 'check-managed',
  verifyGpu: 'verify-gpu',
  getGpuReport: 'get-gpu-report',
  rollback: 'rollback',
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? 0;
};

/** Cold module load in a fresh Node process each time: import() wall time, measured inside the child. */
function coldLoadMs(file: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(file)}); process.stdout.write(String(performance.now() - t));`;
  const times: number[] = [];
  for (let i = 0; i < LOAD_RUNS; i++) {
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', env: { ...process.env, AWS_REGION: 'us-east-1' } });
    if (run.status !== 0) throw new Error(`loading ${file} failed: ${run.stderr}`);
    times.push(Number(run.stdout));
  }
  return median(times);
}

async function handlerFigures(scratch: string) {
  const packaged = join(scratch, 'packaged');
  execFileSync(join(root, 'node_modules', '.bin', 'serverless'), ['package', '--package', packaged], {
    cwd: root,
    env: { ...process.env, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
    stdio: 'pipe',
  });
  const rows = [];
  for (const [fn, file] of Object.entries(HANDLER_FILES)) {
    const unpacked = join(scratch, 'unpacked', fn);
    execFileSync('python3', ['-m', 'zipfile', '-e', join(packaged, `${fn}.zip`), unpacked]);
    const bundle = join(unpacked, 'functions', `${file}.mjs`);
    const naive = join(scratch, 'naive', `${fn}.cjs`);
    mkdirSync(join(scratch, 'naive'), { recursive: true });
    // The naive bundle: what esbuild does with no settings beyond bundling for Node.
    await build({ entryPoints: [join(root, 'functions', `${file}.ts`)], bundle: true, platform: 'node', outfile: naive, logLevel: 'silent' });
    const optimized = { bytes: statSync(bundle).size, zipBytes: statSync(join(packaged, `${fn}.zip`)).size, coldLoadMs: coldLoadMs(bundle) };
    const baseline = { bytes: statSync(naive).size, coldLoadMs: coldLoadMs(naive) };
    rows.push({ function: fn, optimized, naive: baseline, loadRatio: Number((optimized.coldLoadMs / baseline.coldLoadMs).toFixed(3)), sizeRatio: Number((optimized.bytes / baseline.bytes).toFixed(3)) });
    process.stderr.write(`  ${fn}: ${optimized.coldLoadMs.toFixed(1)} ms vs naive ${baseline.coldLoadMs.toFixed(1)} ms\n`);
  }
  return rows;
}

async function deploymentFigures() {
  const cloud = await startLocalCloud({ region: 'us-east-1' });
  try {
    const before = cloud.standIn.calls.length;
    // Each Wait state lasts WAIT_MS (the cloud waits 10-15 s; the simulated host needs ~1-2 s for the health
    // check): the workflow's own overhead is the wall time less those waits.
    let waits = 0;
    const run = await runLocally({
      input: { instanceType: 'g5.xlarge' },
      handlers: HANDLERS,
      executionName: `bench-${Date.now()}`,
      waitMs: WAIT_MS,
      retryMs: 0,
      onEvent: (e) => {
        if (e.kind === 'entered' && e.type === 'Wait') waits += 1;
      },
    });
    const apiCalls = cloud.standIn.calls.slice(before);
    const byOperation: Record<string, number> = {};
    for (const call of apiCalls) byOperation[call] = (byOperation[call] ?? 0) + 1;

    const cache = new TtlCache<string, never>({ ttlMs: 60_000 });
    const query = { region: 'us-east-1', osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base' } as const;
    const clients = { ec2: ec2Client('us-east-1'), ssm: ssmClient('us-east-1') };
    const coldStart = cloud.standIn.calls.length;
    await getLatestDlami(clients, query, { cache });
    const coldCalls = cloud.standIn.calls.slice(coldStart);
    const warmStart = cloud.standIn.calls.length;
    await getLatestDlami(clients, query, { cache });
    const warmCalls = cloud.standIn.calls.slice(warmStart);
    return {
      deployment: {
        status: run.status,
        transitions: run.transitions,
        lambdaInvocations: run.lambdaInvocations,
        awsApiCalls: apiCalls.length,
        byOperation,
        waitStates: waits,
        overheadMs: run.durationMs - waits * WAIT_MS,
      },
      amiResolution: { coldCalls: coldCalls.length, coldOperations: coldCalls, warmCalls: warmCalls.length },
    };
  } finally {
    await cloud.stop();
  }
}

function markdown(results: Record<string, any>): string {
  const lines = [
    `# Benchmarks (${results.date}, Node ${results.node}, ${results.cpus} CPUs)`,
    '',
    '## Handlers: packaged bundle vs naive bundle (median cold import of ' + LOAD_RUNS + ' fresh processes)',
    '',
    '| function | bundle KiB | naive KiB | cold load ms | naive ms | load ratio |',
    '| --- | ---: | ---: | ---: | ---: | ---: |',
    ...results.handlers.map((h: any) => `| ${h.function} | ${(h.optimized.bytes / 1024).toFixed(0)} | ${(h.naive.bytes / 1024).toFixed(0)} | ${h.optimized.coldLoadMs.toFixed(1)} | ${h.naive.coldLoadMs.toFixed(1)} | ${h.loadRatio} |`),
    '',
    `## One local deployment (g5.xlarge, each Wait state ${WAIT_MS} ms locally)`,
    '',
    `- state transitions: ${results.deployment.transitions}`,
    `- Lambda invocations: ${results.deployment.lambdaInvocations}`,
    `- AWS API calls: ${results.deployment.awsApiCalls}`,
    `- workflow overhead (wall time less ${results.deployment.waitStates} waits): ${results.deployment.overheadMs} ms`,
    '',
    '## AMI resolution',
    '',
    `- cold lookup: ${results.amiResolution.coldCalls} API calls (${results.amiResolution.coldOperations.join(', ')})`,
    `- warm lookup: ${results.amiResolution.warmCalls} API calls`,
    '',
  ];
  return lines.join('\n');
}

const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-bench-'));
try {
  process.stderr.write('Handlers: packaging and measuring cold loads...\n');
  const handlers = await handlerFigures(scratch);
  process.stderr.write('Deployment and AMI resolution against the local cloud...\n');
  const { deployment, amiResolution } = await deploymentFigures();
  const results = { date: new Date().toISOString(), node: process.versions.node, cpus: (await import('node:os')).cpus().length, handlers, deployment, amiResolution };
  mkdirSync(join(root, 'bench'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(join(root, 'bench', 'RESULTS.md'), markdown(results));
  process.stdout.write(markdown(results));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
