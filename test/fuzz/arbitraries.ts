/**
 * fast-check arbitraries for the bad-input corpus: requests with at least one field that no channel may accept,
 * requests of arbitrary shape, and accepted requests whose user strings carry a marker (to find them in UserData).
 */
import fc from 'fast-check';
import { AMI_TYPES, ARCHITECTURES, MARKETS, OS_TYPES } from '../../lib/types.js';

/** fast-check settings of every property: bounded, and the seed printed on failure (fast-check does by default). */
export const RUNS = { numRuns: 200 } as const;

/**
 * Characters outside every request pattern: the union of what any string field accepts is
 * `[A-Za-z0-9 _.:/=+@,-]`. Shell metacharacters, quotes, control characters, newlines and non-ASCII letters.
 */
export const FORBIDDEN = [
  '$(id)',
  '`id`',
  '${IFS}',
  '$HOME',
  ';',
  '|',
  '&',
  '&&',
  '\n',
  '\r\n',
  '\t',
  "'",
  '"',
  '\\',
  '>',
  '<',
  '*',
  '?',
  '!',
  '#',
  '%',
  '(',
  ')',
  '{',
  '}',
  '[',
  ']',
  '~',
  '^',
  '\u0000',
  '\u001b[31m',
  'é',
  'Ω',
  '中文',
  '🚀',
  '\u202e',
  '\u00a0',
  '\ufeff',
] as const;

const asciiChunk = fc.string({ maxLength: 12, unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789.-_:/ ') });

/** A string that contains at least one forbidden character, anywhere, possibly several. */
export const hostileString: fc.Arbitrary<string> = fc.oneof(
  fc.tuple(asciiChunk, fc.constantFrom(...FORBIDDEN), asciiChunk).map(([a, bad, b]) => `${a}${bad}${b}`),
  fc.tuple(fc.constantFrom(...FORBIDDEN), fc.constantFrom(...FORBIDDEN), asciiChunk).map(([x, y, b]) => `${b}${x}${y}`),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 20 }).map((s) => `${s}${'中'}`),
  fc.constantFrom('g5.xlarge; rm -rf /', 'g5.xlarge\ncurl x|sh', "ollama/ollama'; id; '", '$(curl -s x|sh)', '`reboot`', 'a\u0000b'),
);

/** An oversize string of allowed characters (beyond the field's length limit). */
const oversize = (min: number): fc.Arbitrary<string> => fc.integer({ min, max: min + 4000 }).map((n) => 'a'.repeat(n));

const nonString = fc.oneof(
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.string({ maxLength: 4 }), { maxLength: 3 }),
  // Events reach a Lambda as parsed JSON: no null-prototype objects (String() of one throws; see the report).
  fc.dictionary(fc.string({ maxLength: 4 }), fc.string({ maxLength: 4 }), { maxKeys: 2, noNullPrototype: true }),
);

const badEnum = (choices: readonly string[]): fc.Arbitrary<unknown> =>
  fc.oneof(
    hostileString,
    nonString,
    fc.constantFrom(...choices).map((c) => c.toUpperCase()),
    fc.constantFrom(...choices).map((c) => ` ${c}`),
    fc.constantFrom(...choices).map((c) => `${c}\n`),
    fc.constant(''),
    fc.string({ maxLength: 15 }).filter((s) => !choices.includes(s)),
  );

/** Numbers no numeric field accepts: out of range, not finite, not an integer where one is needed, or not numbers. */
const badNumber = (min: number, max: number, integer: boolean): fc.Arbitrary<unknown> =>
  fc.oneof(
    fc.double({ max: min, maxExcluded: true, noNaN: true }),
    fc.double({ min: max, minExcluded: true, noNaN: true }),
    fc.constantFrom(Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, -1, 0, -0.0001, 1e308, -1e308),
    ...(integer ? [fc.double({ min: min + 0.01, max: max - 0.01, noNaN: true }).filter((v) => !Number.isInteger(v))] : []),
    fc.constantFrom(String(min + 1), 'ten', '', '1e3'),
    hostileString,
    fc.constant(null),
    fc.boolean(),
  );

/** One change that makes a request invalid: the field path, the bad value, and what the error must mention. */
export interface Mutation {
  path: string[];
  value: unknown;
  mentions: string;
}

