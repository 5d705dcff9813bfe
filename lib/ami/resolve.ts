import { DescribeImagesCommand, type EC2Client, type Image } from '@aws-sdk/client-ec2';
import { GetParameterCommand, type SSMClient } from '@aws-sdk/client-ssm';
import { awsErrorCode, callAws, toProjectError } from '../aws/classify.js';
import { TtlCache } from '../cache.js';
import type { AmiFallback, AmiType, Architecture, ResolvedAmi } from '../types.js';
import {
  classifyDlamiName,
  describeCombination,
  DLAMI_NAME_FILTER,
  DLAMI_OWNER_ID,
  dlamiFamily,
  standardAmiParameter,
  type DlamiCombination,
} from './families.js';
import { amiNotFoundError, driverUnsupportedError, noDlamiError, type DlamiListing } from './not-found.js';
import type { AmiQuery } from './query.js';

export interface AmiClients {
  ec2: EC2Client;
  ssm: SSMClient;
}

/** AMI ids change weekly at most; hours of caching spare every deployment the lookups (Karpenter does the same). */
export const AMI_CACHE_TTL_MS = 6 * 60 * 60 * 1000;

/** The AMI plus what the launch needs of it: its root device name and snapshot size. */
export type ResolvedImage = ResolvedAmi & { rootSnapshotGiB?: number; rootDeviceName?: string };
const defaultCache = new TtlCache<string, ResolvedImage>({ ttlMs: AMI_CACHE_TTL_MS });

/**
 * Whether a missing DLAMI may become the plain OS image plus the driver UserData installs: yes for `base` (driver
 * and toolkit are what base means), no for framework types unless asked (the plain OS has no PyTorch/TensorFlow).
 *
 * @example
 * effectiveFallback('pytorch'); // 'none'
 * effectiveFallback('pytorch', 'standard'); // 'standard'
 */
export const effectiveFallback = (amiType: AmiType, fallback?: AmiFallback): AmiFallback =>
  fallback ?? (amiType === 'base' ? 'standard' : 'none');

const cacheKey = (q: AmiQuery): string =>
  [q.region, q.osType, q.architecture, q.amiType, q.driver ?? 'oss', effectiveFallback(q.amiType, q.fallback)].join('|');

/**
 * The newest of the images by CreationDate (never by name: "PyTorch 2.10" sorts below "2.9"), skipping
 * deprecated ones (a `DeprecationTime` at or before `now`). Ties on the very same CreationDate are broken so the
 * answer never depends on the order EC2 returns images in: the name that is greater in numeric-aware order wins
 * ("PyTorch 2.10" over "PyTorch 2.9", "Version 80.10" over "Version 80.9"), then the greater image id.
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

/** EC2 answers an id it does not know (any more) with an error, not an empty list. */
const IMAGE_GONE_CODES = new Set(['InvalidAMIID.NotFound', 'InvalidAMIID.Unavailable']);

async function describeImage(ec2: EC2Client, imageId: string): Promise<Image | undefined> {
  try {
    const out = await ec2.send(new DescribeImagesCommand({ ImageIds: [imageId] }));
    return out.Images?.[0];
  } catch (error) {
    if (IMAGE_GONE_CODES.has(awsErrorCode(error) ?? '')) return undefined;
    throw toProjectError(error, 'DescribeImages');
  }
}

/**
 * DescribeImages of the DLAMI publisher's account only. Not `Owners: ['amazon']`: that alias spans many Amazon
 * accounts, and look-alike copies (a Marketplace re-publication, a Neuron or Qualcomm image) must never win.
 */
async function searchImages(ec2: EC2Client, nameFilters: string[], architecture?: Architecture): Promise<Image[]> {
  const images: Image[] = [];
  let NextToken: string | undefined;
  do {
    const out = await callAws('DescribeImages', () =>
      ec2.send(
        new DescribeImagesCommand({
          Owners: [DLAMI_OWNER_ID],
          Filters: [
            { Name: 'name', Values: nameFilters },
            { Name: 'state', Values: ['available'] },
            ...(architecture ? [{ Name: 'architecture', Values: [architecture] }] : []),
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
 * The OS x architecture x type combinations that have a (non-deprecated) DLAMI in the region, found with one
 * DescribeImages query (`Deep Learning*` of the DLAMI publisher) and classified by the family name patterns.
 * An image whose `Architecture` contradicts its name is ignored.
 *
 * @example
 * await availableDlamis(ec2); // [{ osType: 'amazon-linux-2', architecture: 'x86_64', amiType: 'base', driver: 'oss' }, …]
 */
export async function availableDlamis(ec2: EC2Client, now: Date = new Date()): Promise<DlamiCombination[]> {
  const found = new Map<string, DlamiCombination>();
  for (const image of await searchImages(ec2, [DLAMI_NAME_FILTER])) {
    const combination = classifyDlamiName(image.Name ?? '');
    if (!combination || !image.ImageId) continue;
    if (image.Architecture && image.Architecture !== combination.architecture) continue;
    if (image.DeprecationTime && new Date(image.DeprecationTime) <= now) continue;
    found.set(describeCombination(combination), combination);
  }
  return [...found.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([, combination]) => combination);
}

/** The combinations, or why they are unknown: the list only makes an error message more useful. */
async function availableOrReason(ec2: EC2Client, now: Date): Promise<DlamiListing> {
  try {
    return { available: await availableDlamis(ec2, now) };
  } catch (error) {
    return { available: [], availableUnknown: error instanceof Error ? error.name : String(error) };
  }
}

/**
 * Resolves the newest Deep Learning AMI for a region and OS x architecture x type: the DLAMI public SSM
 * parameter first, then DescribeImages (DLAMI publisher only, newest by CreationDate); when no DLAMI exists and
 * the fallback is `standard` (the default for `base` only), the plain OS image (marked `needsDriver`). The
 * proprietary-driver family (`driver: 'proprietary'`, for GPUs older than Turing) never falls back to the standard
 * image: the driver UserData installs could not drive them either.
 *
 * @example
 * const ami = await getLatestDlami({ ec2, ssm }, { region: 'eu-west-1', osType: 'ubuntu-24.04', architecture: 'x86_64', amiType: 'pytorch' });
 * // { imageId: 'ami-…', name: 'Deep Learning OSS Nvidia Driver AMI GPU PyTorch 2.7 (Ubuntu 24.04) 20250601', source: 'describe-images', … }
 * @throws AmiNotFoundError (listing the combinations that do resolve; for a framework type without fallback, those
 *   that have the framework) | DriverUnsupportedError (proprietary family)
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
  if (!resolved && query.driver === 'proprietary') throw driverUnsupportedError(query, await availableOrReason(clients.ec2, now));
  if (!resolved && effectiveFallback(query.amiType, query.fallback) === 'none') {
    throw noDlamiError(query, await availableOrReason(clients.ec2, now));
  }
  if (!resolved) {
    const imageId = await parameterValue(clients.ssm, standardAmiParameter(query.osType, query.architecture));
    const image = imageId ? await describeImage(clients.ec2, imageId) : undefined;
    if (image) resolved = toResolved(image, query.architecture, 'standard-fallback');
  }
  if (!resolved) throw amiNotFoundError(query, await availableOrReason(clients.ec2, now));
  cache.set(key, resolved);
  return resolved;
}

/** Backward-compatible call: the default DLAMI (Ubuntu 22.04, base, x86_64). */
export function getLatestAmi(clients: AmiClients, region: string): Promise<ResolvedImage> {
  return getLatestDlami(clients, { region, osType: 'ubuntu-22.04', architecture: 'x86_64', amiType: 'base' });
}
