import type { StackOptions } from './start.js';

/** A command-line mistake: main() prints it with a pointer to --help and exits 2 (as node:util parseArgs errors). */
export function usageError(message: string): TypeError {
  return Object.assign(new TypeError(message), { code: 'ERR_PARSE_ARGS_INVALID_OPTION_VALUE' });
}

export const isUsageError = (error: unknown): boolean => String((error as { code?: unknown } | null)?.code ?? '').startsWith('ERR_PARSE_ARGS');

/** Options of the commands that talk to the deployed stack. */
export const STACK_OPTION_SPEC = {
  stage: { type: 'string' },
  'stack-region': { type: 'string' },
  json: { type: 'boolean' },
  'poll-seconds': { type: 'string' },
  'timeout-seconds': { type: 'string' },
} as const;

/** --stage, --poll-seconds and --timeout-seconds as StackOptions (seconds become milliseconds). */
export function stackOptions(values: { stage?: string; 'poll-seconds'?: string; 'timeout-seconds'?: string }, stackRegion: string): StackOptions {
  const seconds = (flag: 'poll-seconds' | 'timeout-seconds'): number | undefined => {
    const value = values[flag];
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n <= 0) throw usageError(`--${flag} must be a positive number of seconds`);
    return n * 1000;
  };
  const pollMs = seconds('poll-seconds');
  const timeoutMs = seconds('timeout-seconds');
  return { stage: values.stage ?? 'dev', stackRegion, ...(pollMs === undefined ? {} : { pollMs }), ...(timeoutMs === undefined ? {} : { timeoutMs }) };
}

/** The one positional ID of status and teardown. */
export function deploymentIdArg(positionals: string[], command: string): string {
  if (positionals.length !== 1) {
    throw Object.assign(new TypeError(`gpu-deploy ${command} takes one deployment id (got ${positionals.length})`), { code: 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL' });
  }
  return positionals[0] as string;
}