const at = (path: string[], mentions: string) => (value: unknown): Mutation => ({ path, value, mentions });

/** Every field of the request, with values that no channel may accept. */
export const badMutation: fc.Arbitrary<Mutation> = fc.oneof(
  // null is left out: parseRequest reads `instanceType ?? default`, so null means "the default" (see the report).
  fc
    .oneof(hostileString, nonString.filter((v) => v !== null), fc.constantFrom('', 'G5.XLARGE', 'g5', '.xlarge', 'g5..xlarge', 'g5.xlarge ', '-g5.xlarge'))
    .map(at(['instanceType'], 'instanceType')),
  fc.oneof(hostileString, nonString, fc.constantFrom('', 'US-EAST-1', 'us-east', 'us-east-1 ', 'us_east_1', 'us-east-12', 'useast1')).map(at(['region'], 'region')),
  badEnum(OS_TYPES).map(at(['osType'], 'osType')),
  badEnum(ARCHITECTURES).map(at(['architecture'], 'architecture')),
  badEnum(AMI_TYPES).map(at(['amiType'], 'amiType')),
  badEnum(MARKETS).map(at(['market'], 'market')),
  badNumber(0.001, 1000, false).map(at(['maxHourlyPrice'], 'maxHourlyPrice')),
  badNumber(8, 16384, true).map(at(['rootVolumeGiB'], 'rootVolumeGiB')),
  fc.oneof(hostileString, nonString, fc.constantFrom('', 'subnet-XYZ', 'subnet-123', 'sg-0123abcd', 'subnet-0123abcd ', 'SUBNET-0123ABCD')).map(at(['subnetId'], 'subnetId')),
  fc.oneof(fc.string({ maxLength: 10 }), fc.integer(), fc.array(fc.integer(), { maxLength: 2 }), fc.constant(null)).map(at(['ollama'], 'ollama')),
  fc.oneof(hostileString, fc.integer(), fc.constant(null), fc.constantFrom('true', 'yes', 1)).map(at(['ollama', 'enabled'], 'ollama.enabled')),
  fc.oneof(hostileString, nonString, oversize(202), fc.constantFrom('', '-v /:/host', '--privileged', 'Ollama/Ollama', ' ollama/ollama', 'ollama/ollama latest')).map(at(['ollama', 'image'], 'ollama.image')),
  fc.oneof(hostileString, nonString, fc.constantFrom('', 'none', 'ALL', '0,,1', '-1', '0,', ',0', '0 1', '0;1', 'all,0')).map(at(['ollama', 'visibleDevices'], 'ollama.visibleDevices')),
  fc.oneof(hostileString, nonString, oversize(101), fc.constant('')).map(at(['ollama', 'model'], 'ollama.model')),
  badNumber(1, 2_000_000, true).map(at(['ollama', 'maxVramMiB'], 'ollama.maxVramMiB')),
  fc.tuple(fc.constantFrom('runningSeconds', 'managedSeconds', 'verifySeconds'), badNumber(1, 3600, true)).map(([key, value]) => at(['timeouts', key], `timeouts.${key}`)(value)),
  fc.constant({ runningSeconds: 3600, managedSeconds: 3600, verifySeconds: 3600 }).map(at(['timeouts'], 'timeouts')),
  fc.oneof(fc.string({ maxLength: 5 }), fc.integer(), fc.array(fc.string({ maxLength: 3 }), { maxLength: 2 }), fc.constant(null)).map(at(['tags'], 'tags')),
  fc
    .tuple(fc.oneof(hostileString, oversize(129), fc.constantFrom('', 'aws:cost', 'AWS:x', 'gpu-deploy:deployment-id', 'gpu-deploy:managed-by')), fc.constant('v'))
    .map(([key, value]) => ({ path: ['tags', key], value, mentions: 'tag' })),
  fc.tuple(fc.constantFrom('team', 'Name', 'owner'), fc.oneof(hostileString, oversize(257), fc.integer(), fc.constant(null), fc.boolean())).map(([key, value]) => at(['tags', key], 'tag')(value)),
  fc.integer({ min: 41, max: 60 }).map((n) => at(['tags'], 'at most')(Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v'])))),
  fc
    .string({ minLength: 1, maxLength: 20 })
    .filter((k) => !['instanceType', 'region', 'osType', 'architecture', 'amiType', 'market', 'maxHourlyPrice', 'rootVolumeGiB', 'subnetId', 'ollama', 'timeouts', 'tags', 'schemaVersion', 'onInterruption'].includes(k))
    .chain((key) => fc.anything({ maxDepth: 1 }).map((value) => ({ path: [key], value, mentions: 'not a known field' }))),
  fc.oneof(fc.constantFrom(0, 2, '1', 1.5, null, true), hostileString).map(at(['schemaVersion'], 'schemaVersion')),
);

/** A request every validator accepts (GPU g5.xlarge, which the mocked EC2 knows). */
export const validRequest: fc.Arbitrary<Record<string, unknown>> = fc.record(
  {
    instanceType: fc.constant('g5.xlarge'),
    region: fc.constantFrom('us-east-1', 'eu-west-1', 'ap-south-1'),
    osType: fc.constantFrom(...OS_TYPES),
    architecture: fc.constant('x86_64'),
    amiType: fc.constantFrom(...AMI_TYPES),
    market: fc.constantFrom(...MARKETS),
    maxHourlyPrice: fc.double({ min: 0.001, max: 1000, noNaN: true }),
    rootVolumeGiB: fc.integer({ min: 8, max: 16384 }),
    subnetId: fc.constantFrom('subnet-0123abcd', 'subnet-0123456789abcdef0'),
    ollama: fc.record({ enabled: fc.boolean(), model: fc.constantFrom('llama3.2:1b', 'qwen2.5:0.5b') }, { requiredKeys: [] }),
    tags: fc.dictionary(fc.constantFrom('team', 'owner', 'cost-center'), fc.constantFrom('ml', 'a b', 'x@y.z'), { maxKeys: 3 }),
  },
  { requiredKeys: [] },
);

/** Applies the mutations to a deep copy of the request (own properties only, so `__proto__` stays a plain key). */
export function applyMutations(request: Record<string, unknown>, mutations: readonly Mutation[]): Record<string, unknown> {
  const copy = structuredClone(request);
  for (const { path, value } of mutations) {
    let node: Record<string, unknown> = copy;
    for (const key of path.slice(0, -1)) {
      const next = node[key];
      if (typeof next !== 'object' || next === null || Array.isArray(next)) Object.defineProperty(node, key, { value: {}, enumerable: true, writable: true, configurable: true });
      node = node[key] as Record<string, unknown>;
    }
    Object.defineProperty(node, path.at(-1) as string, { value, enumerable: true, writable: true, configurable: true });
  }
  return copy;
}

/** A request with one to three fields set to values no channel accepts. */
export const badRequest = fc.tuple(validRequest, fc.array(badMutation, { minLength: 1, maxLength: 3 })).map(([base, mutations]) => ({
  request: applyMutations(base, mutations),
  mutations,
}));

/**
 * Later mutations can overwrite earlier ones at the same or a parent path (an `ollama` set to a string, then
 * `ollama.model` set on a fresh object): only mutations still visible in the request must be mentioned.
 */
export function visibleMutations(request: Record<string, unknown>, mutations: readonly Mutation[]): Mutation[] {
  return mutations.filter((m) => {
    let node: unknown = request;
    for (const key of m.path) {
      if (typeof node !== 'object' || node === null || !Object.prototype.hasOwnProperty.call(node, key)) return false;
      node = (node as Record<string, unknown>)[key];
    }
    return Object.is(node, m.value) || JSON.stringify(node) === JSON.stringify(m.value);
  });
}

/** Marked values that both the request schema and UserData accept: the marker finds them in the script. */
export const IMAGE_MARKER = 'zqx';
export const MODEL_MARKER = 'ZqX';
const imageChars = fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz0123456789._/:@-');
const modelChars = fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._:/-');
export const acceptedOllama = fc.record({
  enabled: fc.boolean(),
  image: fc.string({ unit: imageChars, maxLength: 150 }).map((s) => `${IMAGE_MARKER}${s}`),
  model: fc.string({ unit: modelChars, maxLength: 90 }).map((s) => `${MODEL_MARKER}${s}`),
  visibleDevices: fc.oneof(fc.constant('all'), fc.array(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 8 }).map((a) => a.join(','))),
  maxVramMiB: fc.integer({ min: 1, max: 2_000_000 }),
});
