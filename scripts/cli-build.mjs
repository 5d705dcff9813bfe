#!/usr/bin/env node
/**
 * The built command line: lib/cli/main.ts bundled by esbuild (ESM, Node 22, minified, source maps) into dist/cli/,
 * which git ignores. `npm ci` runs it (the `prepare` script); bin/gpu-deploy.js calls ensureBuiltCli() first.
 *
 * Each subcommand is a dynamic import() in main.ts, so esbuild splits it into its own chunk: `--help` loads the
 * entry chunk only, `plan` the entry and plan's chunks.
 *
 * Staleness: the build records the sha256 of every project file esbuild read (from its metafile, so a file newly
 * imported is covered by the change to its importer), of package-lock.json and of this script, with each file's
 * size and mtime. A CLI start compares size and mtime first (a few stat calls) and hashes only the files whose
 * stat changed (a checkout or a touch); any content difference rebuilds before running, so an edited source is
 * never run from an old build.
 *
 * Usage: node scripts/cli-build.mjs [--check]   (--check: exit 1 when the build is missing or stale, build nothing)
 */
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OUT_DIR = join(root, 'dist', 'cli');
export const ENTRY = join(OUT_DIR, 'main.js');
const INFO = join(OUT_DIR, 'build-info.json');
/** Inputs outside the bundle's own sources that change what the build produces. */
const ALWAYS_HASHED = ['package-lock.json', 'scripts/cli-build.mjs'];
/** Files read at run time beside the module that reads them (import.meta.url), copied beside the chunks. */
const RUNTIME_FILES = ['lib/verify/health-check.sh'];

const sha256 = (file) => (existsSync(join(root, file)) ? createHash('sha256').update(readFileSync(join(root, file))).digest('hex') : 'missing');

/** Size and mtime of a file as one string, 'missing' when it is gone. */
function stamp(file) {
  try {
    const { size, mtimeMs } = statSync(join(root, file));
    return `${size}:${mtimeMs}`;
  } catch {
    return 'missing';
  }
}

/** The names of the files whose content differs from the build's (hashing only those whose stat changed). */
function changedSince(info) {
  return Object.entries(info.inputs)
    .filter(([file, recorded]) => stamp(file) !== recorded.stamp && sha256(file) !== recorded.sha256)
    .map(([file]) => file);
}

/**
 * Why the build cannot be run as it is: 'missing', or the files changed since it was built; undefined when fresh.
 *
 * @example
 * staleness() // undefined, or ['lib/cli/plan.ts']
 */
export function staleness() {
  if (!existsSync(INFO) || !existsSync(ENTRY)) return 'missing';
  let info;
  try {
    info = JSON.parse(readFileSync(INFO, 'utf8'));
  } catch {
    return 'missing';
  }
  const changed = typeof Object.values(info.inputs ?? {})[0] === 'object' ? changedSince(info) : 'missing';
  return changed.length > 0 ? changed : undefined;
}

/** Bundles the CLI into dist/cli/ and records what it was built from. */
export async function buildCli() {
  let esbuild;
  try {
    esbuild = await import('esbuild');
  } catch (error) {
    throw new Error(`the CLI build needs esbuild (a devDependency): run npm ci in ${root} (${error.message})`, { cause: error });
  }
  rmSync(OUT_DIR, { recursive: true, force: true });
  const result = await esbuild.build({
    absWorkingDir: root,
    entryPoints: { main: 'lib/cli/main.ts' },
    outdir: OUT_DIR,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    minify: true,
    // Error class names are the CLI's JSON error codes: minification must not rename them.
    keepNames: true,
    sourcemap: true,
    // The SDK's ES modules load faster than its CommonJS builds (see DESIGN.md).
    mainFields: ['module', 'main'],
    banner: { js: "import { createRequire as __gpuDeployRequire } from 'node:module'; const require = __gpuDeployRequire(import.meta.url);" },
    chunkNames: 'chunks/[name]-[hash]',
    metafile: true,
    logLevel: 'warning',
  });
  const sources = Object.keys(result.metafile.inputs).filter((file) => !file.includes('node_modules/'));
  const inputs = Object.fromEntries([...sources, ...ALWAYS_HASHED, ...RUNTIME_FILES].map((file) => [file, { sha256: sha256(file), stamp: stamp(file) }]));
  for (const file of RUNTIME_FILES) {
    for (const dir of [OUT_DIR, join(OUT_DIR, 'chunks')]) {
      mkdirSync(dir, { recursive: true });
      copyFileSync(join(root, file), join(dir, file.split('/').pop()));
    }
  }
  writeFileSync(INFO, `${JSON.stringify({ builtAt: new Date().toISOString(), inputs }, null, 2)}\n`);
  return { files: Object.keys(result.metafile.outputs).length, sources: sources.length };
}

/**
 * The entry module of a fresh build: builds when there is none, rebuilds (saying so on stderr) when a source
 * changed since. Throws with the reason when it cannot build.
 */
export async function ensureBuiltCli(log = (line) => process.stderr.write(line)) {
  const stale = staleness();
  if (stale === undefined) return ENTRY;
  const why = stale === 'missing' ? 'no build in dist/cli yet' : `changed since the last build: ${stale.slice(0, 3).join(', ')}${stale.length > 3 ? ` and ${stale.length - 3} more` : ''}`;
  log(`gpu-deploy: building the CLI into dist/cli (${why})...\n`);
  await buildCli();
  return ENTRY;
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  if (process.argv.includes('--check')) {
    const stale = staleness();
    process.stdout.write(stale === undefined ? 'dist/cli is up to date\n' : `dist/cli is ${stale === 'missing' ? 'missing' : `stale: ${stale.join(', ')}`}\n`);
    process.exit(stale === undefined ? 0 : 1);
  }
  const started = performance.now();
  const { files, sources } = await buildCli();
  process.stdout.write(`Built the CLI: ${relative(root, OUT_DIR)}/ (${files} files from ${sources} sources) in ${Math.round(performance.now() - started)} ms\n`);
}
