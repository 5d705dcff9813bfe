/**
 * Rewrites the state machine diagrams in docs/architecture.md (between the state-machine-diagram markers: the
 * deploy state machine's, then the teardown state machine's) from statemachines/*.asl.json. `--check` changes
 * nothing and exits 1 when the page is out of date (the docs test checks the same).
 *
 * @example
 * npx tsx scripts/render-diagram.ts          # update docs/architecture.md
 * npx tsx scripts/render-diagram.ts --check  # fail when docs/architecture.md is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/local/paths.js';
import { DIAGRAM_PAGE, renderPageDiagrams } from './diagrams.js';

const pagePath = join(repoRoot(), DIAGRAM_PAGE);
const current = readFileSync(pagePath, 'utf8');
const updated = renderPageDiagrams(current);

if (process.argv.includes('--check')) {
  if (updated !== current) {
    process.stderr.write(`${DIAGRAM_PAGE}: the state machine diagrams are out of date; run \`npx tsx scripts/render-diagram.ts\`\n`);
    process.exit(1);
  }
  process.stdout.write(`${DIAGRAM_PAGE}: the state machine diagrams are up to date\n`);
} else if (updated === current) {
  process.stdout.write(`${DIAGRAM_PAGE}: the state machine diagrams are already up to date\n`);
} else {
  writeFileSync(pagePath, updated);
  process.stdout.write(`${DIAGRAM_PAGE}: state machine diagrams updated\n`);
}
