/**
 * Builds the synthetic price documents in local/pricing/ from the dated snapshot (lib/pricing/snapshot.ts), so the
 * local Pricing stand-in, the spot data and the offline fallback always agree.
 *
 *   npx tsx local/pricing/generate.ts
 *
 * Each GetProducts file holds the qualifying SKU plus the look-alike SKUs a real answer carries (capacity
 * reservation rows, Windows, RHEL, SQL, dedicated, BYOL), so the parser's filter is exercised. The decoys' prices
 * are illustrative markups on the snapshot price, not AWS's.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { PRICE_SNAPSHOT, type PriceSnapshot } from '../../lib/pricing/snapshot.js';

const REGIONS: Readonly<Record<string, { location: string; usagePrefix: string }>> = {
  'us-east-1': { location: 'US East (N. Virginia)', usagePrefix: '' },
  'us-west-2': { location: 'US West (Oregon)', usagePrefix: 'USW2-' },
  'eu-west-1': { location: 'EU (Ireland)', usagePrefix: 'EU-' },
  'eu-central-1': { location: 'EU (Frankfurt)', usagePrefix: 'EUC1-' },
  'ap-northeast-1': { location: 'Asia Pacific (Tokyo)', usagePrefix: 'APN1-' },
};

interface TypeInfo {
  vcpu: number;
  memory: string;
  gpu: number;
  gpuMemory: string;
  physicalProcessor: string;
  arm64?: boolean;
}

// Descriptive attributes only (a subset of AWS's; storage and network attributes are left out rather than guessed); nothing is priced from them except the illustrative per-vCPU decoy markups.
const TYPES: Readonly<Record<string, TypeInfo>> = {
  'g4dn.xlarge': { vcpu: 4, memory: '16 GiB', gpu: 1, gpuMemory: '16 GB', physicalProcessor: 'Intel Xeon Family' },
  'g4dn.2xlarge': { vcpu: 8, memory: '32 GiB', gpu: 1, gpuMemory: '16 GB', physicalProcessor: 'Intel Xeon Family' },
  'g4dn.12xlarge': { vcpu: 48, memory: '192 GiB', gpu: 4, gpuMemory: '64 GB', physicalProcessor: 'Intel Xeon Family' },
  'g5.xlarge': { vcpu: 4, memory: '16 GiB', gpu: 1, gpuMemory: '24 GB', physicalProcessor: 'AMD EPYC 7R32' },
  'g5.2xlarge': { vcpu: 8, memory: '32 GiB', gpu: 1, gpuMemory: '24 GB', physicalProcessor: 'AMD EPYC 7R32' },
  'g5.12xlarge': { vcpu: 48, memory: '192 GiB', gpu: 4, gpuMemory: '96 GB', physicalProcessor: 'AMD EPYC 7R32' },
  'g5.48xlarge': { vcpu: 192, memory: '768 GiB', gpu: 8, gpuMemory: '192 GB', physicalProcessor: 'AMD EPYC 7R32' },
  'g5g.xlarge': { vcpu: 4, memory: '8 GiB', gpu: 1, gpuMemory: '16 GB', physicalProcessor: 'AWS Graviton2 Processor', arm64: true },
  'g5g.2xlarge': { vcpu: 8, memory: '16 GiB', gpu: 1, gpuMemory: '16 GB', physicalProcessor: 'AWS Graviton2 Processor', arm64: true },
  'g6.xlarge': { vcpu: 4, memory: '16 GiB', gpu: 1, gpuMemory: '24 GB', physicalProcessor: 'AMD EPYC 7R13' },
  'g6.2xlarge': { vcpu: 8, memory: '32 GiB', gpu: 1, gpuMemory: '24 GB', physicalProcessor: 'AMD EPYC 7R13' },
  'g6e.xlarge': { vcpu: 4, memory: '32 GiB', gpu: 1, gpuMemory: '48 GB', physicalProcessor: 'AMD EPYC 7R13' },
  'g6e.2xlarge': { vcpu: 8, memory: '64 GiB', gpu: 1, gpuMemory: '48 GB', physicalProcessor: 'AMD EPYC 7R13' },
  'p3.2xlarge': { vcpu: 8, memory: '61 GiB', gpu: 1, gpuMemory: '16 GB', physicalProcessor: 'Intel Xeon E5-2686 v4 (Broadwell)' },
  'p4d.24xlarge': { vcpu: 96, memory: '1152 GiB', gpu: 8, gpuMemory: '320 GB', physicalProcessor: 'Intel Xeon Platinum 8275L' },
  'p5.48xlarge': { vcpu: 192, memory: '2048 GiB', gpu: 8, gpuMemory: '640 GB', physicalProcessor: 'AMD EPYC 7R13' },
};

/** AWS's real on-demand offer term and rate codes; every on-demand SKU uses them. */
const OFFER_TERM = 'JRTCKXETXF';
const RATE_CODE = '6YS6EN2CT7';
const SPOT_ZONES = ['a', 'b', 'c', 'd', 'f'];

