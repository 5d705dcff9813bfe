import { parseArgs } from 'node:util';
import { bestMatches } from '../catalog/validate.js';
import type { CommandSpec, OptionSpecs } from './commands.js';
import { REQUEST_OPTION_SPECS } from './request-options.js';

/** A command-line mistake: main() prints it with a pointer to --help and exits 2 (as node:util parseArgs errors). */
export function usageError(message: string, hint?: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE', ...(hint ? { hint } : {}) });
}

export const isUsageError = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');

/** "did you mean ...?" for the known names closest to what was typed; empty when none is close. */
export function didYouMean(typed: string, known: readonly string[], prefix = ''): string {
  const matches = bestMatches(typed, known);
  return matches.length > 0 ? `did you mean ${matches.map((m) => `${prefix}${m}`).join(' or ')}?` : '';
}

/** Every option a command takes: its own, and the request options when it takes them. */
export function commandOptions(command: CommandSpec): OptionSpecs {
  return { ...(command.requestOptions ? REQUEST_OPTION_SPECS : {}), ...command.options };
}

/** `--flag -5` as `--flag=-5`: a negative number after a string option is its value, not an unknown option. */
function joinNegativeValues(args: readonly string[], options: OptionSpecs): string[] {
  const joined: string[] = [];
  for (let i = 0; i < args.length; i += 1) {
    const arg = args[i] as string;
    if (arg === '--') return [...joined, ...args.slice(i)];
    const next = args[i + 1];
    if (arg.startsWith('--') && !arg.includes('=') && options[arg.slice(2)]?.type === 'string' && next !== undefined && /^-(\d|\.\d)/.test(next)) {
      joined.push(`${arg}=${next}`);
      i += 1;
    } else joined.push(arg);
  }
  return joined;
}

/** The first option in `args` (before `--`) that the command does not take. */
function unknownOption(args: readonly string[], options: OptionSpecs): string | undefined {
  for (const arg of args) {
    if (arg === '--') return undefined;
    if (!arg.startsWith('-') || arg === '-') continue;
    const name = arg.replace(/^--?/, '').split('=')[0] as string;
    if (!(name in options)) return arg.split('=')[0];
  }
  return undefined;
}

export interface ParsedCommand {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

/**
 * A command's arguments, parsed by its one declaration (lib/cli/commands.ts). Mistakes are usage errors (exit 2)
 * in the user's own words: the option they typed, what it is close to, and where the command's options are listed.
 *
 * @example
 * parseCommandArgs(commandNamed('status')!, ['abc', '--locl']); // UsageError: gpu-deploy status has no option --locl; did you mean --local?
 */
export function parseCommandArgs(command: CommandSpec, args: readonly string[]): ParsedCommand {
  const options = commandOptions(command);
  const help = `gpu-deploy ${command.name} --help lists its options`;
  const joined = joinNegativeValues(args, options);
  const unknown = unknownOption(joined, options);
  if (unknown !== undefined) {
    const suggestion = didYouMean(unknown.replace(/^--?/, ''), Object.keys(options), '--');
    throw usageError(`gpu-deploy ${command.name} has no option ${unknown}${suggestion ? `; ${suggestion}` : ''}`, help);
  }
  const spec = Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: o.type }]));
  try {
    const parsed = parseArgs({ args: joined, options: spec, allowPositionals: true, strict: true });
    const values = parsed.values as ParsedCommand['values'];
    for (const group of new Set(Object.values(options).flatMap((o) => (o.oneOf ? [o.oneOf] : [])))) {
      const given = Object.entries(options).filter(([name, o]) => o.oneOf === group && values[name] !== undefined).map(([name]) => `--${name}`);
      if (given.length > 1) throw usageError(`${given.join(' and ')} exclude each other`, `Pass one of them; ${help}`);
    }
    if (command.args === undefined && parsed.positionals.length > 0) {
      throw usageError(`gpu-deploy ${command.name} takes no arguments (got ${JSON.stringify(parsed.positionals[0])})`, help);
    }
    return { values, positionals: parsed.positionals };
  } catch (error) {
    if (isUsageError(error) && !(error as { hint?: string }).hint) Object.assign(error as object, { hint: help });
    throw error;
  }
}

/** The one positional ID of a day-2 command. */
export function deploymentIdArg(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw Object.assign(new TypeError(`gpu-deploy ${command} takes one deployment id (got ${positionals.length})`), {
      code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL',
      hint: `gpu-deploy list shows the ids; gpu-deploy ${command} --help`,
    });
  }
  return positionals[0] as string;
}

/** A string option's value, or undefined. */
export const stringValue = (values: ParsedCommand['values'], name: string): string | undefined => {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
};
