#!/usr/bin/env node
// The gpu-deploy command line. The TypeScript sources run through tsx, so the CLI and the Lambdas share lib/.
const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  process.stderr.write(`gpu-deploy needs Node.js 22 or newer (this is ${process.version}). Run it through npm (npm start, npx gpu-deploy), which uses the project's node@22.\n`);
  process.exit(2);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../lib/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
