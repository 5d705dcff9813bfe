import {
  DescribeInstanceTypeOfferingsCommand,
  DescribeInstanceTypesCommand,
  type EC2Client,
  type InstanceTypeInfo as Ec2InstanceTypeInfo,
} from '@aws-sdk/client-ec2';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { AwsThrottlingError } from '../errors.js';
import type { Architecture, InstanceTypeInfo } from '../types.js';
import { offlineInstanceType } from './offline-table.js';

/** Maps EC2's DescribeInstanceTypes record to our shape. */
export function fromEc2(record: Ec2InstanceTypeInfo): InstanceTypeInfo {
  const gpu = record.GpuInfo?.Gpus?.[0];
  // g6f and gr6f: Count 0 and a GpuPartitionSize below 1 (EC2 describes a partition of one L4).
  const partition = gpu?.GpuPartitionSize;
  const architectures = (record.ProcessorInfo?.SupportedArchitectures ?? []).filter(
    (arch): arch is Architecture => arch === 'x86_64' || arch === 'arm64',
  );
  return {
    instanceType: record.InstanceType ?? 'unknown',
    gpu: gpu
      ? {
          manufacturer: gpu.Manufacturer ?? 'unknown',
          model: gpu.Name ?? 'unknown',
          count: (record.GpuInfo?.Gpus ?? []).reduce((sum, g) => sum + (g.Count ?? 0), 0),
          memoryMiB: record.GpuInfo?.TotalGpuMemoryInMiB ?? (gpu.MemoryInfo?.SizeInMiB ?? 0) * (gpu.Count ?? 1),
          ...(partition !== undefined && partition > 0 && partition < 1 ? { fraction: partition } : {}),
        }
      : null,
    vcpus: record.VCpuInfo?.DefaultVCpus ?? 0,
    memoryMiB: record.MemoryInfo?.SizeInMiB ?? 0,
    architectures,
    source: 'ec2',
  };
}

/**
 * Looks an instance type up in EC2 (the source of truth), falling back to the dated offline table only when EC2
 * cannot be asked. Returns undefined when the type does not exist.
 */
export async function describeInstanceType(ec2: EC2Client, instanceType: string): Promise<InstanceTypeInfo | undefined> {
  try {
    const out = await ec2.send(new DescribeInstanceTypesCommand({ InstanceTypes: [instanceType as never] }));
    const record = out.InstanceTypes?.[0];
    return record ? fromEc2(record) : undefined;
  } catch (error) {
    if (awsErrorCode(error) === 'InvalidInstanceType') return undefined;
    const projectError = toProjectError(error, 'DescribeInstanceTypes');
    // Throttling passes: EC2 can be asked again (the state machine retries). The table is for an EC2 that can't.
    if (projectError instanceof AwsThrottlingError) throw projectError;
    const offline = offlineInstanceType(instanceType);
    if (offline) return offline;
    throw projectError;
  }
}

/** Zones of the region that offer the type, sorted. */
export async function offeredZones(ec2: EC2Client, instanceType: string): Promise<string[]> {
  const zones = new Set<string>();
  let NextToken: string | undefined;
  do {
    const out = await callAws('DescribeInstanceTypeOfferings', () =>
      ec2.send(
        new DescribeInstanceTypeOfferingsCommand({
          LocationType: 'availability-zone',
          Filters: [{ Name: 'instance-type', Values: [instanceType] }],
          NextToken,
        }),
      ),
    );
    for (const offering of out.InstanceTypeOfferings ?? []) if (offering.Location) zones.add(offering.Location);
    NextToken = out.NextToken;
  } while (NextToken);
  return [...zones].sort();
}

const NAMED_SIZES = ['nano', 'micro', 'small', 'medium', 'large'];

/** Where a size sorts: nano ... large, xlarge, 2xlarge ... 48xlarge, other sizes, metal last. */
function sizeRank(size: string): number {
  const named = NAMED_SIZES.indexOf(size);
  if (named >= 0) return named;
  const xlarge = /^(\d*)xlarge$/.exec(size);
  if (xlarge) return 10 + Number(xlarge[1] || 1);
  return size.startsWith('metal') ? 2e6 : 1e6;
}

/**
 * Instance types in the order a person reads them: by family (g4dn before g5, g5 before g5g), then by size
 * (xlarge, 2xlarge, ... 48xlarge, metal), not by text (which puts 12xlarge before xlarge).
 *
 * @example
 * ['g5.12xlarge', 'g5.xlarge', 'g5.metal', 'g5.2xlarge'].sort(compareInstanceTypes); // xlarge, 2xlarge, 12xlarge, metal
 */
export function compareInstanceTypes(a: string, b: string): number {
  const [familyA = '', sizeA = ''] = a.split('.');
  const [familyB = '', sizeB = ''] = b.split('.');
  return familyA.localeCompare(familyB, 'en', { numeric: true }) || sizeRank(sizeA) - sizeRank(sizeB) || sizeA.localeCompare(sizeB);
}

/** An instance type whose GPU is known. */
export type NvidiaInstanceType = InstanceTypeInfo & { gpu: NonNullable<InstanceTypeInfo['gpu']> };

/**
 * Every NVIDIA GPU instance type EC2 describes in the client's region (the g* and p* families), sorted by name.
 * `gpu-deploy gpus` lists them; PlanCapacity picks alternatives from them. Sorted by family, then size.
 *
 * @example
 * const types = await listNvidiaTypes(new EC2Client({ region: 'us-east-1' }));
 */
export async function listNvidiaTypes(ec2: EC2Client, only?: string): Promise<NvidiaInstanceType[]> {
  const types: NvidiaInstanceType[] = [];
  let NextToken: string | undefined;
  do {
    const out = await callAws('DescribeInstanceTypes', () =>
      ec2.send(
        new DescribeInstanceTypesCommand({
          Filters: [{ Name: 'instance-type', Values: only ? [only] : ['g*', 'p*'] }],
          MaxResults: 100,
          ...(NextToken ? { NextToken } : {}),
        }),
      ),
    );
    for (const record of out?.InstanceTypes ?? []) {
      const type = fromEc2(record);
      if (type.gpu?.manufacturer.toUpperCase() === 'NVIDIA') types.push(type as NvidiaInstanceType);
    }
    NextToken = out?.NextToken || undefined;
  } while (NextToken);
  return types.sort((a, b) => compareInstanceTypes(a.instanceType, b.instanceType));
}
