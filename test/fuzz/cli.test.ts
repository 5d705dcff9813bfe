/**
 * Bad input through the command line in-process (`main(['plan', ...])`): every bad flag or config file ends in a
 * named error in the JSON (RequestInvalidError exit 1, or UsageError exit 2) before any AWS call. AWS_ENDPOINT_URL
 * points at a local tripwire server that counts every request any SDK client makes.
 */
import fc from 'fast-check';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resetClients } from '../../lib/aws/clients.js';
import { main } from '../../lib/cli/main.js';
import { AMI_TYPES, ARCHITECTURES, MARKETS, OS_TYPES } from '../../lib/types.js';
import { badRequest, hostileString, RUNS, visibleMutations } from './arbitraries.js';

let tripwire: Server;
let awsRequests = 0;
let scratch: string;
const saved: Record<string, string | undefined> = {};
const ENV = ['AWS_ENDPOINT_URL', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_REGION', 'AWS_PROFILE'];

beforeAll(async () => {
  tripwire = createServer((req, res) => {
    awsRequests += 1;
    res.writeHead(500).end();
  });
  await new Promise<void>((resolve) => tripwire.listen(0, '127.0.0.1', resolve));
  const address = tripwire.address();
  for (const key of ENV) saved[key] = process.env[key];
  delete process.env.AWS_PROFILE;
  Object.assign(process.env, {
    AWS_ENDPOINT_URL: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 9}`,
    AWS_ACCESS_KEY_ID: 'fuzz',
    AWS_SECRET_ACCESS_KEY: 'fuzz',
    AWS_REGION: 'us-east-1',
  });
  resetClients();
  scratch = mkdtempSync(join(tmpdir(), 'gpu-deploy-fuzz-'));
});

afterAll(async () => {
  for (const key of ENV) {
    if (saved[key] === undefined) delete process.env[key];
    else process.env[key] = saved[key];
  }
  resetClients();
  rmSync(scratch, { recursive: true, force: true });
  await new Promise<void>((resolve) => tripwire.close(() => resolve()));
});

async function plan(args: string[]): Promise<{ code: number; json: Record<string, unknown> | undefined; stdout: string }> {
  let stdout = '';
  const code = await main(['plan', ...args, '--json'], { out: (t) => (stdout += t), err: () => undefined });
  let json: Record<string, unknown> | undefined;
  try {
    json = JSON.parse(stdout) as Record<string, unknown>;
  } catch {
    json = undefined;
  }
  return { code, json, stdout };
}

/** A flag given a value its field never accepts, written as `--flag value` or `--flag=value`. */
const STRING_FLAGS = { 'instance-type': 'instanceType', region: 'region', 'subnet-id': 'subnetId' } as const;
const ENUM_FLAGS = { 'os-type': OS_TYPES, architecture: ARCHITECTURES, 'ami-type': AMI_TYPES, market: MARKETS } as const;
const badFlag = fc.oneof(
  fc.tuple(fc.constantFrom(...Object.keys(STRING_FLAGS)), fc.oneof(hostileString, fc.constantFrom('', 'G5.XLARGE', 'US-EAST-1', 'subnet-XYZ', ' g5.xlarge'))),
  fc.tuple(
    fc.constantFrom(...Object.keys(ENUM_FLAGS)),
    fc.oneof(hostileString, fc.constantFrom('', 'UBUNTU-22.04', 'x86-64', 'ARM64', 'Spot', 'ondemand', 'base ', 'all')),
  ),
  fc.tuple(
    fc.constantFrom('max-hourly-price', 'root-volume-gib'),
    fc.oneof(
      hostileString,
      fc.constantFrom('-1', '0', '-0.5', '1e999', 'NaN', 'Infinity', 'ten', '', '100GiB', '1,5', '99999999'),
      fc.double({ min: 16385, max: 1e12, noNaN: true }).map(String),
    ),
  ),
);

const validFlag = fc.oneof(
  fc.constant(['--instance-type', 'g5.xlarge']),
  fc.constant(['--region', 'us-east-1']),
  fc.constantFrom(...OS_TYPES).map((o) => ['--os-type', o]),
  fc.constantFrom(...MARKETS).map((m) => ['--market', m]),
);

describe('gpu-deploy plan: bad input corpus', () => {
  test('the tripwire sees the AWS calls of a valid plan (so zero calls below means none was made)', async () => {
    const before = awsRequests;
    const { code, json } = await plan(['--instance-type', 'g5.xlarge']);
    expect(code).toBe(1);
    expect(String(json?.error)).toMatch(/^Aws[A-Za-z]+Error$/);
    expect(awsRequests).toBeGreaterThan(before);
  });

  test('bad flag values end in RequestInvalidError (exit 1) or UsageError (exit 2), with no AWS call', async () => {
    const args = fc.tuple(fc.array(badFlag, { minLength: 1, maxLength: 3 }), fc.array(validFlag, { maxLength: 2 }), fc.boolean()).map(([bad, good, equalsForm]) => [
      ...good.flat(),
      ...bad.flatMap(([flag, value]) => (equalsForm ? [`--${flag}=${value}`] : [`--${flag}`, value])),
    ]);
    await fc.assert(
      fc.asyncProperty(args, async (argv) => {
        const before = awsRequests;
        const { code, json, stdout } = await plan(argv);
        expect(json).toBeDefined();
        expect(json?.status).toBe('FAILED');
        const expected = json?.error === 'UsageError' ? 2 : 1;
        expect({ error: json?.error, code }).toEqual({ error: json?.error === 'UsageError' ? 'UsageError' : 'RequestInvalidError', code: expected });
        expect(String(json?.message ?? '').length).toBeGreaterThan(0);
        expect(stdout.trim().split('\n')[0]).toBe('{');
        expect(awsRequests).toBe(before);
      }),
      RUNS,
    );
  });

  test('unknown flags and stray arguments are UsageError, exit 2', async () => {
    const stray = fc.oneof(
      fc.string({ unit: fc.constantFrom(...'abcdefghijklmnopqrstuvwxyz-'), minLength: 1, maxLength: 12 }).map((s) => `--x${s}`),
      fc.constantFrom('--instance-type', '--region', '--config'),
      fc.constantFrom('-z', '--', '--local=yes'),
    );
    await fc.assert(
      fc.asyncProperty(stray, async (arg) => {
        const before = awsRequests;
        const { code, json } = await plan([arg]);
        expect({ code, error: json?.error }).toEqual({ code: 2, error: 'UsageError' });
        expect(awsRequests).toBe(before);
      }),
      { numRuns: 60 },
    );
  });

  test('bad config files end in RequestInvalidError, with no AWS call', async () => {
    let n = 0;
    const file = fc.oneof(
      badRequest.map(({ request, mutations }) => {
        // The file holds JSON: values JSON cannot carry (undefined, NaN) change or vanish on the way.
        const text = JSON.stringify(request);
        return { text, bad: visibleMutations(JSON.parse(text) as Record<string, unknown>, mutations).length > 0 };
      }),
      fc.oneof(hostileString, fc.constantFrom('', '[]', 'null', '42', '"g5.xlarge"', '{', '{"instanceType": }')).map((text) => ({ text, bad: true })),
    );
    await fc.assert(
      fc.asyncProperty(file, async ({ text, bad }) => {
        fc.pre(bad);
        const path = join(scratch, `request-${(n += 1)}.json`);
        writeFileSync(path, text);
        const before = awsRequests;
        const { code, json } = await plan(['--config', path]);
        expect({ code, error: json?.error }).toEqual({ code: 1, error: 'RequestInvalidError' });
        expect(awsRequests).toBe(before);
      }),
      RUNS,
    );
  });
});
