import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { TtlCache } from '../cache.js';
import { AmiNotFoundError } from '../errors.js';
import type { AmiType, Architecture, OsType, ResolvedAmi } from '../types.js';
import { dlamiFamily, standardAmiParameter, type DriverFamily } from './families.js';

export interface AmiQuery {
  region: string;
  osType: OsType;
  architecture: Architecture;
  amiType: AmiType;
  driver?: DriverFamily;
}

export interface AmiClients {
  ec2: EC2Client;
  ssm: SSMClient;
}

/** AMI ids change weekly at most; hours of caching spare every deployment the lookups (Karpenter does the same). */
export const AMI_CACHE_TTL_MS = 6 * 60 * 60 * 1000;

/** The AMI plus what the launch needs of it: its root device name and snapshot size. */
export type ResolvedImage = ResolvedAmi & { rootSnapshotGiB?: number; rootDeviceName?: string };
const defaultCache = new TtlCache<string, ResolvedImage>({ ttlMs: AMI_CACHE_TTL_MS });

const cacheKey = (q: AmiQuery): string => [q.region, q.osType, q.architecture, q.amiType, q.driver ?? 'oss'].join('|');

/**
 * The newest of the images by CreationDate (never by name: "PyTorch 2.10" sorts below "2.9"), skipping
 * deprecated ones; ties broken by name then id so the answer is deterministic.
 */
export function newestImage(images: readonly Image[], now: Date, nameRegex?: RegExp): Image | undefined {
  return images
    .filter((image) => image.ImageId && image.Name && image.CreationDate)
    .filter((image) => !nameRegex || nameRegex.test(image.Name ?? ''))
    .filter((image) => !image.DeprecationTime || new Date(image.DeprecationTime) > now)
    .sort(
      (a, b) =>
        Date.parse(b.CreationDate ?? '') - Date.parse(a.CreationDate ?? '') ||
        (b.Name ?? '').localeCompare(a.Name ?? '', 'en', { numeric: true }) ||
        (b.ImageId ?? '').localeCompare(a.ImageId ?? ''),
    )[0];
}

function toResolved(image: Image, architecture: Architecture, source: ResolvedAmi['source']): ResolvedImage {
  const rootDevice = image.BlockDeviceMappings?.find((m) => m.DeviceName === image.RootDeviceName) ?? image.BlockDeviceMappings?.[0];
  const resolved: ResolvedImage = {
    imageId: image.ImageId ?? '',
    name: image.Name ?? '',
    creationDate: image.CreationDate ?? '',
    architecture,
    source,
    needsDriver: source === 'standard-fallback',
  };
  if (rootDevice?.Ebs?.VolumeSize) resolved.rootSnapshotGiB = rootDevice.Ebs.VolumeSize;
  // Amazon Linux boots from /dev/xvda, Ubuntu from /dev/sda1: the launch must map the image's own root device.
  if (image.RootDeviceName) resolved.rootDeviceName = image.RootDeviceName;
  return resolved;
}

async function parameterValue(ssm: SSMClient, name: string): Promise<string | undefined> {
  try {
    const out = await ssm.send(new GetParameterCommand({ Name: name }));
    return out.Parameter?.Value;
  } catch (error) {
    if (awsErrorCode(error) === 'ParameterNotFound') return undefined;
    throw toProjectError(error, 'GetParameter');
  }
}

async function describeImage(ec2: EC2Client, imageId: string): Promise<Image | undefined> {
  const out = await callAws('DescribeImages', () => ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] })));
  return out.Images?.[0];
}

async function searchImages(ec2: EC2Client, nameFilters: string[], architecture: Architecture): Promise<Image[]> {
  const images: Image[] = [];
  let NextToken: string | undefined;
  do {
    const out = await callAws('DescribeImages', () =>
      ec2.send(
        new DescribeImagesCommand({
          Owners: ['amazon'],
          Filters: [
            { Name: 'name', Values: nameFilters },
            { Name: 'state', Values: ['available'] },
            { Name: 'architecture', Values: [architecture] },
          ],
          NextToken,
        }),
      ),
    );
    images.push(...(out.Images ?? []));
    NextToken = out.NextToken;
  } while (NextToken);
  return images;
}

/**
 * Resolves the newest Deep Learning AMI for a region and OS x architecture x type: the DLAMI public SSM
 * parameter first, then DescribeImages; when no DLAMI exists, the plain OS image (marked `needsDriver`).
 *
 * @example
 * const ami = await getLatestDlami({ ec2, ssm }, { region: 'eu-west-1', osType: 'ubuntu-24.04', architecture: 'x86_64', amiType: 'pytorch' });
 * // { imageId: 'ami-…', name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 24.04) 20250601', source: 'describe-images', … }
 * @throws AmiNotFoundError
 */
export async function getLatestDlami(
  clients: AmiClients,
  query: AmiQuery,
  options: { cache?: TtlCache<string, ResolvedImage>; now?: Date } = {},
): Promise<ResolvedImage> {
  const cache = options.cache ?? defaultCache;
  const now = options.now ?? new Date();
  const key = cacheKey(query);
  const cached = cache.get(key);
  if (cached) return { ...cached, source: 'cache' };

  const family = dlamiFamily(query.osType, query.architecture, query.amiType, query.driver);
  let resolved: ResolvedImage | undefined;
  if (family.ssmParameter) {
    const imageId = await parameterValue(clients.ssm, family.ssmParameter);
    const image = imageId ? await describeImage(clients.ec2, imageId) : undefined;
    if (image) resolved = toResolved(image, query.architecture, 'ssm-parameter');
  }
  if (!resolved) {
    const image = newestImage(await searchImages(clients.ec2, family.nameFilters, query.architecture), now, family.nameRegex);
    if (image) resolved = toResolved(image, query.architecture, 'describe-images');
  }
  if (!resolved) {
    const imageId = await parameterValue(clients.ssm, standardAmiParameter(query.osType, query.architecture));
    const image = imageId ? await describeImage(clients.ec2, imageId) : undefined;
    if (image) resolved = toResolved(image, query.architecture, 'standard-fallback');
  }
  if (!resolved) {
    throw new AmiNotFoundError(
      `No Deep Learning AMI and no standard ${query.osType} image for ${query.architecture} in ${query.region}`,
      {
        hint: 'Choose another osType/architecture/amiType (e.g. ubuntu-22.04, x86_64, base); `gpu-deploy ami --region R` shows what resolves',
        details: { ...query },
      },
    );
  }
  cache.set(key, resolved);
  return resolved;
}

/** Backward-compatible call: the default DLAMI (Ubuntu 22.04, base, x86_64). */
export function getLatestAmi(clients: AmiClients, region: string): Promise<ResolvedImage> {
  return getLatestDlami(clients, { region, osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base' });
}
