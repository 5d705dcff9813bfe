/**
 * The docs stay honest: README.md (the front page, at most 200 lines) and docs/*.md show only commands and flags the
 * CLI declares, link only to what exists, list every field of the request with its declared flag, default and
 * bounds, draw the state machines as they are, and name only errors the code has. Reads files only: no network.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { COMMANDS } from '../../../lib/cli/commands.js';
import { REQUEST_FLAGS, REQUEST_OPTION_SPECS } from '../../../lib/cli/request-options.js';
import { repoRoot } from '../../../lib/local/paths.js';
import { MAX_TOTAL_TIMEOUT_SECONDS } from '../../../lib/request-fields.js';
import { requestJsonSchema } from '../../../lib/request-schema.js';
import { DEPLOY_DEFINITION_PATH, TEARDOWN_DEFINITION_PATH, readDefinition } from '../../../lib/workflow/definition.js';
import { renderDiagramBlock } from '../../../lib/workflow/mermaid.js';
import { DIAGRAM_PAGE, pageDiagrams, renderPageDiagrams } from '../../../scripts/diagrams.js';
import { cliProblems, DELIBERATE_TYPOS } from './cli-mentions.js';
import { codeUnits, headingAnchors, links, section, tableRows } from './markdown.js';

const root = repoRoot();
const PAGES = ['README.md', ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => join('docs', name))];
const read = (page: string): string => readFileSync(join(root, page), 'utf8');

describe('README.md', () => {
  test('is a front page: at most 200 lines, with the two set-up commands and a link to every docs page', () => {
    const readme = read('README.md');
    expect(readme.split('\n').length).toBeLessThanOrEqual(200);
    expect(readme).toContain('npm ci && npm start');
    expect(readme).toContain('npm test');
    const linked = new Set(links(readme).map((link) => link.target.split('#')[0]));
    expect(PAGES.filter((page) => page !== 'README.md' && !linked.has(page))).toEqual([]);
  });
});

describe.each(PAGES)('%s', (page) => {
  const text = read(page);

  test('every gpu-deploy command and flag it shows is one the CLI declares (for the command it follows)', () => {
    const problems = codeUnits(text).flatMap((unit) => cliProblems(unit, DELIBERATE_TYPOS[page]).map((problem) => `${page}:${unit.line}: ${problem}`));
    expect(problems).toEqual([]);
  });

  test('every relative link resolves, and every #anchor is a heading of its page', () => {
    const broken: string[] = [];
    for (const { target, line } of links(text)) {
      if (/^[a-z]+:/i.test(target)) continue;
      const [path = '', anchor] = target.split('#');
      const file = path === '' ? join(root, page) : join(root, dirname(page), decodeURIComponent(path));
      if (!existsSync(file)) broken.push(`${page}:${line}: ${target}: no such file ${relative(root, file)}`);
      else if (anchor !== undefined && file.endsWith('.md') && statSync(file).isFile() && !headingAnchors(readFileSync(file, 'utf8')).has(anchor)) {
        broken.push(`${page}:${line}: ${target}: ${relative(root, file)} has no heading #${anchor}`);
      }
    }
    expect(broken).toEqual([]);
  });

  test('every error it names in code is a class the code declares', () => {
    const declared = errorClasses();
    const unknown = codeUnits(text).flatMap((unit) =>
      [...unit.text.matchAll(/(?<![\w.])([A-Z][A-Za-z]+Error)\b/g)].map((m) => m[1] as string).filter((name) => !declared.has(name)).map((name) => `${page}:${unit.line}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });
});

describe('docs/cli.md, the command reference', () => {
  const page = read('docs/cli.md');

  test.each(COMMANDS.map((command) => [command.name, command] as const))('gpu-deploy %s has its section, which names each of its options', (name, command) => {
    const text = section(page, new RegExp(`^### gpu-deploy ${name}$`));
    expect(text).toBeDefined();
    const missing = Object.keys(command.options).filter((option) => !(text ?? '').includes(`--${option}`));
    expect(missing).toEqual([]);
    if (command.requestOptions) expect(text).toContain('[request options]');
  });

  test('the request options table has every request flag, each setting its declared field', () => {
    const rows = tableRows(section(page, /^## Request options$/) ?? '');
    const documented = Object.fromEntries(rows.map(([flag = '', field = '']) => [/`--([a-z-]+)/.exec(flag)?.[1] ?? flag, /`([A-Za-z.]+)`/.exec(field)?.[1] ?? field]));
    expect(Object.keys(documented).sort()).toEqual(Object.keys(REQUEST_OPTION_SPECS).sort());
    for (const [flag, field] of Object.entries(REQUEST_FLAGS)) expect([flag, documented[flag]]).toEqual([flag, field]);
  });
});

/** A field of the request as its JSON Schema declares it. */
interface DeclaredField {
  path: string;
  schema: Record<string, unknown>;
  required: boolean;
}

