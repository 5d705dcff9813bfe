import { RequestInvalidError } from '../../../lib/errors.js';
import { MAX_TOTAL_TIMEOUT_SECONDS, parseRequest, preview, REQUEST_DEFAULTS } from '../../../lib/request.js';

/** Runs parseRequest and returns the RequestInvalidError it must throw. */
function invalid(raw: unknown): RequestInvalidError {
  try {
    parseRequest(raw);
  } catch (error) {
    if (error instanceof RequestInvalidError) return error;
    throw error;
  }
  throw new Error(`parseRequest accepted ${JSON.stringify(raw)}`);
}

const problemsOf = (raw: unknown): string[] => (invalid(raw).details?.problems ?? []) as string[];

describe('parseRequest: defaults', () => {
  test('an empty object gets every default of the contract', () => {
    // Act
    const request = parseRequest({});
    // Assess
    expect(request).toEqual({
      instanceType: 'g5.xlarge',
      region: 'us-east-1',
      osType: 'ubuntu-22.04',
      architecture: 'x86_64',
      amiType: 'base',
      market: 'auto',
      rootVolumeGiB: 100,
      ollama: { enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all' },
      timeouts: { runningSeconds: 600, managedSeconds: 900, verifySeconds: 900 },
      tags: {},
    });
    expect(request).not.toHaveProperty('maxHourlyPrice');
    expect(request).not.toHaveProperty('subnetId');
  });

  test('returned defaults are copies: editing one request cannot change the next', () => {
    // Prepare
    const first = parseRequest({});
    // Act
    first.ollama.enabled = false;
    first.timeouts.runningSeconds = 1;
    const second = parseRequest({});
    // Assess
    expect(second.ollama.enabled).toBe(true);
    expect(second.timeouts.runningSeconds).toBe(600);
    expect(REQUEST_DEFAULTS.ollama.enabled).toBe(true);
  });

  test('a full valid request is kept as given', () => {
    // Prepare
    const raw = {
      schemaVersion: 1,
      instanceType: 'g5g.2xlarge',
      region: 'eu-west-1',
      osType: 'amazon-linux-2023',
      architecture: 'arm64',
      amiType: 'pytorch',
      market: 'spot',
      maxHourlyPrice: 0.75,
      rootVolumeGiB: 250,
      subnetId: 'subnet-0123abcd',
      ollama: { enabled: false, image: 'ollama/ollama:0.12.3', visibleDevices: '0,1', maxVramMiB: 8192, model: 'llama3.2:1b' },
      timeouts: { runningSeconds: 300, managedSeconds: 600, verifySeconds: 1200 },
      tags: { team: 'ml', 'cost center': 'r&d'.replace('&', '-') },
    };
    // Act
    const request = parseRequest(raw);
    // Assess
    expect(request).toEqual({
      instanceType: 'g5g.2xlarge',
      region: 'eu-west-1',
      osType: 'amazon-linux-2023',
      architecture: 'arm64',
      amiType: 'pytorch',
      market: 'spot',
      maxHourlyPrice: 0.75,
      rootVolumeGiB: 250,
      subnetId: 'subnet-0123abcd',
      ollama: { enabled: false, image: 'ollama/ollama:0.12.3', visibleDevices: '0,1', maxVramMiB: 8192, model: 'llama3.2:1b' },
      timeouts: { runningSeconds: 300, managedSeconds: 600, verifySeconds: 1200 },
      tags: { team: 'ml', 'cost center': 'r-d' },
    });
  });

  test.each([
    ['us-gov-west-1'],
    ['ap-southeast-2'],
    ['il-central-1'],
  ])('accepts region %s', (region) => {
    expect(parseRequest({ region }).region).toBe(region);
  });

  test('partial ollama and timeouts objects fill the missing fields with defaults', () => {
    // Act
    const request = parseRequest({ ollama: { model: 'qwen2.5:0.5b' }, timeouts: { verifySeconds: 60 } });
    // Assess
    expect(request.ollama).toEqual({ enabled: true, image: 'ollama/ollama:latest', visibleDevices: 'all', model: 'qwen2.5:0.5b' });
    expect(request.timeouts).toEqual({ runningSeconds: 600, managedSeconds: 900, verifySeconds: 60 });
  });
});

describe('parseRequest: shape', () => {
  test.each([[null], [[]], ['g5.xlarge'], [42], [undefined]])('a non-object request (%p) is rejected with a hint', (raw) => {
    // Act
    const error = invalid(raw);
    // Assess
    expect(error.name).toBe('RequestInvalidError');
    expect(error.message).toBe('The deployment request must be a JSON object');
    expect(error.hint).toContain('"instanceType": "g5.xlarge"');
  });

  test('unknown fields are each named', () => {
    // Act
    const error = invalid({ instanceType: 'g5.xlarge', instancetype: 'g5.xlarge', spot: true });
    // Assess
    expect(error.details?.problems).toEqual(['"instancetype" is not a known field', '"spot" is not a known field']);
    expect(error.message).toContain('The deployment request is invalid: "instancetype" is not a known field; "spot" is not a known field');
    expect(error.hint).toBe('Fix the fields named above; see examples/ for valid requests');
  });

  test.each([[2], ['1'], [0]])('schemaVersion %p is rejected', (schemaVersion) => {
    expect(problemsOf({ schemaVersion })).toEqual(['schemaVersion must be 1']);
  });

  test('every problem is reported at once', () => {
    // Act
    const problems = problemsOf({ region: 'mars', market: 'cheap', rootVolumeGiB: 2, tags: { 'aws:x': 'y' } });
    // Assess
    expect(problems).toHaveLength(4);
    expect(problems.map((p) => p.split(' ')[0])).toEqual(['region', 'market', 'rootVolumeGiB', 'tag']);
  });
});

describe('parseRequest: each field validation message', () => {
  test.each<[string, Record<string, unknown>, string]>([
    ['instanceType', { instanceType: 'G5.XLARGE' }, 'instanceType must be an EC2 instance type such as g5.xlarge (got "G5.XLARGE")'],
    ['instanceType', { instanceType: 5 }, 'instanceType must be an EC2 instance type such as g5.xlarge (got 5)'],
    ['region', { region: 'us-east' }, 'region must be an AWS region such as us-east-1 (got "us-east")'],
    ['osType', { osType: 'debian-12' }, 'osType must be one of ubuntu-22.04, ubuntu-24.04, amazon-linux-2023, amazon-linux-2 (got "debian-12")'],
    ['architecture', { architecture: 'aarch64' }, 'architecture must be one of x86_64, arm64 (got "aarch64")'],
    ['amiType', { amiType: 'jax' }, 'amiType must be one of base, pytorch, tensorflow, multi-framework (got "jax")'],
    ['market', { market: 'reserved' }, 'market must be one of auto, spot, on-demand (got "reserved")'],
    ['market', { market: ['spot'] }, 'market must be one of auto, spot, on-demand (got ["spot"])'],
    ['maxHourlyPrice', { maxHourlyPrice: 0 }, 'maxHourlyPrice must be a number from 0.001 to 1000 (got 0)'],
    ['maxHourlyPrice', { maxHourlyPrice: 1000.5 }, 'maxHourlyPrice must be a number from 0.001 to 1000 (got 1000.5)'],
    ['maxHourlyPrice', { maxHourlyPrice: '1.5' }, 'maxHourlyPrice must be a number from 0.001 to 1000 (got "1.5")'],
    ['maxHourlyPrice', { maxHourlyPrice: Number.NaN }, 'maxHourlyPrice must be a number from 0.001 to 1000 (got null)'],
    ['rootVolumeGiB', { rootVolumeGiB: 7 }, 'rootVolumeGiB must be an integer from 8 to 16384 (got 7)'],
    ['rootVolumeGiB', { rootVolumeGiB: 16385 }, 'rootVolumeGiB must be an integer from 8 to 16384 (got 16385)'],
    ['rootVolumeGiB', { rootVolumeGiB: 100.5 }, 'rootVolumeGiB must be an integer from 8 to 16384 (got 100.5)'],
    ['rootVolumeGiB', { rootVolumeGiB: Number.POSITIVE_INFINITY }, 'rootVolumeGiB must be an integer from 8 to 16384 (got null)'],
    ['subnetId', { subnetId: 'subnet-xyz' }, 'subnetId must be a subnet id such as subnet-0123abcd (got "subnet-xyz")'],
    ['subnetId', { subnetId: 'subnet-0123abc' }, 'subnetId must be a subnet id such as subnet-0123abcd (got "subnet-0123abc")'],
  ])('%s: %j', (_field, raw, message) => {
    expect(problemsOf(raw)).toEqual([message]);
  });

  test('boundaries are inclusive', () => {
    // Act
    const low = parseRequest({ rootVolumeGiB: 8, maxHourlyPrice: 0.001, timeouts: { runningSeconds: 1, managedSeconds: 1, verifySeconds: 1 } });
    const high = parseRequest({ rootVolumeGiB: 16384, maxHourlyPrice: 1000, timeouts: { runningSeconds: 1, managedSeconds: 1, verifySeconds: 3600 } });
    // Assess
    expect([low.rootVolumeGiB, low.maxHourlyPrice, low.timeouts.runningSeconds]).toEqual([8, 0.001, 1]);
    expect([high.rootVolumeGiB, high.maxHourlyPrice, high.timeouts.verifySeconds]).toEqual([16384, 1000, 3600]);
  });

  test('subnet ids of 8 and 17 hex digits are accepted', () => {
    expect(parseRequest({ subnetId: 'subnet-0123abcd' }).subnetId).toBe('subnet-0123abcd');
    expect(parseRequest({ subnetId: 'subnet-0123456789abcdef0' }).subnetId).toBe('subnet-0123456789abcdef0');
  });
});

describe('parseRequest: ollama', () => {
  test.each([[[]], ['on'], [null], [true]])('ollama %p that is not an object is rejected with an example', (ollama) => {
    expect(problemsOf({ ollama })).toEqual(['ollama must be an object like {"enabled": true, "model": "llama3.2:1b"}']);
  });

  test('unknown ollama fields are named with the known ones', () => {
    expect(problemsOf({ ollama: { gpus: 2 } })).toEqual([
      'ollama.gpus is not a known field (known: enabled, image, visibleDevices, maxVramMiB, model)',
    ]);
  });

  test.each<[Record<string, unknown>, string]>([
    [{ enabled: 'yes' }, 'ollama.enabled must be true or false'],
    [{ image: 'Ollama/Ollama' }, 'ollama.image must be a container image reference such as ollama/ollama:0.12.3 (got "Ollama/Ollama")'],
    [{ image: '-ollama' }, 'ollama.image must be a container image reference such as ollama/ollama:0.12.3 (got "-ollama")'],
    [{ visibleDevices: '0, 1' }, 'ollama.visibleDevices must be "all" or GPU indexes like "0,1" (got "0, 1")'],
    [{ visibleDevices: 'ALL' }, 'ollama.visibleDevices must be "all" or GPU indexes like "0,1" (got "ALL")'],
    [{ maxVramMiB: 0 }, 'ollama.maxVramMiB must be an integer from 1 to 2000000 (got 0)'],
    [{ maxVramMiB: 1.5 }, 'ollama.maxVramMiB must be an integer from 1 to 2000000 (got 1.5)'],
    [{ model: 'llama 3' }, 'ollama.model must be an Ollama model name such as llama3.2:1b (got "llama 3")'],
    [{ model: '' }, 'ollama.model must be an Ollama model name such as llama3.2:1b (got "")'],
  ])('ollama %j', (ollama, message) => {
    expect(problemsOf({ ollama })).toEqual([message]);
  });

  test('a bad ollama.enabled falls back to enabled while it is reported', () => {
    // Act
    const error = invalid({ ollama: { enabled: 'false' } });
    // Assess
    expect(error.details?.problems).toEqual(['ollama.enabled must be true or false']);
  });
});

describe('parseRequest: timeouts', () => {
  test.each([['soon'], [[600]], [null]])('timeouts %p that is not an object is rejected', (timeouts) => {
    expect(problemsOf({ timeouts })).toEqual(['timeouts must be an object with runningSeconds, managedSeconds, verifySeconds']);
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['runningSeconds', { runningSeconds: 0 }, 'timeouts.runningSeconds must be an integer from 1 to 3600 (got 0)'],
    ['managedSeconds', { managedSeconds: 3601 }, 'timeouts.managedSeconds must be an integer from 1 to 3600 (got 3601)'],
    ['verifySeconds', { verifySeconds: 1.5 }, 'timeouts.verifySeconds must be an integer from 1 to 3600 (got 1.5)'],
  ])('%s out of range', (_field, timeouts, message) => {
    expect(problemsOf({ timeouts })).toEqual([message]);
  });

  test('the timeouts together may add up to 5400 s (inside the state machine limit), not more', () => {
    // Act
    const atLimit = parseRequest({ timeouts: { runningSeconds: 1800, managedSeconds: 1800, verifySeconds: 1800 } });
    const problems = problemsOf({ timeouts: { runningSeconds: 1800, managedSeconds: 1800, verifySeconds: 1801 } });
    // Assess
    expect(MAX_TOTAL_TIMEOUT_SECONDS).toBe(5400);
    expect(atLimit.timeouts).toEqual({ runningSeconds: 1800, managedSeconds: 1800, verifySeconds: 1800 });
    expect(problems).toEqual([
      "timeouts add up to 5401s; at most 5400s, so rollback always fits inside the state machine's own 2-hour limit",
    ]);
  });

  test('the total counts the default for a timeout that is left out', () => {
    // Act: 3600 + 3600 + the default verifySeconds (900)
    const problems = problemsOf({ timeouts: { runningSeconds: 3600, managedSeconds: 3600 } });
    // Assess
    expect(problems).toEqual([expect.stringMatching(/^timeouts add up to 8100s; at most 5400s/)]);
  });
});

describe('parseRequest: tags', () => {
  test.each([[['a']], ['team=ml'], [null]])('tags %p that is not an object is rejected', (tags) => {
    expect(problemsOf({ tags })).toEqual(['tags must be an object of string keys and values']);
  });

  test.each([['aws:createdBy'], ['AWS:x'], ['gpu-deploy:deployment-id'], [''], ['a'.repeat(129)], ['bad#key']])(
    'tag key %p is not allowed',
    (key) => {
      // Act
      const problems = problemsOf({ tags: { [key]: 'v' } });
      // Assess
      expect(problems).toHaveLength(1);
      expect(problems[0]).toMatch(/^tag key .* is not allowed \(letters, digits, spaces and _\.:\/=\+@- only; not aws: or gpu-deploy:\)$/);
    },
  );

  test.each<[unknown]>([[1], [true], [null], ['a'.repeat(257)], ['semi;colon']])('tag value %p is rejected', (value) => {
    // Act
    const problems = problemsOf({ tags: { team: value } });
    // Assess
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^tag team must have a string value of letters, digits, spaces and _\.:\/=\+@- \(got .*\)$/);
  });

  test('allowed keys and values, including an empty value and 128/256-character limits', () => {
    // Prepare
    const tags = { ['a'.repeat(128)]: 'b'.repeat(256), empty: '', 'Cost Center:/=+@-._': 'x y' };
    // Act
    const request = parseRequest({ tags });
    // Assess
    expect(request.tags).toEqual(tags);
  });

  test('40 tags are allowed, 41 are not', () => {
    // Prepare
    const tags = (n: number): Record<string, string> => Object.fromEntries(Array.from({ length: n }, (_, i) => [`k${i}`, 'v']));
    // Act + Assess
    expect(Object.keys(parseRequest({ tags: tags(40) }).tags)).toHaveLength(40);
    expect(problemsOf({ tags: tags(41) })).toEqual(['at most 40 tags may be given']);
  });
});

