import { Ajv } from 'ajv';
import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from '../../../lib/local/paths.js';
import { parseRequest } from '../../../lib/request.js';
import { REQUEST_SCHEMA_PATH, renderRequestSchema, requestJsonSchema } from '../../../lib/request-schema.js';

const root = repoRoot();
const ajv = new Ajv({ allErrors: true, strict: true });
const validate = ajv.compile(requestJsonSchema());
const accepts = (value: unknown): boolean => validate(value) === true;
const parses = (value: unknown): boolean => {
  try {
    parseRequest(value);
    return true;
  } catch {
    return false;
  }
};

const exampleFiles = readdirSync(join(root, 'examples')).filter((name) => name.endsWith('.json') && name !== 'request.schema.json');

describe('request JSON Schema', () => {
  test(`${REQUEST_SCHEMA_PATH} is what scripts/render-schema.ts writes (run it after changing lib/request.ts)`, () => {
    expect(readFileSync(join(root, REQUEST_SCHEMA_PATH), 'utf8')).toBe(renderRequestSchema());
  });

  test('scripts/render-schema.ts --check passes', () => {
    const run = spawnSync(join(root, 'node_modules', '.bin', 'tsx'), [join(root, 'scripts', 'render-schema.ts'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('up to date');
  });

  test('the four console examples are there', () => {
    expect(exampleFiles.sort()).toEqual(expect.arrayContaining(['arm64-g5g.json', 'default.json', 'on-demand-p3.json', 'spot-pytorch-ubuntu-24.04.json']));
  });

  test.each(exampleFiles)('examples/%s validates with ajv and parseRequest', (file) => {
    // Prepare
    const example = JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as unknown;

    // Act + Assess
    expect(validate(example) ? [] : validate.errors).toEqual([]);
    expect(() => parseRequest(example)).not.toThrow();
  });

  test('what parseRequest returns (defaults applied) validates too', () => {
    const full = parseRequest({ instanceType: 'g5.xlarge', onInterruption: 'relaunch', maxHourlyPrice: 1.5, subnetId: 'subnet-0123abcd' });
    expect(validate(full) ? [] : validate.errors).toEqual([]);
  });

  const bad: Array<[string, unknown]> = [
    ['not an object', 'g5.xlarge'],
    ['an array', [{ instanceType: 'g5.xlarge' }]],
    ['null', null],
    ['an unknown field', { instanceType: 'g5.xlarge', instancetype: 'g5.xlarge' }],
    ['a malformed instance type', { instanceType: 'G5 XLARGE' }],
    ['a shell injection in the instance type', { instanceType: 'g5.xlarge;rm -rf /' }],
    ['a malformed region', { region: 'Europe' }],
    ['an unknown OS', { osType: 'windows' }],
    ['an unknown architecture', { architecture: 'i386' }],
    ['an unknown AMI type', { amiType: 'jax' }],
    ['an unknown market', { market: 'reserved' }],
    ['a price of zero', { maxHourlyPrice: 0 }],
    ['a price as text', { maxHourlyPrice: '0.5' }],
    ['a fractional volume', { rootVolumeGiB: 100.5 }],
    ['a tiny volume', { rootVolumeGiB: 4 }],
    ['a malformed subnet', { subnetId: 'subnet-xyz' }],
    ['ollama not an object', { ollama: true }],
    ['ollama.enabled as text', { ollama: { enabled: 'yes' } }],
    ['an unknown ollama field', { ollama: { gpu: 1 } }],
    ['a bad image', { ollama: { image: 'Ollama Latest' } }],
    ['bad visible devices', { ollama: { visibleDevices: 'first' } }],
    ['a bad model', { ollama: { model: 'llama 3' } }],
    ['zero VRAM', { ollama: { maxVramMiB: 0 } }],
    ['a timeout of zero', { timeouts: { runningSeconds: 0 } }],
    ['a timeout over an hour', { timeouts: { verifySeconds: 3601 } }],
    ['timeouts not an object', { timeouts: 600 }],
    ['tags not an object', { tags: ['a'] }],
    ['an aws: tag', { tags: { 'aws:cloudformation:stack-name': 'x' } }],
    ['an AWS: tag', { tags: { 'AWS:x': 'x' } }],
    ['a gpu-deploy: tag', { tags: { 'gpu-deploy:deployment-id': 'x' } }],
    ['a non-string tag value', { tags: { team: 1 } }],
    ['a tag key with a newline', { tags: { 'te\nam': 'x' } }],
    ['41 tags', { tags: Object.fromEntries(Array.from({ length: 41 }, (_, i) => [`k${i}`, 'v'])) }],
    ['an unknown onInterruption', { onInterruption: 'ignore' }],
    ['schemaVersion 2', { schemaVersion: 2 }],
  ];

  test.each(bad)('%s is rejected by ajv and by parseRequest', (_label, request) => {
    expect({ ajv: accepts(request), parseRequest: parses(request) }).toEqual({ ajv: false, parseRequest: false });
  });

  test('timeouts that add up past the state machine budget: parseRequest refuses them (a schema cannot sum)', () => {
    const request = { timeouts: { runningSeconds: 3600, managedSeconds: 3600, verifySeconds: 3600 } };
    expect(parses(request)).toBe(false);
    expect(requestJsonSchema()).toHaveProperty(['properties', 'timeouts', 'description'], expect.stringContaining('5400'));
  });

  test('property: ajv and parseRequest agree on requests built from valid and invalid field values', () => {
    // Prepare: each field either absent, valid or invalid; timeouts kept within the sum budget.
    const field = <T>(valid: fc.Arbitrary<T>, invalid: fc.Arbitrary<unknown>) => fc.option(fc.oneof(valid, invalid), { nil: undefined });
    const arbitrary = fc.record(
      {
        instanceType: field(fc.constantFrom('g5.xlarge', 'p3.2xlarge', 'g6e.12xlarge'), fc.constantFrom('G5', '', 'g5', 5)),
        region: field(fc.constantFrom('us-east-1', 'eu-west-1', 'us-gov-west-1'), fc.constantFrom('moon-1', 'US-EAST-1', null)),
        osType: field(fc.constantFrom('ubuntu-22.04', 'amazon-linux-2023'), fc.constantFrom('debian', 1)),
        market: field(fc.constantFrom('auto', 'spot', 'on-demand'), fc.constantFrom('cheap', true)),
        maxHourlyPrice: field(fc.double({ min: 0.001, max: 1000, noNaN: true }), fc.constantFrom(-1, 0, 1001, '1')),
        rootVolumeGiB: field(fc.integer({ min: 8, max: 16384 }), fc.constantFrom(7, 16385, 10.5)),
        onInterruption: field(fc.constantFrom('notify', 'relaunch'), fc.constantFrom('restart', 0)),
        tags: field(fc.dictionary(fc.stringMatching(/^[a-z][a-z0-9]{0,8}$/), fc.stringMatching(/^[a-z0-9 ]{0,10}$/), { maxKeys: 5 }), fc.constantFrom({ 'aws:x': 'y' }, { a: 1 })),
        timeouts: field(fc.record({ runningSeconds: fc.integer({ min: 1, max: 1800 }) }), fc.constantFrom({ runningSeconds: 0 }, 'fast')),
      },
      { requiredKeys: [] },
    );

    // Act + Assess
    fc.assert(
      fc.property(arbitrary, (raw) => {
        const request = Object.fromEntries(Object.entries(raw).filter(([, value]) => value !== undefined));
        expect({ request, ajv: accepts(request) }).toEqual({ request, ajv: parses(request) });
      }),
      { numRuns: 300 },
    );
  });
});
