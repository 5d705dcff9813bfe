import { closeMatches, validateInstanceType } from '../../../lib/catalog/validate.js';
import {
  ArchitectureMismatchError,
  GpuNotNvidiaError,
  InstanceTypeNotGpuError,
  InstanceTypeNotOfferedError,
  InstanceTypeUnknownError,
} from '../../../lib/errors.js';
import { parseRequest } from '../../../lib/request.js';
import type { InstanceTypeInfo } from '../../../lib/types.js';

const A10G: InstanceTypeInfo = {
  instanceType: 'g5.xlarge',
  gpu: { manufacturer: 'NVIDIA', model: 'A10G', count: 1, memoryMiB: 24576 },
  vcpus: 4,
  memoryMiB: 16384,
  architectures: ['x86_64'],
  source: 'ec2',
};
const ZONES = ['us-east-1a', 'us-east-1b'];

function thrown(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected a throw');
}

describe('closeMatches', () => {
  test("'g5.xlarg' suggests g5.xlarge first", () => {
    // Act
    const matches = closeMatches('g5.xlarg');
    // Assess
    expect(matches[0]).toBe('g5.xlarge');
    expect(matches.length).toBeLessThanOrEqual(3);
  });

  test('case is ignored and ties are alphabetical', () => {
    expect(closeMatches('G5.XLARGE')[0]).toBe('g5.xlarge');
    expect(closeMatches('g5.xlarge', ['g6.xlarge', 'g4.xlarge'])).toEqual(['g4.xlarge', 'g6.xlarge']);
  });

  test('nothing close gives nothing', () => {
    expect(closeMatches('c7i.metal')).toEqual([]);
    expect(closeMatches('inf2.xlarge')).toEqual([]);
    expect(closeMatches('abc', [])).toEqual([]);
  });

  test('an exact type is its own best match and results are at most three', () => {
    expect(closeMatches('g6.xlarge')).toEqual(['g6.xlarge', 'g5.xlarge', 'g6.2xlarge']);
  });

  test('longer input allows more edits (a third of its length)', () => {
    // 'p4d.24xlargexx' is 14 characters: up to 4 edits from p4d.24xlarge (2 edits)
    expect(closeMatches('p4d.24xlargexx')).toContain('p4d.24xlarge');
    expect(closeMatches('xx', ['ab'])).toEqual(['ab']);
    expect(closeMatches('xxx', ['abc'])).toEqual([]);
  });
});

