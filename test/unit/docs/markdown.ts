/**
 * Just enough GitHub Markdown for the docs test: the code a page shows (fenced blocks line by line, inline code
 * spans whole), its links, its headings' anchors and its table rows. Fences may be indented (inside list items);
 * a mermaid block holds no commands.
 */

/** A piece of code the page shows: one line of a fenced block (continuation lines joined) or one inline span. */
export interface CodeUnit {
  kind: 'block' | 'inline';
  text: string;
  /** 1-based line of the page where it starts. */
  line: number;
}

const FENCE = /^\s*(`{3,}|~{3,})\s*([\w-]*)/;

/** The page split into fenced blocks (with their language) and the prose between them, line numbers kept. */
function segments(page: string): Array<{ fenced: boolean; lang: string; lines: string[]; start: number }> {
  const out: Array<{ fenced: boolean; lang: string; lines: string[]; start: number }> = [];
  let current = { fenced: false, lang: '', lines: [] as string[], start: 1 };
  let fence = '';
  page.split('\n').forEach((line, index) => {
    const match = FENCE.exec(line);
    if (!current.fenced && match) {
      out.push(current);
      fence = match[1] as string;
      current = { fenced: true, lang: match[2] ?? '', lines: [], start: index + 2 };
    } else if (current.fenced && match && (match[1] as string).startsWith(fence) && line.trim() === match[1]) {
      out.push(current);
      current = { fenced: false, lang: '', lines: [], start: index + 2 };
    } else current.lines.push(line);
  });
  out.push(current);
  return out;
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** Inline code spans of prose (they may cross a line break); a table's `\|` is a `|`. */
function inlineSpans(prose: string, start: number): CodeUnit[] {
  const spans: CodeUnit[] = [];
  for (const match of prose.matchAll(/(`+)(?!`)([\s\S]+?)(?<!`)\1(?!`)/g)) {
    spans.push({ kind: 'inline', text: (match[2] as string).replace(/\s+/g, ' ').replace(/\\\|/g, '|').trim(), line: start + lineAt(prose, match.index ?? 0) - 1 });
  }
  return spans;
}

/** Every piece of code the page shows. */
export function codeUnits(page: string): CodeUnit[] {
  const units: CodeUnit[] = [];
  for (const segment of segments(page)) {
    if (!segment.fenced) {
      units.push(...inlineSpans(segment.lines.join('\n'), segment.start));
      continue;
    }
    if (segment.lang === 'mermaid') continue;
    let pending = '';
    let pendingLine = 0;
    segment.lines.forEach((line, index) => {
      if (!pending) pendingLine = segment.start + index;
      pending += line;
      if (/\\\s*$/.test(line)) pending = pending.replace(/\\\s*$/, ' ');
      else {
        units.push({ kind: 'block', text: pending, line: pendingLine });
        pending = '';
      }
    });
    if (pending) units.push({ kind: 'block', text: pending, line: pendingLine });
  }
  return units;
}

/** The prose of the page with code (blocks and spans) blanked out, line breaks kept. */
function proseOnly(page: string): string {
  return segments(page)
    .map((segment) => (segment.fenced ? ['', ...segment.lines.map(() => ''), ''].join('\n') : segment.lines.join('\n').replace(/(`+)(?!`)[\s\S]+?(?<!`)\1(?!`)/g, (span) => span.replace(/[^\n]/g, ' '))))
    .join('\n');
}

/** `[text](target)` links of the prose, with their line. */
export function links(page: string): Array<{ target: string; line: number }> {
  const prose = proseOnly(page);
  return [...prose.matchAll(/\]\(([^)\s]+)(?:\s+"[^"]*")?\)/g)].map((match) => ({ target: match[1] as string, line: lineAt(prose, match.index ?? 0) }));
}

/** GitHub's anchor of a heading: lower case, punctuation gone, spaces to `-`; repeats get `-1`, `-2`, ... */
export function headingAnchors(page: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const segment of segments(page)) {
    if (segment.fenced) continue;
    for (const line of segment.lines) {
      const heading = /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
      if (!heading) continue;
      const text = (heading[1] as string).replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
      const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/ /g, '-');
      const count = seen.get(slug) ?? 0;
      seen.set(slug, count + 1);
      anchors.add(count === 0 ? slug : `${slug}-${count}`);
    }
  }
  return anchors;
}

/** The rows of every table in the prose, as trimmed cells (header and separator rows left out). */
export function tableRows(page: string): string[][] {
  const rows: string[][] = [];
  for (const segment of segments(page)) {
    if (segment.fenced) continue;
    segment.lines.forEach((line, index) => {
      if (!/^\s*\|.*\|\s*$/.test(line) || /^\s*\|[\s|:-]+\|\s*$/.test(line)) return;
      const next = segment.lines[index + 1] ?? '';
      if (/^\s*\|[\s|:-]+\|\s*$/.test(next)) return;
      rows.push(line.trim().slice(1, -1).split(/(?<!\\)\|/).map((cell) => cell.trim()));
    });
  }
  return rows;
}

/** The text of a section: from the heading that matches to the next heading of the same or a higher level. */
export function section(page: string, heading: RegExp): string | undefined {
  const lines = page.split('\n');
  let fenced = false;
  const headingLevel = lines.map((line) => {
    if (FENCE.test(line)) fenced = !fenced;
    return fenced ? 0 : (/^(#{1,6})\s/.exec(line)?.[1]?.length ?? 0);
  });
  const start = lines.findIndex((line, index) => (headingLevel[index] ?? 0) > 0 && heading.test(line));
  if (start < 0) return undefined;
  const level = headingLevel[start] as number;
  const end = headingLevel.findIndex((found, index) => index > start && found > 0 && found <= level);
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
}
