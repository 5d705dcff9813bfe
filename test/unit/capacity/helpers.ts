/** EC2, Service Quotas and Pricing answers for the capacity tests, in the SDK's shapes. */
import type { InstanceTypeInfo as Ec2InstanceTypeInfo } from '@aws-sdk/client-ec2';
import type { GetProductsCommandInput } from '@aws-sdk/client-pricing';
import { productDoc } from '../pricing/helpers.js';

export interface TypeSpec {
  name: string;
  gpu?: string;
  manufacturer?: string;
  count?: number;
  memoryMiB?: number;
  vcpus?: number;
  arch?: 'x86_64' | 'arm64';
}

/** A DescribeInstanceTypes record. */
export const ec2Type = ({ name, gpu = 'L4', manufacturer = 'NVIDIA', count = 1, memoryMiB = 22888, vcpus = 4, arch = 'x86_64' }: TypeSpec): Ec2InstanceTypeInfo => ({
  InstanceType: name as Ec2InstanceTypeInfo['InstanceType'],
  VCpuInfo: { DefaultVCpus: vcpus },
  MemoryInfo: { SizeInMiB: vcpus * 4096 },
  ProcessorInfo: { SupportedArchitectures: [arch] },
  GpuInfo: { Gpus: [{ Name: gpu, Manufacturer: manufacturer, Count: count, MemoryInfo: { SizeInMiB: count > 0 ? memoryMiB / count : memoryMiB } }], TotalGpuMemoryInMiB: memoryMiB },
});

/** A region's GPU types, as moto and AWS describe them (abridged). */
export const CATALOG: TypeSpec[] = [
  { name: 'g4dn.xlarge', gpu: 'T4', memoryMiB: 16384, vcpus: 4 },
  { name: 'g5.xlarge', gpu: 'A10G', memoryMiB: 22888, vcpus: 4 },
  { name: 'g5.2xlarge', gpu: 'A10G', memoryMiB: 22888, vcpus: 8 },
  { name: 'g5g.xlarge', gpu: 'T4g', memoryMiB: 16384, vcpus: 4, arch: 'arm64' },
  { name: 'g6.xlarge', gpu: 'L4', memoryMiB: 22888, vcpus: 4 },
  { name: 'g6e.xlarge', gpu: 'L40S', memoryMiB: 45776, vcpus: 4 },
  { name: 'g6f.xlarge', gpu: 'L4', count: 0, memoryMiB: 2861, vcpus: 4 },
  { name: 'g4ad.xlarge', gpu: 'Radeon Pro V520', manufacturer: 'AMD', memoryMiB: 8192, vcpus: 4 },
  { name: 'p5.4xlarge', gpu: 'H100', memoryMiB: 81920, vcpus: 16 },
];

/** On-demand USD per hour that the Pricing mock answers with (types missing here get no qualifying SKU). */
export const ON_DEMAND: Record<string, string> = {
  'g5.xlarge': '1.0060000000',
  'g5.2xlarge': '1.2120000000',
  'g6.xlarge': '0.8048000000',
  'g6e.xlarge': '1.8610000000',
};

/** A GetProducts fake: a qualifying document for the filtered type when it is priced, else none. */
export function pricingAnswer(prices: Record<string, string> = ON_DEMAND) {
  return async (input: GetProductsCommandInput) => {
    const type = input.Filters?.find((f) => f.Field === 'instanceType')?.Value ?? '';
    const usd = prices[type];
    return { PriceList: usd === undefined ? [] : [productDoc({ usd, attributes: { instanceType: type, usagetype: `BoxUsage:${type}` } })] };
  };
}

/** An SDK-shaped error: `name` is the AWS code, with `$metadata`. */
export const sdkError = (name: string, status = 400, message = `${name} message`): Error =>
  Object.assign(new Error(message), { name, $metadata: { httpStatusCode: status } });
