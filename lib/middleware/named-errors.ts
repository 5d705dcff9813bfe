import type { MiddlewareObj } from '@middy/core';
import { toProjectError } from '../aws/classify.js';
import { GpuDeployError } from '../errors.js';
import { logger } from './logger.js';

const isSdkError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && '$metadata' in error;

/**
 * Middy middleware: an AWS SDK error that escaped a lib/ adapter becomes a project error, so the state machine's
 * `Retry`/`Catch` see a stable name (`AwsThrottlingError`, …) instead of an SDK class name. Logs the error (one JSON line, through the Powertools logger).
 *
 * @example
 * export const handler = middy(fn).use(namedErrors({ functionName: 'launch' }));
 */
/** What namedErrors logs about one failed invocation. */
export interface ErrorLogEntry {
  level: 'error';
  function: string;
  error?: string;
  message?: string;
  hint?: string;
}

const toLogger = ({ level: _level, message, ...fields }: ErrorLogEntry): void => logger.error(message ?? 'invocation failed', fields);

export function namedErrors(options: { functionName: string; log?: (entry: ErrorLogEntry) => void }): MiddlewareObj<unknown, unknown> {
  if (!options.functionName) throw new TypeError('namedErrors needs a functionName');
  // The logger is silent outside Lambda: the local runner shows errors in its own progress lines.
  const log = options.log ?? toLogger;
  return {
    onError: function convertError(request) {
      const original = request.error;
      const error = isSdkError(original) ? toProjectError(original, options.functionName) : original;
      // Step Functions keeps only errorType and errorMessage: carry the hint in the message, once.
      if (error instanceof GpuDeployError && error.hint && !error.message.includes(error.hint)) {
        error.message = `${error.message}. ${error.hint}`;
      }
      if (error) request.error = error;
      log({
        level: 'error',
        function: options.functionName,
        ...(error?.name ? { error: error.name } : {}),
        ...(error?.message ? { message: error.message } : {}),
        ...(error instanceof GpuDeployError && error.hint ? { hint: error.hint } : {}),
      });
    },
  };
}