describe('validateInstanceType', () => {
  test('a valid NVIDIA type offered in the region is returned with its GPU', () => {
    // Act
    const info = validateInstanceType(parseRequest({}), A10G, ZONES);
    // Assess
    expect(info).toEqual(A10G);
    expect(info.gpu.model).toBe('A10G');
  });

  test('an unknown type → InstanceTypeUnknownError suggesting close matches', () => {
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ instanceType: 'g5.xlarg' }), undefined, ZONES));
    // Assess
    expect(error).toBeInstanceOf(InstanceTypeUnknownError);
    const e = error as InstanceTypeUnknownError;
    expect(e.message).toBe('EC2 has no instance type "g5.xlarg"');
    expect(e.hint).toMatch(/^Did you mean g5\.xlarge(, [a-z0-9.]+)*\? Set instanceType to one of them$/);
    expect(e.details).toMatchObject({ instanceType: 'g5.xlarg' });
    expect((e.details?.closeMatches as string[])[0]).toBe('g5.xlarge');
  });

  test('an unknown type with nothing close → hint names a GPU type and the gpus command', () => {
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ instanceType: 'zz.nothing' }), undefined, ZONES)) as InstanceTypeUnknownError;
    // Assess
    expect(error).toBeInstanceOf(InstanceTypeUnknownError);
    expect(error.hint).toContain('`gpu-deploy gpus` lists them');
    expect(error.details).toEqual({ instanceType: 'zz.nothing', closeMatches: [] });
  });

  test('a type without a GPU → InstanceTypeNotGpuError', () => {
    // Act
    const error = thrown(() =>
      validateInstanceType(parseRequest({ instanceType: 'm5.large' }), { ...A10G, instanceType: 'm5.large', gpu: null }, ZONES),
    ) as InstanceTypeNotGpuError;
    // Assess
    expect(error).toBeInstanceOf(InstanceTypeNotGpuError);
    expect(error.message).toBe('m5.large has no GPU');
    expect(error.hint).toContain('g5.xlarge');
    expect(error.details).toEqual({ instanceType: 'm5.large' });
  });

  test('an AMD GPU → GpuNotNvidiaError', () => {
    // Prepare
    const amd: InstanceTypeInfo = { ...A10G, instanceType: 'g4ad.xlarge', gpu: { manufacturer: 'AMD', model: 'Radeon Pro V520', count: 1, memoryMiB: 8192 } };
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ instanceType: 'g4ad.xlarge' }), amd, ZONES)) as GpuNotNvidiaError;
    // Assess
    expect(error).toBeInstanceOf(GpuNotNvidiaError);
    expect(error.message).toBe('g4ad.xlarge has an AMD Radeon Pro V520 GPU; gpu-deploy needs NVIDIA (CUDA)');
    expect(error.hint).toContain('g4dn.xlarge');
    expect(error.details).toEqual({ instanceType: 'g4ad.xlarge', manufacturer: 'AMD' });
  });

  test('the manufacturer comparison ignores case', () => {
    // Prepare
    const lower: InstanceTypeInfo = { ...A10G, gpu: { manufacturer: 'nvidia', model: 'A10G', count: 1, memoryMiB: 1 } };
    // Act + Assess
    expect(validateInstanceType(parseRequest({}), lower, ZONES).gpu.manufacturer).toBe('nvidia');
  });

  test('arm64 requested on an x86_64 type → ArchitectureMismatchError naming the supported one', () => {
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ architecture: 'arm64' }), A10G, ZONES)) as ArchitectureMismatchError;
    // Assess
    expect(error).toBeInstanceOf(ArchitectureMismatchError);
    expect(error.message).toBe('g5.xlarge runs x86_64, but the request asks for arm64');
    expect(error.hint).toBe('Set architecture to x86_64 (e.g. --architecture x86_64)');
    expect(error.details).toEqual({ instanceType: 'g5.xlarge', requested: 'arm64', supported: ['x86_64'] });
  });

  test('x86_64 requested on G5g (ARM64 only) → hint says arm64', () => {
    // Prepare
    const g5g: InstanceTypeInfo = { ...A10G, instanceType: 'g5g.xlarge', architectures: ['arm64'] };
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ instanceType: 'g5g.xlarge' }), g5g, ZONES)) as ArchitectureMismatchError;
    // Assess
    expect(error.hint).toBe('Set architecture to arm64 (e.g. --architecture arm64)');
  });

  test('a type with no known architecture → hint without a concrete architecture', () => {
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({}), { ...A10G, architectures: [] }, ZONES)) as ArchitectureMismatchError;
    // Assess
    expect(error).toBeInstanceOf(ArchitectureMismatchError);
    expect(error.hint).toBe('Set architecture to a supported one (e.g. --architecture x86_64)');
  });

  test('no zone offers it → InstanceTypeNotOfferedError naming the region', () => {
    // Act
    const error = thrown(() => validateInstanceType(parseRequest({ region: 'eu-north-1' }), A10G, [])) as InstanceTypeNotOfferedError;
    // Assess
    expect(error).toBeInstanceOf(InstanceTypeNotOfferedError);
    expect(error.message).toBe('g5.xlarge is not offered in eu-north-1');
    expect(error.hint).toContain('gpu-deploy gpus --region R');
    expect(error.details).toEqual({ instanceType: 'g5.xlarge', region: 'eu-north-1' });
  });
});
