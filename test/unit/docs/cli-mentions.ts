/**
 * What a piece of documentation code says about the command line, checked against the CLI's own declaration
 * (COMMANDS in lib/cli/commands.ts, REQUEST_OPTION_SPECS in lib/cli/request-options.ts: what `--help` renders and
 * the parser accepts).
 *
 * - `gpu-deploy WORD` (also `npx gpu-deploy`, `./node_modules/.bin/gpu-deploy`): WORD must be a command.
 * - A flag after a command (or after `npm start --`, which is `run`) must be one of that command's options, of the
 *   request options when it takes them, or `--help`.
 * - A piece that starts with a command's name (`teardown ID --aws`) is that command; one that starts with a flag
 *   (`--max-lifetime MINUTES`) must name a flag some command has.
 * - Anything else (aws, awscurl, npx serverless, nvidia-smi, ...) is another tool: its flags are its own. So is what
 *   follows `--` after a command (`exec ID -- nvidia-smi -L`) and what follows a shell separator.
 */
import { COMMANDS, commandNamed, type CommandSpec } from '../../../lib/cli/commands.js';
import { REQUEST_OPTION_SPECS } from '../../../lib/cli/request-options.js';
import type { CodeUnit } from './markdown.js';

/** Flags every command answers (lib/cli/main.ts): `--help`, `-h`, and `--version` on its own. */
const UNIVERSAL = new Set(['help']);

/** Every flag of a command, as the parser accepts it. */
export function flagsOf(command: CommandSpec): Set<string> {
  return new Set([...Object.keys(command.options), ...(command.requestOptions ? Object.keys(REQUEST_OPTION_SPECS) : []), ...UNIVERSAL]);
}

/** Every flag of any command, and the top level's `--version`. */
export const ANY_FLAG: ReadonlySet<string> = new Set([...COMMANDS.flatMap((command) => [...flagsOf(command)]), 'version']);

const SEPARATORS = new Set(['&&', '||', ';', '>', '2>', '>>', '2>&1', '&']);

/** A token without the brackets, quotes and punctuation that surround it in prose and usage lines. */
const bare = (token: string): string => token.replace(/^[[({"'`]+/, '').replace(/[\])}"'`,.;]+$/, '');

const isGpuDeploy = (token: string): boolean => {
  const word = bare(token);
  return word === 'gpu-deploy' || word.endsWith('/gpu-deploy');
};

/** `--name` of a flag token (`--name=value`, `[--name`, `--name]`, `--name:`), or undefined. */
const flagName = (token: string): string | undefined => /^--([a-z][a-z0-9-]*)/.exec(bare(token).replace(/:$/, ''))?.[1];

/** Flags a page shows on purpose as what a typo gets ("did you mean"), by page. */
export const DELIBERATE_TYPOS: Readonly<Record<string, readonly string[]>> = { 'docs/cli.md': ['locl'] };

type Mode = { kind: 'tool' } | { kind: 'any' } | { kind: 'command'; command: CommandSpec } | { kind: 'npm-start' };

/** The problems of one piece of code, each naming what is wrong (empty when it agrees with the declaration). */
export function cliProblems(unit: CodeUnit, typos: readonly string[] = []): string[] {
  const problems: string[] = [];
  const tokens = unit.text.trim().split(/\s+/).filter(Boolean);
  if (tokens[0] === '$') tokens.shift();
  const first = tokens[0] ?? '';
  const named = commandNamed(first);
  let mode: Mode = first.startsWith('--') ? { kind: 'any' } : named ? { kind: 'command', command: named } : { kind: 'tool' };
  for (let i = 0; i < tokens.length; i += 1) {
    const token = tokens[i] as string;
    if (isGpuDeploy(token)) {
      const word = bare(tokens[i + 1] ?? '');
      const command = commandNamed(word);
      if (command) {
        mode = { kind: 'command', command };
        i += 1;
      } else if (/^[a-z][a-z-]*$/.test(word)) {
        problems.push(`"gpu-deploy ${word}": gpu-deploy has no command ${word}`);
        mode = { kind: 'tool' };
      } else mode = { kind: 'any' };
      continue;
    }
    if (token === 'npm' && tokens[i + 1] === 'start') {
      mode = { kind: 'npm-start' };
      i += 1;
      continue;
    }
    if (token === '--') {
      mode = mode.kind === 'npm-start' ? { kind: 'command', command: commandNamed('run') as CommandSpec } : { kind: 'tool' };
      continue;
    }
    const pipe = token === '|' && unit.kind === 'block' && !(tokens[i + 1] ?? '').startsWith('-');
    if (SEPARATORS.has(token) || pipe || token.startsWith('#')) {
      mode = { kind: 'tool' };
      continue;
    }
    const flag = flagName(token);
    if (flag !== undefined && !typos.includes(flag)) {
      if (mode.kind === 'command' && !flagsOf(mode.command).has(flag)) problems.push(`"--${flag}": gpu-deploy ${mode.command.name} has no option --${flag}`);
      if (mode.kind === 'any' && !ANY_FLAG.has(flag)) problems.push(`"--${flag}": no gpu-deploy command has an option --${flag}`);
    }
    if (token.endsWith(';')) mode = { kind: 'tool' };
  }
  return problems;
}
