import middy from '@middy/core';
import { namedErrors } from './named-errors.js';

/**
 * A Lambda handler for one workflow step: the plain async function wrapped with the project's middleware.
 * The function is also exposed as `.step` so the local runner and tests call the same code without Lambda.
 */
export function stepHandler<TEvent, TResult>(functionName: string, step: (event: TEvent) => Promise<TResult>) {
  const wrapped = middy<TEvent, TResult>(step).use(namedErrors({ functionName }) as never);
  return Object.assign(wrapped, { step });
}
