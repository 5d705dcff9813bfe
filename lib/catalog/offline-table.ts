import type { InstanceTypeInfo } from '../types.js';

/**
 * Offline fallback of NVIDIA GPU instance specs, used only when EC2's DescribeInstanceTypes cannot be asked.
 * Source: AWS EC2 accelerated-computing instance specifications (GPU memory as EC2 reports it in MiB).
 */
export const OFFLINE_TABLE_AS_OF = '2025-11-01';

type Row = [type: string, model: string, count: number, gpuMiB: number, vcpus: number, memMiB: number, arch: 'x86_64' | 'arm64'];

const ROWS: Row[] = [
  ['g4dn.xlarge', 'T4', 1, 16384, 4, 16384, 'x86_64'],
  ['g4dn.2xlarge', 'T4', 1, 16384, 8, 32768, 'x86_64'],
  ['g4dn.4xlarge', 'T4', 1, 16384, 16, 65536, 'x86_64'],
  ['g4dn.12xlarge', 'T4', 4, 65536, 48, 196608, 'x86_64'],
  ['g5.xlarge', 'A10G', 1, 24576, 4, 16384, 'x86_64'],
  ['g5.2xlarge', 'A10G', 1, 24576, 8, 32768, 'x86_64'],
  ['g5.4xlarge', 'A10G', 1, 24576, 16, 65536, 'x86_64'],
  ['g5.12xlarge', 'A10G', 4, 98304, 48, 196608, 'x86_64'],
  ['g5.48xlarge', 'A10G', 8, 196608, 192, 786432, 'x86_64'],
  ['g5g.xlarge', 'T4g', 1, 16384, 4, 8192, 'arm64'],
  ['g5g.2xlarge', 'T4g', 1, 16384, 8, 16384, 'arm64'],
  ['g6.xlarge', 'L4', 1, 24576, 4, 16384, 'x86_64'],
  ['g6.2xlarge', 'L4', 1, 24576, 8, 32768, 'x86_64'],
  ['g6e.xlarge', 'L40S', 1, 49152, 4, 32768, 'x86_64'],
  ['g6e.2xlarge', 'L40S', 1, 49152, 8, 65536, 'x86_64'],
  ['p3.2xlarge', 'V100', 1, 16384, 8, 62464, 'x86_64'],
  ['p3.8xlarge', 'V100', 4, 65536, 32, 249856, 'x86_64'],
  ['p4d.24xlarge', 'A100', 8, 327680, 96, 1179648, 'x86_64'],
  ['p5.48xlarge', 'H100', 8, 655360, 192, 2097152, 'x86_64'],
];

/** AMD and other non-NVIDIA GPU types users confuse with NVIDIA ones. */
const NON_NVIDIA: Record<string, string> = { 'g4ad.xlarge': 'AMD', 'g4ad.2xlarge': 'AMD', 'g4ad.4xlarge': 'AMD' };

export function offlineInstanceType(instanceType: string): InstanceTypeInfo | undefined {
  const row = ROWS.find(([type]) => type === instanceType);
  if (row) {
    const [type, model, count, gpuMiB, vcpus, memoryMiB, arch] = row;
    return { instanceType: type, gpu: { manufacturer: 'NVIDIA', model, count, memoryMiB: gpuMiB }, vcpus, memoryMiB, architectures: [arch], source: 'offline-table' };
  }
  const maker = NON_NVIDIA[instanceType];
  if (maker) {
    return { instanceType, gpu: { manufacturer: maker, model: 'Radeon Pro V520', count: 1, memoryMiB: 8192 }, vcpus: 4, memoryMiB: 16384, architectures: ['x86_64'], source: 'offline-table' };
  }
  return undefined;
}

export const OFFLINE_INSTANCE_TYPES: readonly string[] = ROWS.map(([type]) => type);
