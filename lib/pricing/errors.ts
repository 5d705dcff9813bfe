/** Errors of the pricing domain; the class lives with the rest of the vocabulary in lib/errors.ts. */
export { PriceNotFoundError } from '../errors.js';