describe('parseRequest: hostile strings', () => {
  const HOSTILE = ['$(reboot)', '`id`', "a'b", 'a"b', 'g5.xlarge\nrm -rf /', 'x;y', '${IFS}', 'a\\b'];
  const STRING_FIELDS: [string, (value: string) => Record<string, unknown>, RegExp][] = [
    ['instanceType', (v) => ({ instanceType: v }), /^instanceType must be/],
    ['region', (v) => ({ region: v }), /^region must be/],
    ['osType', (v) => ({ osType: v }), /^osType must be/],
    ['architecture', (v) => ({ architecture: v }), /^architecture must be/],
    ['amiType', (v) => ({ amiType: v }), /^amiType must be/],
    ['market', (v) => ({ market: v }), /^market must be/],
    ['subnetId', (v) => ({ subnetId: `subnet-0123abcd${v}` }), /^subnetId must be/],
    ['ollama.image', (v) => ({ ollama: { image: `ollama/ollama${v}` } }), /^ollama\.image must be/],
    ['ollama.visibleDevices', (v) => ({ ollama: { visibleDevices: `0${v}` } }), /^ollama\.visibleDevices must be/],
    ['ollama.model', (v) => ({ ollama: { model: `llama3${v}` } }), /^ollama\.model must be/],
    ['tag value', (v) => ({ tags: { team: `ml${v}` } }), /^tag team must have/],
    ['tag key', (v) => ({ tags: { [`team${v}`]: 'ml' } }), /^tag key .* is not allowed/],
  ];
  const cases = STRING_FIELDS.flatMap(([field, build, expected]) => HOSTILE.map((value) => [field, value, build, expected] as const));

  test.each(cases)('%s with %j is rejected naming the field', (_field, value, build, expected) => {
    // Act
    const error = invalid(build(value));
    // Assess
    const problems = error.details?.problems as string[];
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(expected);
    // Control characters never come back raw in the message.
    expect(error.message).not.toContain('\n');
  });
});

describe('preview', () => {
  test('strings are JSON-quoted so control characters are escaped', () => {
    expect(preview('a\nb')).toBe('"a\\nb"');
  });

  test('long values are cut to 60 characters', () => {
    // Act
    const shown = preview('x'.repeat(500));
    // Assess
    expect(shown).toHaveLength(60);
    expect(shown.endsWith('...')).toBe(true);
  });

  test('non-strings are shown as JSON, and undefined as text', () => {
    expect(preview({ a: 1 })).toBe('{"a":1}');
    expect(preview(undefined)).toBe('undefined');
    expect(preview(Number.NaN)).toBe('null');
  });

  test('a long value in a request is previewed, not echoed whole', () => {
    // Act
    const error = invalid({ region: 'x'.repeat(10_000) });
    // Assess
    expect(error.message.length).toBeLessThan(200);
  });
});
