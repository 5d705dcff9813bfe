/**
 * CLI start-up figures for `npm run bench` (issue 15): `gpu-deploy --help` and `gpu-deploy plan --json` as whole
 * processes, wall time and peak memory (max RSS), beside `node -e 0` in the same run and beside the tsx-run CLI of
 * the last commit that had one (its bin/, lib/, functions/, statemachines/ and local/ unpacked by `git archive` into a temp folder, sharing this
 * checkout's node_modules). Each process is run by a small Python parent, whose getrusage(RUSAGE_CHILDREN) gives
 * the child's peak memory.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const CLI_RUNS = 5;
/** The targets of issue 15. */
export const CLI_TARGETS = { helpOverNode: 5, planWallOverCommand: 1.3 } as const;

interface ProcessRun {
  wallMs: number;
  maxRssMiB: number;
  exitCode: number;
  stdout: string;
}

const MEASURE = `
import json, resource, subprocess, sys, time
t = time.perf_counter()
p = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
ms = (time.perf_counter() - t) * 1000
print(json.dumps({"wallMs": ms, "maxRssKiB": resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, "exitCode": p.returncode, "stdout": p.stdout.decode()}))
`;

/**
 * One whole process: wall time and peak RSS. Asynchronous: the local cloud the process talks to is served by this
 * process's own event loop, which a synchronous spawn would block.
 */
function measure(argv: string[], env: NodeJS.ProcessEnv): Promise<ProcessRun> {
  return new Promise((resolve, reject) => {
    const child = spawn('python3', ['-c', MEASURE, ...argv], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`measuring ${argv.join(' ')} failed: ${stderr}`));
      const parsed = JSON.parse(stdout) as { wallMs: number; maxRssKiB: number; exitCode: number; stdout: string };
      resolve({ wallMs: parsed.wallMs, maxRssMiB: parsed.maxRssKiB / 1024, exitCode: parsed.exitCode, stdout: parsed.stdout });
    });
  });
}

const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const round = (n: number, digits = 1): number => Number(n.toFixed(digits));

interface Figure {
  wallMs: number;
  maxRssMiB: number;
  runs: number[];
}

function figure(runs: ProcessRun[]): Figure {
  return { wallMs: round(median(runs.map((r) => r.wallMs))), maxRssMiB: round(median(runs.map((r) => r.maxRssMiB))), runs: runs.map((r) => round(r.wallMs)) };
}

async function repeat(argv: string[], env: NodeJS.ProcessEnv, check: (run: ProcessRun) => void): Promise<ProcessRun[]> {
  const runs: ProcessRun[] = [];
  for (let i = 0; i < CLI_RUNS; i++) {
    const run = await measure(argv, env);
    check(run);
    runs.push(run);
  }
  return runs;
}

/** The commit before the CLI stopped running through tsx, or BENCH_BASELINE_REF; undefined when git cannot say. */
function baselineRef(root: string): string | undefined {
  if (process.env.BENCH_BASELINE_REF) return process.env.BENCH_BASELINE_REF;
  try {
    const changed = execFileSync('git', ['log', '-1', '--format=%H', '-S', 'tsx/esm/api', '--', 'bin/gpu-deploy.js'], { cwd: root, encoding: 'utf8' }).trim();
    if (!changed) return undefined;
    const source = execFileSync('git', ['show', `${changed}:bin/gpu-deploy.js`], { cwd: root, encoding: 'utf8' });
    // The commit that added tsx is itself a baseline; the one that removed it is not, its parent is.
    return source.includes('tsx/esm/api') ? changed : `${changed}^`;
  } catch {
    return undefined;
  }
}

/** The tsx-run CLI of `ref` unpacked beside this checkout's node_modules; undefined when it cannot be built. */
function unpackBaseline(root: string, ref: string, scratch: string): string | undefined {
  const dir = mkdtempSync(join(scratch, 'baseline-'));
  try {
    const tar = execFileSync('git', ['archive', '--format=tar', ref, 'bin', 'lib', 'functions', 'statemachines', 'local', 'package.json'], { cwd: root, maxBuffer: 256 * 1024 * 1024 });
    execFileSync('tar', ['-x', '-C', dir], { input: tar });
    symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
    return join(dir, 'bin', 'gpu-deploy.js');
  } catch (error) {
    process.stderr.write(`  baseline CLI of ${ref} not built: ${(error as Error).message}\n`);
    return undefined;
  }
}

const helpCheck = (run: ProcessRun): void => {
  if (run.exitCode !== 0 || !run.stdout.includes('Usage:')) throw new Error(`gpu-deploy --help failed (exit ${run.exitCode})`);
};

async function planRun(bin: string, endpoint: string): Promise<ProcessRun & { commandMs: number }> {
  const run = await measure([process.execPath, bin, 'plan', '--json', '--instance-type', 'g5.xlarge', '--region', 'us-east-1'], { ...process.env, AWS_ENDPOINT_URL: endpoint });
  const commandMs = Number((JSON.parse(run.stdout) as { durationMs?: number }).durationMs);
  if (run.exitCode !== 0 || !Number.isFinite(commandMs)) throw new Error(`gpu-deploy plan failed (exit ${run.exitCode})`);
  return { ...run, commandMs };
}

async function planFigure(bin: string, endpoint: string) {
  const runs = [];
  for (let i = 0; i < CLI_RUNS; i++) runs.push(await planRun(bin, endpoint));
  const ratios = runs.map((r) => r.wallMs / r.commandMs);
  return { ...figure(runs), commandMs: round(median(runs.map((r) => r.commandMs))), wallOverCommand: round(median(ratios), 2), ratios: ratios.map((r) => round(r, 2)) };
}

