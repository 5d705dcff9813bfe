/**
 * The built command line as a user meets it: a checkout without dist/ (a fresh clone before `npm ci` built it, or
 * after `git clean`), then an edit to a source. bin/gpu-deploy.js must build when there is no build, rebuild when a
 * source changed (saying so), and never run the old build; --help must not load a subcommand's code.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../lib/local/paths.js';

const root = repoRoot();
let checkout: string;

const gpuDeploy = (...args: string[]) => spawnSync(process.execPath, [join(checkout, 'bin', 'gpu-deploy.js'), ...args], { cwd: checkout, encoding: 'utf8' });

beforeAll(() => {
  // A copy of what the CLI is built from, beside this checkout's node_modules.
  checkout = mkdtempSync(join(tmpdir(), 'gpu-deploy-cli-build-'));
  for (const path of ['bin', 'lib', 'functions', 'statemachines', 'scripts', 'package.json', 'package-lock.json']) cpSync(join(root, path), join(checkout, path), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(checkout, 'node_modules'));
});

afterAll(() => {
  rmSync(checkout, { recursive: true, force: true });
});

describe('bin/gpu-deploy.js and its build in dist/cli', () => {
  test('without a build it builds one first, saying so on stderr, then answers', () => {
    // Act
    const run = gpuDeploy('--help');
    // Assess
    expect(run.status).toBe(0);
    expect(run.stderr).toContain('gpu-deploy: building the CLI into dist/cli (no build in dist/cli yet)');
    expect(run.stdout).toContain('Usage:');
    expect(existsSync(join(checkout, 'dist', 'cli', 'main.js'))).toBe(true);
  });

  test('a fresh build runs as it is: nothing on stderr, and --check agrees', () => {
    const run = gpuDeploy('--help');
    expect(run.stderr).toBe('');
    expect(run.stdout).toContain('Usage:');
    const check = spawnSync(process.execPath, [join(checkout, 'scripts', 'cli-build.mjs'), '--check'], { encoding: 'utf8' });
    expect({ status: check.status, stdout: check.stdout }).toEqual({ status: 0, stdout: 'dist/cli is up to date\n' });
  });

  test('after a source changes, --check names it and the next start rebuilds and runs the new code', () => {
    // Prepare: edit the usage text in lib/cli/main.ts.
    const main = join(checkout, 'lib', 'cli', 'main.ts');
    writeFileSync(main, readFileSync(main, 'utf8').replace('turn a GPU request into a verified, GPU-ready EC2 instance.', 'EDITED USAGE LINE.'));
    const check = spawnSync(process.execPath, [join(checkout, 'scripts', 'cli-build.mjs'), '--check'], { encoding: 'utf8' });
    // Act
    const run = gpuDeploy('--help');
    // Assess
    expect({ status: check.status, stdout: check.stdout }).toEqual({ status: 1, stdout: 'dist/cli is stale: lib/cli/main.ts\n' });
    expect(run.stderr).toContain('changed since the last build: lib/cli/main.ts');
    expect(run.stdout).toContain('gpu-deploy: EDITED USAGE LINE.');
  });

  test('a touched but unchanged source is not a rebuild', () => {
    // Prepare: same content, new mtime (as a checkout of the same commit leaves it).
    const doctor = join(checkout, 'lib', 'cli', 'doctor.ts');
    writeFileSync(doctor, readFileSync(doctor, 'utf8'));
    // Act + Assess
    expect(gpuDeploy('--help').stderr).toBe('');
  });

  test('an error in a subcommand still exits with its named error code (the bundle keeps class names)', () => {
    const run = gpuDeploy('plan', '--os-type', 'windows', '--json');
    expect(run.status).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ status: 'FAILED', error: 'RequestInvalidError' });
  });

  test('--help loads only the entry chunk: no subcommand and no AWS SDK client is imported statically from it', () => {
    // Prepare: the chunks main.js imports statically (import ... from), transitively; dynamic import() stays out.
    const dir = join(checkout, 'dist', 'cli');
    const staticImports = (file: string): string[] => [...readFileSync(file, 'utf8').matchAll(/(?:^|[;\s])import\s*(?:[^'"()]*?from\s*)?["']\.\/(?:chunks\/)?([^"']+)["']/g)].map((m) => m[1] as string);
    const reachable = (entry: string): string => {
      const seen = new Set<string>([entry]);
      const visit = (file: string): void => {
        for (const name of staticImports(file)) {
          const path = existsSync(join(dir, 'chunks', name)) ? join(dir, 'chunks', name) : join(dir, name);
          if (!seen.has(path)) {
            seen.add(path);
            visit(path);
          }
        }
      };
      visit(entry);
      return [...seen].map((file) => readFileSync(file, 'utf8')).join('\n');
    };
    const loaded = reachable(join(dir, 'main.js'));
    const plan = reachable(join(dir, 'chunks', readdirSync(join(dir, 'chunks')).find((f) => /^plan-.*\.js$/.test(f)) as string));
    // Assess: plan's chunks carry the clients it needs (the control); --help's carry none.
    for (const client of ['EC2Client', 'SSMClient']) expect(plan).toContain(`"${client}"`);
    for (const client of ['EC2Client', 'SFNClient', 'SSMClient']) expect(loaded).not.toContain(`"${client}"`);
    expect(loaded).toContain('Usage:');
  });
});
