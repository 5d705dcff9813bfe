import middy, { type MiddlewareObj } from '@middy/core';
import { namedErrors } from './named-errors.js';

/**
 * A Lambda handler for one workflow step: the plain async function wrapped with the project's middleware.
 * The function is also exposed as `.step` so the local runner and tests call the same code without Lambda.
 */
export function stepHandler<TEvent, TResult>(functionName: string, step: (event: TEvent) => Promise<TResult>) {
  const wrapped = middy<TEvent, TResult>(step);
  wrapped.use(namedErrors({ functionName }) as MiddlewareObj<TEvent, TResult>);
  return Object.assign(wrapped, { step });
}
