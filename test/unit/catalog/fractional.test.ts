import { compareInstanceTypes, fromEc2 } from '../../../lib/catalog/catalog.js';
import { fractionText, isFractionalGpu, validateInstanceType } from '../../../lib/catalog/validate.js';
import { DriverUnsupportedError } from '../../../lib/errors.js';
import { parseRequest } from '../../../lib/request.js';

// EC2's own record of g6f.large (DescribeInstanceTypes, 2025: Count 0, a partition of one L4).
const G6F_LARGE = {
  InstanceType: 'g6f.large',
  GpuInfo: { Gpus: [{ Name: 'L4', Manufacturer: 'NVIDIA', Count: 0, GpuPartitionSize: 0.125, LogicalGpuCount: 1, MemoryInfo: { SizeInMiB: 2861 } }], TotalGpuMemoryInMiB: 2861 },
  VCpuInfo: { DefaultVCpus: 2 },
  MemoryInfo: { SizeInMiB: 8192 },
  ProcessorInfo: { SupportedArchitectures: ['x86_64' as const] },
};

describe('fractional-GPU types (g6f)', () => {
  test('fromEc2 keeps the partition; a whole GPU has none', () => {
    expect(fromEc2(G6F_LARGE as never).gpu).toEqual({ manufacturer: 'NVIDIA', model: 'L4', count: 0, memoryMiB: 2861, fraction: 0.125 });
    const g6 = { ...G6F_LARGE, InstanceType: 'g6.xlarge', GpuInfo: { Gpus: [{ ...G6F_LARGE.GpuInfo.Gpus[0], Count: 1, GpuPartitionSize: 1 }], TotalGpuMemoryInMiB: 22888 } };
    expect(fromEc2(g6 as never).gpu).not.toHaveProperty('fraction');
  });

  test('are refused at validation with DriverUnsupportedError, with or without the partition size (older emulators drop it)', () => {
    const info = fromEc2(G6F_LARGE as never);
    const request = parseRequest({ instanceType: 'g6f.large' });
    expect(() => validateInstanceType(request, info, ['us-east-1a'])).toThrow(DriverUnsupportedError);
    expect(() => validateInstanceType(request, info, ['us-east-1a'])).toThrow("g6f.large has 1/8 of an NVIDIA L4 (a fractional GPU), which needs NVIDIA's GRID (vGPU) driver");
    const noPartition = { ...info, gpu: { manufacturer: 'NVIDIA', model: 'L4', count: 0, memoryMiB: 2861 } };
    const error = (() => {
      try {
        return validateInstanceType(request, noPartition, ['us-east-1a']);
      } catch (e) {
        return e as DriverUnsupportedError;
      }
    })() as DriverUnsupportedError;
    expect(error.message).toContain('has a fraction of an NVIDIA L4');
    expect(error.hint).toBe("Choose a type with whole L4 GPUs: gpu-deploy gpus --instance-type 'g6.*' lists them");
    expect(error.details).toEqual({ instanceType: 'g6f.large', gpuFraction: null, gpuModel: 'L4' });
  });

  test('isFractionalGpu and fractionText', () => {
    expect([isFractionalGpu({ count: 0 }), isFractionalGpu({ count: 1, fraction: 0.5 }), isFractionalGpu({ count: 1 })]).toEqual([true, true, false]);
    expect([fractionText(0.125), fractionText(0.5), fractionText(undefined)]).toEqual(['1/8', '1/2', 'a fraction']);
  });
});

describe('compareInstanceTypes', () => {
  test('by family, then by size as a person reads them (xlarge before 48xlarge, metal last)', () => {
    const types = ['g5.48xlarge', 'g5.metal', 'g5.xlarge', 'g4dn.12xlarge', 'g5.2xlarge', 'g5g.xlarge', 'g6f.large', 'g5.12xlarge', 'g4dn.xlarge', 'p5.48xlarge', 'g6.xlarge'];
    expect([...types].sort(compareInstanceTypes)).toEqual([
      'g4dn.xlarge',
      'g4dn.12xlarge',
      'g5.xlarge',
      'g5.2xlarge',
      'g5.12xlarge',
      'g5.48xlarge',
      'g5.metal',
      'g5g.xlarge',
      'g6.xlarge',
      'g6f.large',
      'p5.48xlarge',
    ]);
  });
});
