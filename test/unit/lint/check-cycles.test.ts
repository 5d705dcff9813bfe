/**
 * scripts/check-cycles.ts, which `npm run lint` runs: it passes on the project and fails, naming the files, on a
 * planted circle of any kind of static import (value, type-only, re-export, `import('...')` type).
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/local/paths.js';

// As `npm run lint` runs it: through tsx.
const script = join(repoRoot(), 'scripts', 'check-cycles.ts');
const check = (...dirs: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...dirs], { encoding: 'utf8', cwd: repoRoot() });

let scratch: string;
beforeAll(() => {
  scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-cycles-'));
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A folder of modules, each given as its file name and text. */
const plant = (name: string, files: Record<string, string>): string => {
  const dir = join(scratch, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, text] of Object.entries(files)) writeFileSync(join(dir, file), text);
  return dir;
};

describe('no import circles', () => {
  test("the project's lib/, functions/ and bin/ have none", () => {
    const run = check();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
    expect(run.stdout).toMatch(/^✓ no import circles among \d+ modules \(lib, functions, bin\)\n$/);
  });

  test.each([
    ['value imports', { 'a.ts': "import { b } from './b.js';\nexport const a = b;\n", 'b.ts': "import { a } from './a.js';\nexport const b = () => a;\n" }],
    ['a type-only import one way', { 'a.ts': "import type { B } from './b.js';\nexport interface A { b?: B }\n", 'b.ts': "import { a } from './a.js';\nexport type B = typeof a;\nexport const a = 1;\n" }],
    ['a re-export', { 'a.ts': "export { b } from './b.js';\nexport const a = 1;\n", 'b.ts': "import { a } from './a.js';\nexport const b = a;\n" }],
    ["an import('...') type", { 'a.ts': "export type B = import('./b.js').B;\nexport const A = ['x'] as const;\n", 'b.ts': "import { A } from './a.js';\nexport type B = (typeof A)[number];\n" }],
    ['three modules around', { 'a.ts': "import './b.js';\n", 'b.ts': "import './c.js';\n", 'c.ts': "import './a.js';\n" }],
  ])('a planted circle through %s fails and names its files', (name, files) => {
    const dir = plant(name.replace(/\W+/g, '-'), files);
    const run = check(dir);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^check-cycles: 1 import circle\(s\)/);
    for (const file of Object.keys(files)) expect(run.stderr).toContain(file);
  });

  test('a lazy import() in code is not a circle (it loads on demand)', () => {
    const dir = plant('lazy', { 'a.ts': "export const load = () => import('./b.js');\n", 'b.ts': "import { load } from './a.js';\nexport const b = load;\n" });
    expect(check(dir).status).toBe(0);
  });
});
