import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = (): string => dirname(fileURLToPath(import.meta.url));

/**
 * The nearest folder at or above `start` that holds a package.json, or undefined (as in a Lambda bundle).
 *
 * @example
 * findRepoRoot(process.cwd()) // '/work/main'
 */
export function findRepoRoot(start: string = here()): string | undefined {
  for (let dir = start; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) return undefined;
  }
}

/** The repository root: like findRepoRoot, but a missing one is an error. */
export function repoRoot(from: string = here()): string {
  const root = findRepoRoot(from);
  if (root === undefined) throw new Error(`No package.json above ${from}`);
  return root;
}
