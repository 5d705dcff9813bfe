// Fails when the static imports of lib/, functions/ and bin/ form a circle (type-only imports count: they tie the
// declarations together just the same). Lazy `import()` calls are left out: they load on demand, after the module
// graph is built. Uses TypeScript's own parser, so every import and re-export form is read as the compiler reads it.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { stronglyConnected } from '../lib/graph.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const roots = (process.argv.slice(2).length > 0 ? process.argv.slice(2) : ['lib', 'functions', 'bin']).map((dir) => resolve(root, dir));

/** Every .ts/.js/.mjs file below a folder. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return /\.(ts|mjs|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** A relative specifier's file: `./x.js` is x.ts in the sources (ESM with TypeScript's .js convention). */
function resolveSpecifier(from: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [base, base.replace(/\.js$/, '.ts'), `${base}.ts`, join(base, 'index.ts')].find((candidate) => known.has(candidate));
}

/**
 * The files a file imports statically: import and export ... from (type-only included), and types written as
 * `import('./x.js').T`. Lazy `import()` calls in code are not static and are left out.
 */
function importsOf(file: string, known: Set<string>): string[] {
  const text = readFileSync(file, 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false);
  const targets = new Set<string>();
  const add = (specifier: string): void => {
    const target = resolveSpecifier(file, specifier, known);
    if (target !== undefined) targets.add(target);
  };
  for (const statement of source.statements) {
    if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier && ts.isStringLiteral(statement.moduleSpecifier)) {
      add(statement.moduleSpecifier.text);
    }
  }
  const visit = (node: ts.Node): void => {
    if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) add(node.argument.literal.text);
    ts.forEachChild(node, visit);
  };
  visit(source);
  return [...targets];
}

const files = roots.flatMap((dir) => { try { return sources(dir); } catch { return []; } });
const known = new Set(files);
const graph = new Map(files.map((file) => [file, importsOf(file, known)]));

// Every strongly connected component of more than one file, or a file importing itself, is a circle.
const circles = stronglyConnected(files, (file) => graph.get(file) ?? []).filter((c) => c.length > 1 || (graph.get(c[0] as string) ?? []).includes(c[0] as string));

/** One path around the circle, from its first file back to it, for the message. */
function pathAround(component: string[]): string[] {
  const members = new Set(component);
  const start = [...component].sort()[0] as string;
  const seen = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    for (const next of graph.get(file) ?? []) {
      if (!members.has(next)) continue;
      if (next === start) {
        const path = [file];
        for (let at = seen.get(file); at !== null && at !== undefined; at = seen.get(at)) path.unshift(at);
        return [...path, start];
      }
      if (!seen.has(next)) { seen.set(next, file); queue.push(next); }
    }
  }
  return component;
}

const name = (file: string): string => relative(root, file);
if (circles.length > 0) {
  process.stderr.write(`check-cycles: ${circles.length} import circle(s); move the shared declaration to a module both can import downward:\n`);
  for (const component of circles) process.stderr.write(`  ${pathAround(component).map(name).join(' -> ')}\n`);
  process.exit(1);
}
process.stdout.write(`✓ no import circles among ${files.length} modules (${roots.map(name).join(', ')})\n`);
