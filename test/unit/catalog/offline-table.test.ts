import { OFFLINE_INSTANCE_TYPES, OFFLINE_TABLE_AS_OF, offlineInstanceType } from '../../../lib/catalog/offline-table.js';

describe('offlineInstanceType', () => {
  test('a known NVIDIA type is returned from the table and marked as such', () => {
    // Act
    const info = offlineInstanceType('g5.xlarge');
    // Assess
    expect(info).toEqual({
      instanceType: 'g5.xlarge',
      gpu: { manufacturer: 'NVIDIA', model: 'A10G', count: 1, memoryMiB: 24576 },
      vcpus: 4,
      memoryMiB: 16384,
      architectures: ['x86_64'],
      source: 'offline-table',
    });
  });

  test('multi-GPU and ARM64 rows', () => {
    expect(offlineInstanceType('p4d.24xlarge')?.gpu).toEqual({ manufacturer: 'NVIDIA', model: 'A100', count: 8, memoryMiB: 327680 });
    expect(offlineInstanceType('g5g.xlarge')?.architectures).toEqual(['arm64']);
    expect(offlineInstanceType('p3.2xlarge')?.gpu?.model).toBe('V100');
  });

  test('g4ad is AMD, not NVIDIA', () => {
    // Act
    const info = offlineInstanceType('g4ad.xlarge');
    // Assess
    expect(info?.gpu?.manufacturer).toBe('AMD');
    expect(info?.source).toBe('offline-table');
  });

  test('an unknown type is undefined', () => {
    expect(offlineInstanceType('m5.large')).toBeUndefined();
    expect(offlineInstanceType('')).toBeUndefined();
  });

  test('the table is dated and lists only NVIDIA types, each resolvable', () => {
    // Assess
    expect(OFFLINE_TABLE_AS_OF).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(OFFLINE_INSTANCE_TYPES).toContain('g5.xlarge');
    expect(OFFLINE_INSTANCE_TYPES).not.toContain('g4ad.xlarge');
    expect(new Set(OFFLINE_INSTANCE_TYPES).size).toBe(OFFLINE_INSTANCE_TYPES.length);
    for (const type of OFFLINE_INSTANCE_TYPES) {
      const info = offlineInstanceType(type);
      expect(info?.gpu?.manufacturer).toBe('NVIDIA');
      expect(info?.gpu?.count).toBeGreaterThan(0);
    }
  });
});
