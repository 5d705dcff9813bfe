import { spawnSync } from 'node:child_process';
import { readonlyAssignment, shellQuote } from '../../../lib/userdata/quote.js';
import { bashEcho, BASH } from './sandbox.js';

const HOSTILE = [
  "it's",
  "'",
  "''''",
  '$(touch /tmp/pwned)',
  '`touch /tmp/pwned`',
  'a\nb\n',
  '"; rm -rf / #',
  '\\',
  '$HOME ${PATH} $((1+1))',
  "x'; touch /tmp/pwned; echo '",
  '',
  ' leading and trailing ',
  '*?[a-z]{1,2}~',
  'ünïcødé ✓',
];

describe('shellQuote', () => {
  test.each(HOSTILE)('round-trips %j literally through bash', (value) => {
    // Act
    const echoed = bashEcho(shellQuote(value));
    // Assess
    expect(echoed).toBe(value);
  });

  test('wraps in single quotes and escapes embedded quotes', () => {
    expect(shellQuote("it's $(id)")).toBe(`'it'\\''s $(id)'`);
    expect(shellQuote('')).toBe("''");
  });

  test('refuses a NUL byte, which no bash variable can hold', () => {
    expect(() => shellQuote('a\0b')).toThrow(/NUL/);
  });
});

describe('readonlyAssignment', () => {
  test('a readonly line keeps hostile values literal and cannot be reassigned', () => {
    // Prepare
    const value = "x'$(touch /tmp/pwned)`id`\n\"";
    const script = `${readonlyAssignment('VALUE', value)}\nprintf '%s' "$VALUE"\nVALUE=changed 2>/dev/null || exit 3`;
    // Act
    const result = spawnSync(BASH, ['-c', script], { encoding: 'utf8' });
    // Assess
    expect(result.stdout).toBe(value);
    expect(result.status).not.toBe(0);
  });

  test('rejects names that are not upper-case shell identifiers', () => {
    expect(() => readonlyAssignment('bad-name', 'x')).toThrow(/upper-case shell name/);
    expect(() => readonlyAssignment('X; rm', 'x')).toThrow();
  });
});
