import {
  parseCudaVersion,
  parseDriverVersion,
  parseNvidiaSmiCsv,
  parseNvidiaSmiList,
} from '../../../lib/verify/report.js';
import { fixture } from './helpers.js';

describe('parseNvidiaSmiCsv', () => {
  test('reads one Tesla T4 with numbers as numbers', () => {
    // Prepare
    const csv = fixture('csv-t4-1gpu.txt');

    // Act
    const gpus = parseNvidiaSmiCsv(csv);

    // Assess
    expect(gpus).toEqual([
      {
        index: 0,
        name: 'Tesla T4',
        uuid: 'GPU-0d6cd6b5-7ffe-6a2b-1d4c-3e1b2a9c8f71',
        memoryTotalMiB: 15360,
        memoryUsedMiB: 0,
        utilizationPercent: 0,
        temperatureC: 31,
        powerDrawW: 12.45,
        persistenceMode: 'Enabled',
        migMode: null,
        driverVersion: '535.183.01',
        migDevices: [],
      },
    ]);
  });

  test('reads four A10G with their own utilization and power', () => {
    // Act
    const gpus = parseNvidiaSmiCsv(fixture('csv-a10g-4gpu.txt'));

    // Assess
    expect(gpus.map((gpu) => gpu.index)).toEqual([0, 1, 2, 3]);
    expect(gpus[2]).toMatchObject({ memoryUsedMiB: 4122, utilizationPercent: 97, temperatureC: 61, powerDrawW: 241.33 });
    expect(new Set(gpus.map((gpu) => gpu.name))).toEqual(new Set(['NVIDIA A10G']));
  });

  test('reads eight A100 with MIG Enabled on one and [N/A] utilization as null', () => {
    // Act
    const gpus = parseNvidiaSmiCsv(fixture('csv-a100-8gpu-mig.txt'));

    // Assess
    expect(gpus).toHaveLength(8);
    expect(gpus[0]).toMatchObject({ migMode: 'Enabled', utilizationPercent: null, memoryTotalMiB: 40960 });
    expect(gpus.slice(1).every((gpu) => gpu.migMode === 'Disabled')).toBe(true);
  });

  test('reads eight H100 80GB HBM3', () => {
    // Act
    const gpus = parseNvidiaSmiCsv(fixture('csv-h100-8gpu.txt'));

    // Assess
    expect(gpus).toHaveLength(8);
    expect(gpus[7]).toMatchObject({ index: 7, name: 'NVIDIA H100 80GB HBM3', memoryTotalMiB: 81559, driverVersion: '560.35.03' });
  });

  test('turns [N/A], N/A, [Not Supported] and [Unknown Error] into null', () => {
    // Act
    const [gpu] = parseNvidiaSmiCsv(fixture('csv-na-fields.txt'));

    // Assess
    expect(gpu).toMatchObject({
      memoryTotalMiB: 23028,
      memoryUsedMiB: null,
      utilizationPercent: null,
      temperatureC: null,
      powerDrawW: null,
      persistenceMode: 'Disabled',
      migMode: null,
      driverVersion: '550.127.05',
    });
  });

  test('leaves missing trailing fields null', () => {
    // Act
    const [gpu] = parseNvidiaSmiCsv(fixture('csv-missing-trailing.txt'));

    // Assess
    expect(gpu).toMatchObject({ name: 'Tesla T4', memoryUsedMiB: 0, utilizationPercent: null, powerDrawW: null, driverVersion: null });
  });

  test('skips a header line and strips units when nounits was not given', () => {
    // Act
    const gpus = parseNvidiaSmiCsv(fixture('csv-with-units.txt'));

    // Assess
    expect(gpus).toHaveLength(1);
    expect(gpus[0]).toMatchObject({ name: 'NVIDIA L4', memoryTotalMiB: 23034, utilizationPercent: 0, powerDrawW: 16.27 });
  });

  test('folds extra fields back into the name and keeps driver_version last', () => {
    // Prepare
    const csv = '0, Acme, Inc. GPU, X, GPU-1, 1024, 1, 2, 3, 4.5, Enabled, Disabled, 550.1\n';

    // Act
    const [gpu] = parseNvidiaSmiCsv(csv);

    // Assess
    expect(gpu).toMatchObject({ name: 'Acme, Inc. GPU, X', uuid: 'GPU-1', memoryTotalMiB: 1024, migMode: 'Disabled', driverVersion: '550.1' });
  });

  test('ignores error text and blank lines, and accepts CRLF', () => {
    // Act
    const gpus = parseNvidiaSmiCsv('No devices were found\r\n\r\n' + fixture('csv-t4-1gpu.txt').replace('\n', '\r\n'));

    // Assess
    expect(gpus).toHaveLength(1);
    expect(gpus[0]?.driverVersion).toBe('535.183.01');
  });

  test('returns nothing for empty output', () => {
    expect(parseNvidiaSmiCsv('')).toEqual([]);
  });
});

