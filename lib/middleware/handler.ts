import middy, { type MiddlewareObj } from '@middy/core';
import { deploymentLogging } from './logger.js';
import { namedErrors } from './named-errors.js';

/**
 * A Lambda handler for one workflow step: the plain async function wrapped with the project's middleware (the
 * Powertools logger with the deployment's keys, then named errors; onError runs in reverse, so the error is logged
 * before the keys are reset).
 * The function is also exposed as `.step` so the local runner and tests call the same code without Lambda.
 */
export function stepHandler<TEvent, TResult>(functionName: string, step: (event: TEvent) => Promise<TResult>) {
  const wrapped = middy<TEvent, TResult>(step);
  wrapped.use(deploymentLogging() as MiddlewareObj<TEvent, TResult>);
  wrapped.use(namedErrors({ functionName }) as MiddlewareObj<TEvent, TResult>);
  return Object.assign(wrapped, { step });
}
