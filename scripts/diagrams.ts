/**
 * The state machine diagrams of docs/architecture.md, generated from the ASL files so the pictures cannot drift:
 * the page holds two diagram blocks, each between the markers of lib/workflow/mermaid.ts, the deploy state
 * machine's first and the teardown state machine's second. Used by scripts/render-diagram.ts (which writes the
 * page) and by the docs test (which fails when the page is stale).
 */
import { join } from 'node:path';
import { DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition } from '../lib/workflow/definition.js';
import { DIAGRAM_END_MARKER, extractDiagram, renderDiagramBlock, updateDiagram } from '../lib/workflow/mermaid.js';

/** The page that holds the diagrams, relative to the repository root. */
export const DIAGRAM_PAGE = join('docs', 'architecture.md');

/** The definitions drawn on the page, in the order of their blocks. */
export const DIAGRAM_DEFINITIONS = [DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH] as const;

/** Where the first block ends: the second block is looked for after it. */
function afterFirstBlock(page: string): number {
  const end = page.indexOf(DIAGRAM_END_MARKER);
  if (end < 0) throw new Error(`${DIAGRAM_PAGE} has no diagram block: add ${DIAGRAM_END_MARKER} after the deploy diagram's start marker`);
  return end + DIAGRAM_END_MARKER.length;
}

/** The diagram blocks the page holds now, in order (undefined for a missing one). */
export function pageDiagrams(page: string): [string | undefined, string | undefined] {
  const cut = page.indexOf(DIAGRAM_END_MARKER) < 0 ? page.length : afterFirstBlock(page);
  return [extractDiagram(page), extractDiagram(page.slice(cut))];
}

/** The page with both blocks rendered from the state machine definitions (idempotent). */
export function renderPageDiagrams(page: string): string {
  const [deploy, teardown] = DIAGRAM_DEFINITIONS.map((path) => renderDiagramBlock(readDefinition(path))) as [string, string];
  const first = updateDiagram(page, deploy);
  const cut = afterFirstBlock(first);
  return first.slice(0, cut) + updateDiagram(first.slice(cut), teardown);
}
