/**
 * Writes examples/request.schema.json (the deployment request's JSON Schema) from lib/request-schema.ts.
 * `--check` changes nothing and exits 1 when the file is out of date.
 *
 * @example
 * npx tsx scripts/render-schema.ts          # update examples/request.schema.json
 * npx tsx scripts/render-schema.ts --check  # CI: fail when it is stale
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/local/paths.js';
import { REQUEST_SCHEMA_PATH, renderRequestSchema } from '../lib/request-schema.js';

const path = join(repoRoot(), REQUEST_SCHEMA_PATH);
const current = existsSync(path) ? readFileSync(path, 'utf8') : '';
const updated = renderRequestSchema();

if (process.argv.includes('--check')) {
  if (updated !== current) {
    process.stderr.write(`${REQUEST_SCHEMA_PATH} is out of date; run \`npx tsx scripts/render-schema.ts\`\n`);
    process.exit(1);
  }
  process.stdout.write(`${REQUEST_SCHEMA_PATH} is up to date\n`);
} else if (updated === current) {
  process.stdout.write(`${REQUEST_SCHEMA_PATH} is already up to date\n`);
} else {
  writeFileSync(path, updated);
  process.stdout.write(`${REQUEST_SCHEMA_PATH} written\n`);
}