const digest = (text: string): Buffer => createHash('sha256').update(text).digest();

/** A stable 16-character SKU in AWS's alphabet, so regenerating never changes the files. */
export const syntheticSku = (seed: string): string => {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  return [...digest(seed).subarray(0, 16)].map((byte) => alphabet[byte % 32]).join('');
};

const micro = (usd: number): number => Math.round(usd * 1_000_000);
const usd = (microDollars: number): number => microDollars / 1_000_000;
const priceText = (value: number): string => value.toFixed(10);
const shortPrice = (value: number): string => (value === 0 ? '0.00' : String(value));

interface Variant {
  key: string;
  operatingSystem: string;
  tenancy: string;
  preInstalledSw: string;
  capacitystatus: string;
  licenseModel: string;
  operation: string;
  usage: string;
  usdPerHour: number;
  label: string;
}

const variants = (instanceType: string, info: TypeInfo, price: number): Variant[] => {
  const base = {
    operatingSystem: 'Linux',
    tenancy: 'Shared',
    preInstalledSw: 'NA',
    capacitystatus: 'Used',
    licenseModel: 'No License required',
    operation: 'RunInstances',
    usage: 'BoxUsage',
    usdPerHour: price,
  };
  const plus = (perVcpu: number): number => usd(micro(price) + micro(perVcpu) * info.vcpu);
  const all: Array<Variant & { x86Only?: boolean }> = [
    { ...base, key: 'unused', capacitystatus: 'UnusedCapacityReservation', usage: 'UnusedBox', label: 'Unused Reservation Linux' },
    { ...base, key: 'windows', operatingSystem: 'Windows', operation: 'RunInstances:0002', usdPerHour: plus(0.046), label: 'On Demand Windows', x86Only: true },
    { ...base, key: 'allocated', capacitystatus: 'AllocatedCapacityReservation', usage: 'Reservation', usdPerHour: 0, label: 'Reservation Linux' },
    { ...base, key: 'linux', label: 'On Demand Linux' },
    { ...base, key: 'rhel', operatingSystem: 'RHEL', operation: 'RunInstances:0010', usdPerHour: plus(0.0144), label: 'On Demand RHEL' },
    { ...base, key: 'dedicated', tenancy: 'Dedicated', usage: 'DedicatedUsage', usdPerHour: usd(Math.round(micro(price) * 1.1)), label: 'On Demand Linux Dedicated' },
    { ...base, key: 'sql-std', preInstalledSw: 'SQL Std', operation: 'RunInstances:0004', usdPerHour: plus(0.12), label: 'On Demand Linux with SQL Std', x86Only: true },
    { ...base, key: 'windows-byol', operatingSystem: 'Windows', licenseModel: 'Bring your own license', operation: 'RunInstances:0800', label: 'On Demand Windows BYOL', x86Only: true },
  ];
  // Graviton (g5g) has no Windows or SQL Server SKUs.
  return all.filter((v) => !(info.arm64 === true && v.x86Only === true)).map(({ x86Only: _omit, ...v }) => v);
};

