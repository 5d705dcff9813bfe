import { readdirSync } from 'node:fs';
import { classifyNvidiaFailure } from '../../../lib/verify/report.js';
import type { NvidiaFailureCode } from '../../../lib/verify/types.js';
import { FIXTURES_DIR, fixture } from './helpers.js';

/** Each error fixture, named error-<what>.exit<N>.txt, with the code it must get. */
const EXPECTED: Record<string, NvidiaFailureCode> = {
  'error-driver-not-loaded.exit9.txt': 'DRIVER_NOT_LOADED',
  'error-no-devices.exit6.txt': 'NO_DEVICES',
  'error-driver-mismatch.exit18.txt': 'DRIVER_LIBRARY_MISMATCH',
  'error-nvml-unknown.exit255.txt': 'NVML_ERROR',
  'error-device-handle.exit15.txt': 'NVML_ERROR',
  'error-nvml-library-missing.exit12.txt': 'NVML_ERROR',
  'error-not-found.exit127.txt': 'NVIDIA_SMI_MISSING',
};

const exitCodeOf = (file: string): number => Number(/\.exit(\d+)\.txt$/.exec(file)?.[1]);

describe('classifyNvidiaFailure over the error corpus', () => {
  test('every error fixture has an expected code', () => {
    // Act
    const files = readdirSync(FIXTURES_DIR).filter((file) => file.startsWith('error-'));

    // Assess
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('%s -> %s', (file, code) => {
    // Prepare
    const text = fixture(file);

    // Act
    const onStdout = classifyNvidiaFailure(exitCodeOf(file), text, '');
    const onStderr = classifyNvidiaFailure(exitCodeOf(file), '', text);

    // Assess
    expect(onStdout).toBe(code);
    expect(onStderr).toBe(code);
  });
});

describe('classifyNvidiaFailure by exit status alone', () => {
  test.each<[number, NvidiaFailureCode]>([
    [124, 'NVIDIA_SMI_TIMEOUT'],
    [127, 'NVIDIA_SMI_MISSING'],
    [9, 'DRIVER_NOT_LOADED'],
    [6, 'NO_DEVICES'],
    [18, 'DRIVER_LIBRARY_MISMATCH'],
    [12, 'NVML_ERROR'],
    [15, 'NVML_ERROR'],
    [255, 'NVML_ERROR'],
    [2, 'NVML_ERROR'],
  ])('exit %i with no text -> %s', (exitCode, code) => {
    expect(classifyNvidiaFailure(exitCode, '', '')).toBe(code);
  });

  test('exit 0 with GPU rows is no failure', () => {
    expect(classifyNvidiaFailure(0, fixture('csv-t4-1gpu.txt'), '')).toBeNull();
  });

  test('known text wins over a misleading exit status', () => {
    // Prepare: some driver versions exit 0 or 255 with a known message.
    const noDevices = 'No devices were found';
    const notLoaded = fixture('error-driver-not-loaded.exit9.txt');

    // Act / Assess
    expect(classifyNvidiaFailure(0, noDevices, '')).toBe('NO_DEVICES');
    expect(classifyNvidiaFailure(255, notLoaded, '')).toBe('DRIVER_NOT_LOADED');
  });

  test('a timeout wins over partial text', () => {
    expect(classifyNvidiaFailure(124, 'No devices were found', '')).toBe('NVIDIA_SMI_TIMEOUT');
  });

  test("timeout's own message when the binary is absent means missing", () => {
    expect(classifyNvidiaFailure(1, '', "timeout: failed to run command 'nvidia-smi': No such file or directory")).toBe(
      'NVIDIA_SMI_MISSING',
    );
  });
});
