import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { UserDataInvalidError } from '../../../lib/errors.js';
import {
  assertUserDataSize,
  compressUserData,
  containerCudaDevices,
  decodeUserData,
  renderUserData,
  STATUS_FILE_PATH,
  toBase64UserData,
  USERDATA_MAX_BYTES,
  userDataStages,
  validateUserDataOptions,
} from '../../../lib/userdata/index.js';
import type { UserDataOptions } from '../../../lib/userdata/index.js';
import { baseOptions } from './fixtures.js';

const HOSTILE = ["a'b", '$(touch /tmp/pwned)', '`touch /tmp/pwned`', 'a\nb', 'x y', 'a;b', 'a"b'];

/** The UserDataInvalidError thrown by `fn`, or a failed expectation. */
const invalidError = (fn: () => unknown): UserDataInvalidError => {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UserDataInvalidError);
    return error as UserDataInvalidError;
  }
  throw new Error('expected UserDataInvalidError');
};

const withOllama = (patch: Record<string, unknown>): UserDataOptions =>
  ({ ...baseOptions(), ollama: { ...baseOptions().ollama, ...patch } }) as UserDataOptions;

describe('validateUserDataOptions', () => {
  test('accepts the defaults and edge values', () => {
    expect(() => validateUserDataOptions(baseOptions())).not.toThrow();
    expect(() =>
      validateUserDataOptions(
        withOllama({
          image: 'public.ecr.aws/x/ollama:0.5.7@sha256:abc',
          visibleDevices: '0,1,7',
          maxVramMiB: 2_000_000,
          model: 'hf.co/org/model:Q4_K_M',
        }),
      ),
    ).not.toThrow();
    expect(() => validateUserDataOptions(baseOptions({ deploymentId: 'a'.repeat(80) }))).not.toThrow();
  });

  const cases: Array<[string, (value: string) => UserDataOptions]> = [
    ['deploymentId', (v) => baseOptions({ deploymentId: v })],
    ['ollama.model', (v) => withOllama({ model: v })],
    ['ollama.image', (v) => withOllama({ image: v })],
    ['ollama.visibleDevices', (v) => withOllama({ visibleDevices: v })],
    ['workspace.fileSystemId', (v) => baseOptions({ workspace: { fileSystemId: v, region: 'us-east-1' } })],
    ['workspace.region', (v) => baseOptions({ workspace: { fileSystemId: 'fs-0123abcd', region: v } })],
  ];
  describe.each(cases)('%s', (field, build) => {
    test.each(HOSTILE)('rejects hostile value %j, naming the field', (value) => {
      // Act
      const error = invalidError(() => renderUserData(build(value)));
      // Assess
      expect(error.name).toBe('UserDataInvalidError');
      expect(error.message).toContain(`"${field}"`);
      expect(error.details).toEqual({ field });
      expect(error.hint).toMatch(/Use /);
    });
  });

  test.each([
    ['deploymentId', baseOptions({ deploymentId: '' })],
    ['deploymentId', baseOptions({ deploymentId: 'a'.repeat(81) })],
    ['osType', baseOptions({ osType: 'windows' as never })],
    ['architecture', baseOptions({ architecture: 'i386' as never })],
    ['amiSource', baseOptions({ amiSource: 'custom' as never })],
    ['ollama', baseOptions({ ollama: null as never })],
    ['ollama.enabled', withOllama({ enabled: 'yes' })],
    ['ollama.image', withOllama({ image: 'Ollama/Ollama' })],
    ['ollama.image', withOllama({ image: `a${'b'.repeat(201)}` })],
    ['ollama.visibleDevices', withOllama({ visibleDevices: '0,,1' })],
    ['ollama.visibleDevices', withOllama({ visibleDevices: 'ALL' })],
    ['ollama.maxVramMiB', withOllama({ maxVramMiB: 0 })],
    ['ollama.maxVramMiB', withOllama({ maxVramMiB: 1.5 })],
    ['ollama.maxVramMiB', withOllama({ maxVramMiB: 2_000_001 })],
    ['ollama.maxVramMiB', withOllama({ maxVramMiB: '8000' })],
    ['ollama.model', withOllama({ model: 'm'.repeat(101) })],
    ['ollama.model', withOllama({ model: 'x'.repeat(100_000) })],
    ['ollama.model', withOllama({ model: 42 })],
    ['ollama.model', withOllama({ model: '-rf' })], // would read as an option to `ollama pull`
    ['ollama.image', withOllama({ image: '-v' })],
    // The lifetime and idle policy reach the guard's settings: only a UTC time to the second and plain numbers.
    ['expiresAt', baseOptions({ expiresAt: '2026-12-02T09:30:00.000Z' })],
    ['expiresAt', baseOptions({ expiresAt: "2026-12-02T09:30:00Z'; reboot" })],
    ['expiresAt', baseOptions({ expiresAt: '2026-13-45T99:99:99Z' })],
    ['idleTeardown.minutes', baseOptions({ idleTeardown: { minutes: 0, gpuUtilizationBelowPercent: 5 } })],
    ['idleTeardown.minutes', baseOptions({ idleTeardown: { minutes: 2.5, gpuUtilizationBelowPercent: 5 } })],
    ['idleTeardown.minutes', baseOptions({ idleTeardown: { minutes: '30; reboot' as never, gpuUtilizationBelowPercent: 5 } })],
    ['idleTeardown.gpuUtilizationBelowPercent', baseOptions({ idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: 101 } })],
    ['idleTeardown.gpuUtilizationBelowPercent', baseOptions({ idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: Number.NaN } })],
    ['idleTeardown.gpuUtilizationBelowPercent', baseOptions({ idleTeardown: { minutes: 30, gpuUtilizationBelowPercent: '5' as never } })],
    // The workspace's file system id and region become its DNS name and the mount command.
    ['workspace.fileSystemId', baseOptions({ workspace: { fileSystemId: 'fs-123', region: 'us-east-1' } })],
    ['workspace.fileSystemId', baseOptions({ workspace: { fileSystemId: 'FS-0123ABCD', region: 'us-east-1' } })],
    ['workspace.region', baseOptions({ workspace: { fileSystemId: 'fs-0123abcd', region: 'us-east-1.evil.example' } })],
  ])('rejects an invalid %s', (field, options) => {
    const error = invalidError(() => validateUserDataOptions(options));
    expect(error.details).toEqual({ field });
    expect(error.message.length).toBeLessThan(200); // long values are shortened in the message
  });
});