describe('parseNvidiaSmiList', () => {
  test('lists eight A100 with MIG devices under GPU 0 only', () => {
    // Act
    const gpus = parseNvidiaSmiList(fixture('list-a100-mig.txt'));

    // Assess
    expect(gpus).toHaveLength(8);
    expect(gpus[0]?.migDevices).toEqual([
      { index: 0, profile: '3g.20gb', uuid: 'MIG-5c1b7e2d-8a3f-5b9c-a4d6-1e2f3a4b5c60' },
      { index: 1, profile: '2g.10gb', uuid: 'MIG-5c1b7e2d-8a3f-5b9c-a4d6-1e2f3a4b5c61' },
      { index: 2, profile: '1g.5gb', uuid: 'MIG-5c1b7e2d-8a3f-5b9c-a4d6-1e2f3a4b5c62' },
    ]);
    expect(gpus.slice(1).every((gpu) => gpu.migDevices.length === 0)).toBe(true);
  });

  test('reads the older MIG UUID form (MIG-GPU-.../gi/ci)', () => {
    // Act
    const [gpu] = parseNvidiaSmiList(fixture('list-a100-mig-legacy.txt'));

    // Assess
    expect(gpu?.name).toBe('A100-SXM4-40GB');
    expect(gpu?.migDevices.map((device) => device.uuid)).toEqual([
      'MIG-GPU-2f6b0e1a-9c3d-4e5f-8a7b-6c5d4e3f2a10/1/0',
      'MIG-GPU-2f6b0e1a-9c3d-4e5f-8a7b-6c5d4e3f2a10/2/0',
    ]);
  });

  test('reads a single T4 and ignores MIG lines with no GPU above them', () => {
    // Act
    const orphan = parseNvidiaSmiList('  MIG 1g.5gb     Device  0: (UUID: MIG-x)\n');
    const gpus = parseNvidiaSmiList(fixture('list-t4-1gpu.txt'));

    // Assess
    expect(orphan).toEqual([]);
    expect(gpus).toEqual([{ index: 0, name: 'Tesla T4', uuid: 'GPU-0d6cd6b5-7ffe-6a2b-1d4c-3e1b2a9c8f71', migDevices: [] }]);
  });
});

describe('nvidia-smi table header', () => {
  test.each([
    ['plain-a10g.txt', '550.127.05', '12.4'],
    ['plain-t4-legacy.txt', '535.183.01', '12.2'],
  ])('%s has driver %s and CUDA %s', (file, driver, cuda) => {
    // Act
    const text = fixture(file);

    // Assess
    expect(parseDriverVersion(text)).toBe(driver);
    expect(parseCudaVersion(text)).toBe(cuda);
  });

  test('gives null when there is no header', () => {
    expect(parseCudaVersion('No devices were found')).toBeNull();
    expect(parseDriverVersion('')).toBeNull();
  });
});
