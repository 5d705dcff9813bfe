import type { AslDefinition } from './definition.js';

/**
 * Mermaid `stateDiagram-v2` for an ASL definition, generated so the picture in docs/architecture.md cannot drift from the
 * state machine: one edge per `Next`, per Choice rule (labelled with its condition) and `Default` (`otherwise`),
 * per `Catch` (labelled with the error names), and `[*]` for the start and for every terminal state.
 * The output depends only on the definition (states in the order the file lists them), so it is deterministic.
 *
 * @example
 * aslToMermaid({ StartAt: 'A', States: { A: { Type: 'Succeed' } } });
 * // stateDiagram-v2
 * //     [*] --> A
 * //     A --> [*]
 */

/** The two markers that delimit a generated diagram in a Markdown page (docs/architecture.md). */
export const DIAGRAM_START_MARKER = '<!-- state-machine-diagram:start -->';
export const DIAGRAM_END_MARKER = '<!-- state-machine-diagram:end -->';

/** Labels longer than this are cut with an ellipsis: the picture should name a condition, not restate it. */
const MAX_LABEL_LENGTH = 48;
const INDENT = '    ';
const FAIL_CLASS = 'failState';

type JsonObject = Record<string, unknown>;

interface StatesScope {
  StartAt: string;
  States: Record<string, JsonObject>;
}

const isObject = (value: unknown): value is JsonObject => typeof value === 'object' && value !== null && !Array.isArray(value);

const isScope = (value: unknown): value is StatesScope =>
  isObject(value) && typeof value.StartAt === 'string' && isObject(value.States) && Object.values(value.States).every(isObject);

const stringArray = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];