const productDocument = (region: string, instanceType: string, info: TypeInfo, v: Variant, asOf: string): string => {
  const regionInfo = REGIONS[region];
  if (regionInfo === undefined) throw new Error(`No location name for ${region}`);
  const sku = syntheticSku(`${region}|${instanceType}|${v.key}`);
  const effectiveDate = `${asOf}T00:00:00Z`;
  return JSON.stringify({
    product: {
      productFamily: 'Compute Instance',
      attributes: {
        enhancedNetworkingSupported: 'Yes',
        memory: info.memory,
        vcpu: String(info.vcpu),
        classicnetworkingsupport: 'false',
        capacitystatus: v.capacitystatus,
        locationType: 'AWS Region',
        instanceFamily: 'GPU instance',
        operatingSystem: v.operatingSystem,
        regionCode: region,
        physicalProcessor: info.physicalProcessor,
        gpuMemory: info.gpuMemory,
        ecu: 'NA',
        servicename: 'Amazon Elastic Compute Cloud',
        gpu: String(info.gpu),
        vpcnetworkingsupport: 'true',
        instanceType,
        tenancy: v.tenancy,
        usagetype: `${regionInfo.usagePrefix}${v.usage}:${instanceType}`,
        normalizationSizeFactor: 'NA',
        processorFeatures: 'NA',
        servicecode: 'AmazonEC2',
        licenseModel: v.licenseModel,
        currentGeneration: 'Yes',
        preInstalledSw: v.preInstalledSw,
        location: regionInfo.location,
        processorArchitecture: '64-bit',
        marketoption: 'OnDemand',
        operation: v.operation,
        availabilityzone: 'NA',
      },
      sku,
    },
    serviceCode: 'AmazonEC2',
    terms: {
      OnDemand: {
        [`${sku}.${OFFER_TERM}`]: {
          priceDimensions: {
            [`${sku}.${OFFER_TERM}.${RATE_CODE}`]: {
              unit: 'Hrs',
              endRange: 'Inf',
              description: `$${shortPrice(v.usdPerHour)} per ${v.label} ${instanceType} Instance Hour`,
              appliesTo: [],
              rateCode: `${sku}.${OFFER_TERM}.${RATE_CODE}`,
              beginRange: '0',
              pricePerUnit: { USD: priceText(v.usdPerHour) },
            },
          },
          sku,
          effectiveDate,
          offerTermCode: OFFER_TERM,
          termAttributes: {},
        },
      },
    },
    version: `${asOf.replaceAll('-', '')}000000`,
    publicationDate: effectiveDate,
  });
};

/**
 * The GetProducts response body for one instance type in one region, built around its snapshot price.
 *
 * @example
 * buildGetProductsDocument('us-east-1', 'g5.xlarge', 1.006, '2025-01-01').PriceList.length // 8
 */
export const buildGetProductsDocument = (
  region: string,
  instanceType: string,
  usdPerHour: number,
  asOf: string,
): { FormatVersion: 'aws_v1'; PriceList: string[] } => {
  const info = TYPES[instanceType];
  if (info === undefined) throw new Error(`No attributes for ${instanceType}; add it to TYPES`);
  return {
    FormatVersion: 'aws_v1',
    PriceList: variants(instanceType, info, usdPerHour).map((v) => productDocument(region, instanceType, info, v, asOf)),
  };
};

/** Spot at 55–70 % off on-demand, a different stable discount per type and zone (synthetic). */
export const buildSpotPrices = (snapshot: PriceSnapshot = PRICE_SNAPSHOT, region = 'us-east-1') => {
  const table = snapshot.onDemandLinuxUsdPerHour[region] ?? {};
  const prices = Object.fromEntries(
    Object.entries(table).map(([instanceType, onDemand]) => [
      instanceType,
      Object.fromEntries(
        SPOT_ZONES.map((letter) => {
          const zone = `${region}${letter}`;
          const discountBasisPoints = 5500 + (digest(`${zone}|${instanceType}`).readUInt16BE(0) % 1501);
          const spot = Math.round((onDemand * (10_000 - discountBasisPoints)) / 10_000 * 10_000) / 10_000;
          return [zone, spot];
        }),
      ),
    ]),
  );
  return {
    asOf: snapshot.asOf,
    source:
      'SYNTHETIC: not observed spot prices. Each is the snapshot on-demand price less a stable 55-70% discount per ' +
      'instance type and zone, generated by local/pricing/generate.ts for the local run.',
    prices: { [region]: prices },
  };
};

/**
 * Every generated file, as repository-relative path → file text.
 *
 * @example
 * generateAll().get('local/pricing/us-east-1/g5.xlarge.json')
 */
export const generateAll = (snapshot: PriceSnapshot = PRICE_SNAPSHOT): Map<string, string> => {
  const files = new Map<string, string>();
  for (const [region, table] of Object.entries(snapshot.onDemandLinuxUsdPerHour)) {
    for (const [instanceType, price] of Object.entries(table)) {
      const body = buildGetProductsDocument(region, instanceType, price, snapshot.asOf);
      files.set(`local/pricing/${region}/${instanceType}.json`, `${JSON.stringify(body, null, 2)}\n`);
    }
  }
  files.set('local/pricing/spot-prices.json', `${JSON.stringify(buildSpotPrices(snapshot), null, 2)}\n`);
  return files;
};

const main = (): void => {
  const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
  for (const [path, text] of generateAll()) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  process.stdout.write(`wrote ${generateAll().size} files under local/pricing/\n`);
};

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
