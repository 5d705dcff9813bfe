import type { MiddlewareObj } from '@middy/core';
import { toProjectError } from '../aws/classify.js';
import { GpuDeployError } from '../errors.js';

const isSdkError = (error: unknown): boolean =>
  typeof error === 'object' && error !== null && '$metadata' in error;

/**
 * Middy middleware: an AWS SDK error that escaped a lib/ adapter becomes a project error, so the state machine's
 * `Retry`/`Catch` see a stable name (`AwsThrottlingError`, …) instead of an SDK class name. Logs one JSON line.
 *
 * @example
 * export const handler = middy(fn).use(namedErrors({ functionName: 'launch' }));
 */
export function namedErrors(options: { functionName: string; log?: (line: string) => void }): MiddlewareObj<unknown, unknown> {
  if (!options.functionName) throw new TypeError('namedErrors needs a functionName');
  // Structured logs belong in CloudWatch; the local runner shows errors in its own progress lines.
  const log = options.log ?? ((line: string) => (process.env.AWS_LAMBDA_FUNCTION_NAME ? console.error(line) : undefined));
  return {
    onError: function convertError(request) {
      const original = request.error;
      const error = isSdkError(original) ? toProjectError(original, options.functionName) : original;
      // Step Functions keeps only errorType and errorMessage: carry the hint in the message, once.
      if (error instanceof GpuDeployError && error.hint && !error.message.includes(error.hint)) {
        error.message = `${error.message}. ${error.hint}`;
      }
      if (error) request.error = error;
      log(
        JSON.stringify({
          level: 'error',
          function: options.functionName,
          error: error?.name,
          message: error?.message,
          ...(error instanceof GpuDeployError && error.hint ? { hint: error.hint } : {}),
        }),
      );
    },
  };
}
