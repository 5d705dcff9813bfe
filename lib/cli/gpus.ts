import { ec2Client } from '../aws/ec2.js';
import { pricingClient } from '../aws/pricing.js';
import { listNvidiaTypes, offeredZones } from '../catalog/catalog.js';
import { fractionText, isFractionalGpu } from '../catalog/validate.js';
import { resolveOnDemandPrice } from '../pricing/on-demand.js';
import { getSpotPrices } from '../pricing/spot.js';
import { withCloud } from './cloud-scope.js';
import { assertRegionExists } from '../aws/regions.js';
import { parseCommandArgs, stringValue } from './args.js';
import { commandSpec } from './commands.js';
import { printJson, type Io } from './output.js';

export interface GpuRow {
  instanceType: string;
  gpuModel: string;
  gpuCount: number;
  /** A partition of one GPU (g6f), which gpu-deploy refuses; gpuFraction is its share when EC2 says it. */
  fractionalGpu: boolean;
  gpuFraction: number | null;
  gpuMemoryGiB: number;
  vcpus: number;
  memoryGiB: number;
  architectures: string[];
  zones: string[];
  onDemandHourly: number | null;
  onDemandSource: string | null;
  spotHourlyMin: number | null;
}

/** Maps with at most `limit` calls in flight: the Pricing API throttles bursts. */
async function mapLimited<T, R>(items: readonly T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index] as T);
    }
  });
  await Promise.all(workers);
  return results;
}

/** `gpu-deploy gpus`: the NVIDIA GPU types of a region with their specs, zones and prices. */
export async function gpusCommand(options: { region: string; instanceType?: string; local: boolean; json: boolean }, io: Io): Promise<number> {
  const { region } = options;
  const rows = await withCloud(options.local, region, (l) => io.err(`${l}\n`), async () => {
    const ec2 = ec2Client(region);
    const types = await listNvidiaTypes(ec2, options.instanceType);
    return mapLimited(types, 6, async (t): Promise<GpuRow> => {
      const [zones, onDemand, spot] = await Promise.all([
        offeredZones(ec2, t.instanceType),
        resolveOnDemandPrice(pricingClient(region), { instanceType: t.instanceType, region }).catch(() => undefined),
        getSpotPrices(ec2, { instanceType: t.instanceType, region }).catch(() => ({})),
      ]);
      const spotPrices = Object.values(spot).map((p) => p.usdPerHour);
      return {
        instanceType: t.instanceType,
        gpuModel: t.gpu?.model ?? '',
        gpuCount: t.gpu?.count ?? 0,
        fractionalGpu: t.gpu ? isFractionalGpu(t.gpu) : false,
        gpuFraction: t.gpu?.fraction ?? null,
        gpuMemoryGiB: Math.round((t.gpu?.memoryMiB ?? 0) / 1024),
        vcpus: t.vcpus,
        memoryGiB: Math.round(t.memoryMiB / 1024),
        architectures: t.architectures,
        zones,
        onDemandHourly: onDemand?.usdPerHour ?? null,
        onDemandSource: onDemand ? (onDemand.source === 'snapshot' ? `snapshot ${onDemand.asOf}` : 'pricing-api') : null,
        spotHourlyMin: spotPrices.length > 0 ? Math.min(...spotPrices) : null,
      };
    });
  });
  const offered = rows.filter((r) => r.zones.length > 0);
  if (options.json) {
    printJson(io, { region, gpus: offered });
    return 0;
  }
  io.out(`${'type'.padEnd(16)} ${'GPU'.padEnd(22)} ${'GPU GiB'.padStart(7)} ${'vCPU'.padStart(4)} ${'GiB'.padStart(5)} ${'arch'.padEnd(7)} ${'on-demand'.padStart(10)} ${'spot from'.padStart(10)}  zones\n`);
  for (const r of offered) {
    const price = (v: number | null): string => (v === null ? '-' : `$${v.toFixed(3)}`);
    const gpu = r.fractionalGpu ? `${fractionText(r.gpuFraction ?? undefined)} of ${r.gpuModel} *` : `${r.gpuCount} x ${r.gpuModel}`;
    io.out(`${r.instanceType.padEnd(16)} ${gpu.padEnd(22)} ${String(r.gpuMemoryGiB).padStart(7)} ${String(r.vcpus).padStart(4)} ${String(r.memoryGiB).padStart(5)} ${r.architectures.join(',').padEnd(7)} ${price(r.onDemandHourly).padStart(10)} ${price(r.spotHourlyMin).padStart(10)}  ${r.zones.length}\n`);
  }
  if (offered.some((r) => r.fractionalGpu)) {
    io.out("* a fractional GPU (a partition of one): gpu-deploy refuses these types, whose partition needs NVIDIA's GRID driver\n");
  }
  const snapshot = offered.find((r) => r.onDemandSource?.startsWith('snapshot'));
  if (snapshot) io.out(`note: on-demand prices marked from the offline ${snapshot.onDemandSource}: the Pricing API did not answer\n`);
  return 0;
}

/** `gpu-deploy gpus [--region R] [--instance-type T] [--local] [--json]`: the arguments, then gpusCommand. */
export async function gpusMain(args: string[], io: Io): Promise<number> {
  const { values } = parseCommandArgs(commandSpec('gpus'), args);
  const region = stringValue(values, 'region') ?? process.env.AWS_REGION ?? 'us-east-1';
  await assertRegionExists(region, { flag: '--region', emulated: values.local === true });
  const instanceType = stringValue(values, 'instance-type');
  return gpusCommand({ region, ...(instanceType ? { instanceType } : {}), local: values.local === true, json: values.json === true }, io);
}
