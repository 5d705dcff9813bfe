import { GpuDeployError } from '../errors.js';
import { isUsageError } from './args.js';
import { printJson, type Io } from './output.js';

const usageErrorBody = (error: unknown) => ({ error: 'UsageError', message: (error as Error).message, hint: (error as { hint?: string }).hint ?? 'See gpu-deploy --help' });

/**
 * Prints a command's failure the one way every subcommand does (the named error, its message and hint; with
 * `--json` one document on stdout) and returns the exit code: 2 for a usage error, 1 for anything else.
 */
export function printFailure(io: Io, json: boolean, error: unknown): number {
  const body = isUsageError(error)
    ? usageErrorBody(error)
    : error instanceof GpuDeployError
      ? error.toJSON()
      : { error: error instanceof Error && error.name !== 'Error' ? error.name : 'CliError', message: error instanceof Error ? error.message : String(error) };
  if (json) printJson(io, { status: 'FAILED', ...body });
  else io.err(`error: ${body.error}: ${body.message}${'hint' in body && body.hint ? `\nhint: ${body.hint}` : ''}\n`);
  return isUsageError(error) ? 2 : 1;
}