/** Text that Mermaid's state-diagram lexer accepts in a transition label: no `:`, `;`, `#` or line breaks. */
export function sanitizeLabel(text: string, maxLength: number = MAX_LABEL_LENGTH): string {
  const clean = text.replace(/[:;#\r\n]+/g, ' ').replace(/\s+/g, ' ').trim();
  return clean.length <= maxLength ? clean : `${clean.slice(0, maxLength - 1).trimEnd()}…`;
}

/** The last step of a JSONPath, which is enough to recognise the field in a picture: `$.ssm.online` -> `online`. */
export function shortPath(path: string): string {
  if (path === '$' || path === '$$') return path;
  const steps = path.replace(/^\$\$?\.?/, '').split('.').filter((step) => step.length > 0);
  return steps.at(-1) ?? path;
}

const COMPARISONS: ReadonlyArray<[string, string]> = [
  ['StringEquals', '=='],
  ['NumericEquals', '=='],
  ['BooleanEquals', '=='],
  ['TimestampEquals', '=='],
  ['StringLessThan', '<'],
  ['NumericLessThan', '<'],
  ['TimestampLessThan', '<'],
  ['StringGreaterThan', '>'],
  ['NumericGreaterThan', '>'],
  ['TimestampGreaterThan', '>'],
  ['StringLessThanEquals', '<='],
  ['NumericLessThanEquals', '<='],
  ['TimestampLessThanEquals', '<='],
  ['StringGreaterThanEquals', '>='],
  ['NumericGreaterThanEquals', '>='],
  ['TimestampGreaterThanEquals', '>='],
  ['StringMatches', 'matches'],
];

const TYPE_TESTS: ReadonlyArray<[string, string]> = [
  ['IsNull', 'null'],
  ['IsString', 'string'],
  ['IsNumeric', 'numeric'],
  ['IsBoolean', 'boolean'],
  ['IsTimestamp', 'timestamp'],
];

const showValue = (value: unknown): string => (typeof value === 'string' ? value : JSON.stringify(value));

/** A Choice rule as a short expression: `state == running`, `online == true`, `not (done == true)`. */
export function describeChoiceRule(rule: JsonObject): string {
  if (typeof rule.Condition === 'string') return rule.Condition.replace(/^\{%\s*|\s*%\}$/g, '');
  if (Array.isArray(rule.And)) return rule.And.filter(isObject).map((r) => describeNested(r)).join(' and ');
  if (Array.isArray(rule.Or)) return rule.Or.filter(isObject).map((r) => describeNested(r)).join(' or ');
  if (isObject(rule.Not)) return `not ${describeNested(rule.Not)}`;
  const variable = typeof rule.Variable === 'string' ? shortPath(rule.Variable) : '?';
  for (const [operator, symbol] of COMPARISONS) {
    if (operator in rule) return `${variable} ${symbol} ${showValue(rule[operator])}`;
    const pathOperator = `${operator}Path`;
    if (typeof rule[pathOperator] === 'string') return `${variable} ${symbol} ${shortPath(rule[pathOperator])}`;
  }
  if (typeof rule.IsPresent === 'boolean') return `${variable} ${rule.IsPresent ? 'present' : 'absent'}`;
  for (const [operator, kind] of TYPE_TESTS) {
    if (typeof rule[operator] === 'boolean') return `${variable} is ${rule[operator] ? '' : 'not '}${kind}`;
  }
  return variable;
}

function describeNested(rule: JsonObject): string {
  const text = describeChoiceRule(rule);
  return 'And' in rule || 'Or' in rule ? `(${text})` : text;
}

/** A catcher's error names, shortened: `States.ALL` reads `any error`; past two names, `+N` counts the rest. */
export function describeErrors(errorEquals: readonly string[]): string {
  const names = errorEquals.map((name) => (name === 'States.ALL' ? 'any error' : name));
  if (names.length <= 2) return names.join(', ');
  return `${names.slice(0, 2).join(', ')} +${names.length - 2}`;
}

/** Mermaid ids: word characters only (the lexer stops at spaces, `-`, `:` and `{`), unique across nesting. */
function assignIds(scope: StatesScope, ids: Map<string, string>, used: Set<string>): void {
  for (const [name, state] of Object.entries(scope.States)) {
    const base = name.replace(/\W/g, '_') || 'state';
    let id = base;
    for (let n = 2; used.has(id); n += 1) id = `${base}_${n}`;
    used.add(id);
    ids.set(name, id);
    for (const child of childScopes(state)) assignIds(child, ids, used);
  }
}

/** The nested state machines of a Parallel (each branch) or Map (its processor) state. */
function childScopes(state: JsonObject): StatesScope[] {
  if (state.Type === 'Parallel' && Array.isArray(state.Branches)) return state.Branches.filter(isScope);
  if (state.Type === 'Map') {
    const processor = state.ItemProcessor ?? state.Iterator;
    return isScope(processor) ? [processor] : [];
  }
  return [];
}

interface RenderContext {
  ids: Map<string, string>;
  lines: string[];
  failStates: string[];
}

function edge(context: RenderContext, indent: string, from: string, to: string, label?: string): void {
  const clean = label === undefined ? '' : sanitizeLabel(label);
  context.lines.push(`${indent}${from} --> ${to}${clean ? `: ${clean}` : ''}`);
}

function renderScope(scope: StatesScope, context: RenderContext, indent: string): void {
  const id = (name: string): string => context.ids.get(name) ?? name.replace(/\W/g, '_');
  // Names that are not valid ids keep their ASL name as the shown label.
  for (const name of Object.keys(scope.States)) {
    const stateId = id(name);
    if (stateId !== name && childScopes(scope.States[name] ?? {}).length === 0) {
      context.lines.push(`${indent}state "${name.replace(/"/g, "'")}" as ${stateId}`);
    }
  }
  edge(context, indent, '[*]', id(scope.StartAt));
  for (const [name, state] of Object.entries(scope.States)) {
    const from = id(name);
    const children = childScopes(state);
    if (children.length > 0) {
      const label = from === name ? name : `"${name.replace(/"/g, "'")}" as ${from}`;
      context.lines.push(`${indent}state ${label} {`);
      children.forEach((child, index) => {
        if (index > 0) context.lines.push(`${indent}${INDENT}--`);
        renderScope(child, context, indent + INDENT);
      });
      context.lines.push(`${indent}}`);
    }
    if (typeof state.Next === 'string') edge(context, indent, from, id(state.Next));
    if (state.Type === 'Choice') {
      const rules = Array.isArray(state.Choices) ? state.Choices.filter(isObject) : [];
      for (const rule of rules) {
        if (typeof rule.Next === 'string') edge(context, indent, from, id(rule.Next), describeChoiceRule(rule));
      }
      if (typeof state.Default === 'string') edge(context, indent, from, id(state.Default), 'otherwise');
    }
    const catchers = Array.isArray(state.Catch) ? state.Catch.filter(isObject) : [];
    for (const catcher of catchers) {
      if (typeof catcher.Next === 'string') edge(context, indent, from, id(catcher.Next), describeErrors(stringArray(catcher.ErrorEquals)));
    }
    if (state.Type === 'Succeed' || state.Type === 'Fail' || state.End === true) edge(context, indent, from, '[*]');
    if (state.Type === 'Fail') context.failStates.push(from);
  }
}

/**
 * The definition as a Mermaid `stateDiagram-v2` (no code fence). Fail states get the `failState` class.
 *
 * @example
 * const text = aslToMermaid(readDefinition());
 */
export function aslToMermaid(definition: AslDefinition): string {
  const root: StatesScope = { StartAt: definition.StartAt, States: definition.States as Record<string, JsonObject> };
  const context: RenderContext = { ids: new Map(), lines: ['stateDiagram-v2'], failStates: [] };
  assignIds(root, context.ids, new Set());
  renderScope(root, context, INDENT);
  if (context.failStates.length > 0) {
    context.lines.push(`${INDENT}classDef ${FAIL_CLASS} fill:#fdecea,stroke:#c62828,color:#8e0000`);
    context.lines.push(`${INDENT}class ${context.failStates.join(',')} ${FAIL_CLASS}`);
  }
  return context.lines.join('\n');
}

/**
 * The diagram as a fenced Markdown block, as docs/architecture.md holds it.
 *
 * @example
 * const block = renderDiagramBlock(readDefinition()); // "```mermaid\nstateDiagram-v2\n..."
 */
export function renderDiagramBlock(definition: AslDefinition): string {
  return `\`\`\`mermaid\n${aslToMermaid(definition)}\n\`\`\``;
}

function markerBounds(readme: string): { contentStart: number; contentEnd: number } | undefined {
  const start = readme.indexOf(DIAGRAM_START_MARKER);
  if (start < 0) return undefined;
  const contentStart = start + DIAGRAM_START_MARKER.length;
  const contentEnd = readme.indexOf(DIAGRAM_END_MARKER, contentStart);
  return contentEnd < 0 ? undefined : { contentStart, contentEnd };
}

/** What a page holds between the markers, without the surrounding line breaks; undefined without markers. */
export function extractDiagram(readme: string): string | undefined {
  const bounds = markerBounds(readme);
  return bounds === undefined ? undefined : readme.slice(bounds.contentStart, bounds.contentEnd).replace(/^\r?\n|\r?\n$/g, '');
}

/**
 * A page's text with `block` between the diagram markers (replacing what was there); everything else is kept.
 * Throws when the markers are missing or out of order.
 *
 * @example
 * writeFileSync('docs/architecture.md', updateDiagram(readFileSync('docs/architecture.md', 'utf8'), renderDiagramBlock(definition)));
 */
export function updateDiagram(readme: string, block: string): string {
  const bounds = markerBounds(readme);
  if (bounds === undefined) {
    throw new Error(`The page has no diagram block: add a line ${DIAGRAM_START_MARKER} followed by a line ${DIAGRAM_END_MARKER}`);
  }
  return `${readme.slice(0, bounds.contentStart)}\n${block}\n${readme.slice(bounds.contentEnd)}`;
}