/**
 * The figures: node -e 0, --help and plan (against `endpoint`, a warm local cloud) for the built CLI and, where it
 * can be built, the tsx-run baseline.
 */
export async function cliStartupFigures(root: string, endpoint: string) {
  const scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-cli-bench-'));
  try {
    const bin = join(root, 'bin', 'gpu-deploy.js');
    // One run first so a stale build is rebuilt outside the measured runs.
    helpCheck(await measure([process.execPath, bin, '--help'], process.env));
    const node = figure(await repeat([process.execPath, '-e', '0'], process.env, () => undefined));
    const help = figure(await repeat([process.execPath, bin, '--help'], process.env, helpCheck));
    await planRun(bin, endpoint);
    const plan = await planFigure(bin, endpoint);
    const ref = baselineRef(root);
    const baselineBin = ref ? unpackBaseline(root, ref, scratch) : undefined;
    const baseline = baselineBin
      ? {
          ref: execFileSync('git', ['rev-parse', '--short', ref as string], { cwd: root, encoding: 'utf8' }).trim(),
          help: figure(await repeat([process.execPath, baselineBin, '--help'], process.env, helpCheck)),
          plan: await planFigure(baselineBin, endpoint),
        }
      : undefined;
    return { runs: CLI_RUNS, node, help, helpOverNode: round(help.wallMs / node.wallMs, 2), plan, baseline };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}

type CliFigures = Awaited<ReturnType<typeof cliStartupFigures>>;

/** The target rows (figure, target, value, pass, note) of issue 15. */
export function cliTargets(cli: CliFigures) {
  const help = cli.helpOverNode;
  const plan = cli.plan.wallOverCommand;
  return [
    { figure: 'gpu-deploy --help / node -e 0', target: `<= ${CLI_TARGETS.helpOverNode} x`, value: `${help} (${cli.help.wallMs} ms / ${cli.node.wallMs} ms)`, pass: help <= CLI_TARGETS.helpOverNode, note: help <= CLI_TARGETS.helpOverNode ? '' : `${((help / CLI_TARGETS.helpOverNode - 1) * 100).toFixed(0)}% over` },
    { figure: 'gpu-deploy plan process wall / its command time', target: `<= ${CLI_TARGETS.planWallOverCommand} x`, value: `${plan} (${cli.plan.wallMs} ms / ${cli.plan.commandMs} ms)`, pass: plan <= CLI_TARGETS.planWallOverCommand, note: plan <= CLI_TARGETS.planWallOverCommand ? '' : `${((plan / CLI_TARGETS.planWallOverCommand - 1) * 100).toFixed(0)}% over` },
  ];
}

/** The RESULTS.md section. */
export function cliMarkdown(cli: CliFigures): string[] {
  const row = (what: string, f: { wallMs: number; maxRssMiB: number }, extra = '') => `| ${what} | ${f.wallMs} | ${f.maxRssMiB} | ${round(f.wallMs / cli.node.wallMs, 2)} |${extra}`;
  const b = cli.baseline;
  return [
    `## CLI start-up (whole processes, median of ${cli.runs}; plan against the warm local cloud)`,
    '',
    '| process | wall ms | peak RSS MiB | x node -e 0 |',
    '| --- | ---: | ---: | ---: |',
    row('node -e 0', cli.node),
    row('gpu-deploy --help (built)', cli.help),
    ...(b ? [row(`gpu-deploy --help (tsx, ${b.ref})`, b.help)] : []),
    row(`gpu-deploy plan --json (built; its own durationMs ${cli.plan.commandMs})`, cli.plan),
    ...(b ? [row(`gpu-deploy plan --json (tsx, ${b.ref}; durationMs ${b.plan.commandMs})`, b.plan)] : []),
    '',
    `- plan process wall time over its command time: ${cli.plan.wallOverCommand} (runs: ${cli.plan.ratios.join(', ')})${b ? `; the tsx-run CLI of ${b.ref}: ${b.plan.wallOverCommand}` : ''}.`,
    b
      ? `- Against the tsx-run CLI of ${b.ref}: --help ${round(b.help.wallMs / cli.help.wallMs, 1)}x faster (${b.help.wallMs} -> ${cli.help.wallMs} ms), ${round(b.help.maxRssMiB - cli.help.maxRssMiB, 0)} MiB less memory; plan ${b.plan.wallMs} -> ${cli.plan.wallMs} ms.`
      : '- No tsx-run baseline: git could not name the commit before the built CLI (set BENCH_BASELINE_REF).',
    ...(cli.plan.wallOverCommand > CLI_TARGETS.planWallOverCommand
      ? [
          `- plan misses ${CLI_TARGETS.planWallOverCommand}x: ${round(cli.plan.wallMs - cli.plan.commandMs, 0)} ms of the process are outside its ${cli.plan.commandMs} ms command, of which ${cli.node.wallMs} ms is Node's own start (node -e 0). The rest is loading plan's chunks (the EC2, SSM, Pricing and Service Quotas clients and zod; from V8's compile cache after the first start) and the build's staleness check. That cost is fixed: against moto every AWS call is local and the command takes a few hundred ms; against AWS its calls are network round trips and the command takes longer (not measured here), so the same fixed cost weighs less. Meeting ${CLI_TARGETS.planWallOverCommand}x against moto would take a command of at least ${round((cli.plan.wallMs - cli.plan.commandMs) / (CLI_TARGETS.planWallOverCommand - 1), 0)} ms at this fixed cost.`,
        ]
      : []),
    `- Wall times of each run (ms): node ${cli.node.runs.join(', ')}; --help ${cli.help.runs.join(', ')}; plan ${cli.plan.runs.join(', ')}.`,
    '',
  ];
}
