import { driverFamilyFor, needsProprietaryDriver, PROPRIETARY_DRIVER_GPUS } from '../../../lib/catalog/driver.js';
import { offlineInstanceType, OFFLINE_INSTANCE_TYPES } from '../../../lib/catalog/offline-table.js';

describe('needsProprietaryDriver', () => {
  test.each(['V100', 'v100', 'K80', 'M60', 'K520', 'Tesla V100', 'NVIDIA Tesla V100', 'NVIDIA M60', ' V100 '])('%j: older than Turing → proprietary', (model) => {
    expect(needsProprietaryDriver(model)).toBe(true);
    expect(driverFamilyFor(model)).toBe('proprietary');
  });

  test.each(['T4', 'T4g', 'A10G', 'L4', 'L40S', 'A100', 'H100', 'H200', 'B200', 'V100S-NEXT', 'XV100', 'unknown', ''])('%j: the OSS driver serves it', (model) => {
    expect(needsProprietaryDriver(model)).toBe(false);
    expect(driverFamilyFor(model)).toBe('oss');
  });

  test('of the offline table, exactly the p3 (V100) types need it', () => {
    // Act
    const legacy = OFFLINE_INSTANCE_TYPES.filter((type) => needsProprietaryDriver(offlineInstanceType(type)?.gpu?.model ?? ''));
    // Assess
    expect(legacy).toEqual(['p3.2xlarge', 'p3.8xlarge']);
  });

  test('the list names the pre-Turing GPUs EC2 has offered', () => {
    expect([...PROPRIETARY_DRIVER_GPUS].sort()).toEqual(['K520', 'K80', 'M60', 'V100']);
  });
});
