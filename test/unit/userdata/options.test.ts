import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { UserDataInvalidError } from '../../../lib/errors.js';
import {
  assertUserDataSize,
  containerCudaDevices,
  fromBase64UserData,
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
  ])('rejects an invalid %s', (field, options) => {
    const error = invalidError(() => validateUserDataOptions(options));
    expect(error.details).toEqual({ field });
    expect(error.message.length).toBeLessThan(200); // long values are shortened in the message
  });
});

describe('size limit', () => {
  /** Text that gzip cannot shrink much: hex digits of random bytes (gzip keeps about half). */
  const incompressible = (chars: number): string => randomBytes(Math.ceil(chars / 2)).toString('hex').slice(0, chars);

  test('assertUserDataSize measures what EC2 receives, the gzipped script: 16 KB of it passes, more is refused', () => {
    expect(() => assertUserDataSize('x'.repeat(USERDATA_MAX_BYTES * 4))).not.toThrow(); // gzips to a few hundred bytes
    expect(() => assertUserDataSize(incompressible(30_000))).not.toThrow(); // about 15,200 bytes gzipped
    const error = invalidError(() => assertUserDataSize(incompressible(34_000)));
    expect(error.details).toMatchObject({ field: 'userData', limit: 16384 });
    expect((error.details as { bytes: number }).bytes).toBeGreaterThan(USERDATA_MAX_BYTES);
    expect(error.message).toMatch(/^UserData is \d+ bytes gzipped; EC2 accepts at most 16384$/);
  });

  test('toBase64UserData sends the script gzipped (deterministic for a retried launch), fromBase64UserData reads it back', () => {
    const script = renderUserData(baseOptions());
    const sent = Buffer.from(toBase64UserData(script), 'base64');
    expect([sent[0], sent[1]]).toEqual([0x1f, 0x8b]); // gzip magic: cloud-init unpacks it before running the script
    expect(gunzipSync(sent).toString('utf8')).toBe(script);
    expect(fromBase64UserData(toBase64UserData(script))).toBe(script);
    expect(toBase64UserData(script)).toBe(toBase64UserData(script));
    expect(sent.length).toBeLessThan(Buffer.byteLength(script) / 2);
    expect(fromBase64UserData(Buffer.from('#!/bin/bash\n').toString('base64'))).toBe('#!/bin/bash\n');
    expect(() => toBase64UserData(incompressible(34_000))).toThrow(UserDataInvalidError);
  });
});

describe('exports', () => {
  test('stage names in order and the status file path', () => {
    expect(userDataStages()).toEqual(['packages', 'nvidia-driver', 'docker', 'ollama', 'complete']);
    expect(STATUS_FILE_PATH).toBe('/var/lib/gpu-deploy/status.json');
  });

  test('containerCudaDevices renumbers the visible GPUs from 0', () => {
    expect(containerCudaDevices('all')).toBeUndefined();
    expect(containerCudaDevices('3')).toBe('0');
    expect(containerCudaDevices('2,5,7')).toBe('0,1,2');
  });
});