describe('size limit: EC2 counts what is sent, the gzip of the script', () => {
  // Random text barely compresses; the same length of one letter compresses to almost nothing.
  const incompressible = randomBytes(20_000).toString('base64');

  test('assertUserDataSize refuses a script whose gzip is over 16384 bytes, naming the compressed size', () => {
    const error = invalidError(() => assertUserDataSize(incompressible));
    expect(error.details).toMatchObject({ field: 'userData', bytes: compressUserData(incompressible).length, limit: USERDATA_MAX_BYTES });
    expect(compressUserData(incompressible).length).toBeGreaterThan(USERDATA_MAX_BYTES);
  });

  test('a script far over 16 KB raw passes when its gzip fits', () => {
    expect(() => assertUserDataSize('x'.repeat(10 * USERDATA_MAX_BYTES))).not.toThrow();
    expect(compressUserData('x'.repeat(10 * USERDATA_MAX_BYTES)).length).toBeLessThan(USERDATA_MAX_BYTES);
  });

  test('toBase64UserData sends the gzip (what cloud-init unpacks) and checks its size; decodeUserData reads it back', () => {
    const script = renderUserData(baseOptions());
    const sent = Buffer.from(toBase64UserData(script), 'base64');
    expect([sent[0], sent[1]]).toEqual([0x1f, 0x8b]);
    expect(gunzipSync(sent).toString('utf8')).toBe(script);
    expect(decodeUserData(toBase64UserData(script))).toBe(script);
    // An instance launched before compression: its UserData is the plain script.
    expect(decodeUserData(Buffer.from(script).toString('base64'))).toBe(script);
    expect(() => toBase64UserData(incompressible)).toThrow(UserDataInvalidError);
  });
});

describe('exports', () => {
  test('stage names in order and the status file path', () => {
    expect(userDataStages()).toEqual(['packages', 'nvidia-driver', 'docker', 'workspace', 'ollama', 'complete']);
    expect(STATUS_FILE_PATH).toBe('/var/lib/gpu-deploy/status.json');
  });

  test('containerCudaDevices renumbers the visible GPUs from 0', () => {
    expect(containerCudaDevices('all')).toBeUndefined();
    expect(containerCudaDevices('3')).toBe('0');
    expect(containerCudaDevices('2,5,7')).toBe('0,1,2');
  });
});
