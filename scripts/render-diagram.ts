/**
 * Rewrites the state machine diagram in README.md (between the state-machine-diagram markers) from
 * statemachines/deploy.asl.json. `--check` changes nothing and exits 1 when the README is out of date.
 *
 * @example
 * npx tsx scripts/render-diagram.ts          # update README.md
 * npx tsx scripts/render-diagram.ts --check  # CI: fail when README.md is stale
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../lib/local/paths.js';
import { readDefinition } from '../lib/workflow/definition.js';
import { renderDiagramBlock, updateReadmeDiagram } from '../lib/workflow/mermaid.js';

const readmePath = join(repoRoot(), 'README.md');
const current = readFileSync(readmePath, 'utf8');
const updated = updateReadmeDiagram(current, renderDiagramBlock(readDefinition()));

if (process.argv.includes('--check')) {
  if (updated !== current) {
    process.stderr.write('README.md: the state machine diagram is out of date; run `npx tsx scripts/render-diagram.ts`\n');
    process.exit(1);
  }
  process.stdout.write('README.md: the state machine diagram is up to date\n');
} else if (updated === current) {
  process.stdout.write('README.md: the state machine diagram is already up to date\n');
} else {
  writeFileSync(readmePath, updated);
  process.stdout.write('README.md: state machine diagram updated\n');
}
