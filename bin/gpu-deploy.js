#!/usr/bin/env node
// The gpu-deploy command line: the esbuild bundle in dist/cli (built by `npm ci`, rebuilt here when a source
// changed since; see scripts/cli-build.mjs), so a start costs no TypeScript transpiling.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`gpu-deploy needs Node.js 22 or newer (this is ${process.version}). Run it through npm (npm start, npx gpu-deploy), which uses the project's node@22.\n`);
  process.exit(2);
}
// V8's code cache on disk (Node 22): a later start skips compiling the bundle's chunks again.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
const { ensureBuiltCli } = await import('../scripts/cli-build.mjs');
let entry;
try {
  entry = await ensureBuiltCli();
} catch (error) {
  process.stderr.write(`gpu-deploy: the CLI in dist/cli is missing or older than its sources, and building it failed: ${error.message}\nhint: run npm run build (or npm ci) in the gpu-deploy folder\n`);
  process.exit(1);
}
// Stack traces point into lib/*.ts, not the minified bundle.
process.setSourceMapsEnabled(true);
const { main } = await import(entry);
process.exitCode = await main(process.argv.slice(2));
