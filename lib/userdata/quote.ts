/** Shell quoting: the last line of defence, applied even to values that passed validation. */

const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Quotes a value for bash as one literal word. Inside single quotes bash interprets nothing, so `$(...)`,
 * backticks, `"` and newlines stay literal; an embedded `'` closes the quote, adds `\'`, and reopens it.
 *
 * @throws Error when the value contains a NUL byte, which no bash variable can hold.
 * @example
 * shellQuote("it's $(id)"); // 'it'\''s $(id)'
 */
export const shellQuote = (value: string): string => {
  if (value.includes('\0')) throw new Error('shellQuote: a NUL byte cannot be represented in a bash word');
  return `'${value.replaceAll("'", `'\\''`)}'`;
};

/**
 * One `readonly NAME='value'` line; `readonly` stops later code from reassigning a user value by accident.
 *
 * @example
 * readonlyAssignment('OLLAMA_MODEL', 'llama3.2:1b'); // readonly OLLAMA_MODEL='llama3.2:1b'
 */
export const readonlyAssignment = (name: string, value: string): string => {
  if (!VARIABLE_NAME.test(name)) throw new Error(`readonlyAssignment: "${name}" is not an upper-case shell name`);
  return `readonly ${name}=${shellQuote(value)}`;
};