/** Every field of the request, top level and inside its sections, from the declaration's JSON Schema. */
function declaredFields(schema: Record<string, unknown> = requestJsonSchema(), prefix = '', nested = false): DeclaredField[] {
  const properties = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
  const required = new Set((schema.required ?? []) as string[]);
  return Object.entries(properties).flatMap(([name, field]) => [
    { path: `${prefix}${name}`, schema: field, required: nested && required.has(name) },
    ...declaredFields(field, `${prefix}${name}.`, true),
  ]);
}

/** The rows of docs/request.md's field tables: field path -> its cells (flag, default, bounds, meaning). */
function documentedFields(): Map<string, string[]> {
  const rows = tableRows(read('docs/request.md')).filter((cells) => /^`[A-Za-z.]+`$/.test(cells[0] ?? ''));
  return new Map(rows.map(([field = '', ...cells]) => [field.slice(1, -1), cells]));
}

const hasWord = (cell: string, word: string): boolean => new RegExp(`(^|[^\\w.])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w.])`).test(cell);

describe('docs/request.md, checked against the one declaration (lib/request-schema.ts)', () => {
  const documented = documentedFields();
  const fields = declaredFields();
  const flagOf = Object.fromEntries(Object.entries(REQUEST_FLAGS).map(([flag, field]) => [field, flag]));

  test('lists every declared field, and no field the declaration does not have', () => {
    expect([...documented.keys()].sort()).toEqual(fields.map((f) => f.path).sort());
  });

  test.each(fields.map((field) => [field.path, field] as const))('%s: its flag, default and bounds are the declared ones', (path, { schema, required }) => {
    const [flag = '', byDefault = '', bounds = ''] = documented.get(path) ?? [];
    expect(flag).toBe(flagOf[path] ? `\`--${flagOf[path]}\`` : '');
    const value = schema.default ?? schema.const;
    if (typeof value === 'object' && value !== null) expect(JSON.parse(/`(\{.*\})`/.exec(byDefault)?.[1] ?? 'null')).toEqual(value);
    else if (value !== undefined) expect(byDefault).toContain(`\`${String(value)}\``);
    if (required) expect(byDefault).toMatch(/required/);
    for (const key of ['minimum', 'maximum', 'maxProperties'] as const) {
      if (typeof schema[key] === 'number') expect([path, key, hasWord(bounds, String(schema[key]))]).toEqual([path, key, true]);
    }
    if (schema.type === 'integer') expect(bounds).toMatch(/integer/);
    for (const choice of (schema.enum ?? []) as string[]) expect(bounds).toContain(`\`${choice}\``);
  });

  test('states the limit on the timeouts together', () => {
    expect(hasWord(section(read('docs/request.md'), /^### timeouts$/) ?? '', String(MAX_TOTAL_TIMEOUT_SECONDS))).toBe(true);
  });
});

describe(`${DIAGRAM_PAGE}, the state machines`, () => {
  const page = read(DIAGRAM_PAGE);

  test('holds the diagrams of statemachines/deploy.asl.json and teardown.asl.json, in that order', () => {
    const expected = [renderDiagramBlock(readDefinition(DEPLOY_DEFINITION_PATH)), renderDiagramBlock(readDefinition(TEARDOWN_DEFINITION_PATH))];
    const current = pageDiagrams(page);
    if (current[0] !== expected[0] || current[1] !== expected[1] || renderPageDiagrams(page) !== page) {
      throw new Error(`${DIAGRAM_PAGE}: the state machine diagrams are out of date. Run \`npx tsx scripts/render-diagram.ts\` and commit ${DIAGRAM_PAGE}.`);
    }
    expect(current).toEqual(expected);
  });

  test('a stale diagram is caught, and scripts/render-diagram.ts puts back exactly the checked page', () => {
    const [deploy = '', teardown = ''] = pageDiagrams(page);
    const stale = page.replace(teardown, teardown.replace('TornDown --> Succeeded', 'TornDown --> Gone'));
    expect(stale).not.toBe(page);
    expect(pageDiagrams(stale)).toEqual([deploy, expect.not.stringContaining('TornDown --> Succeeded')]);
    expect(renderPageDiagrams(stale)).toBe(page);
  });
});

/** The error names the code has: its classes (`class NameError`) and the names it prints (`'UsageError'`), in lib/. */
let declaredErrors: Set<string> | undefined;
function errorClasses(): Set<string> {
  if (declaredErrors) return declaredErrors;
  const names = new Set<string>();
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.ts')) for (const m of readFileSync(path, 'utf8').matchAll(/(?:class |')(\w+Error)\b/g)) names.add(m[1] as string);
    }
  };
  walk(join(root, 'lib'));
  declaredErrors = names;
  return names;
}
