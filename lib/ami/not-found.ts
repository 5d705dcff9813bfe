/** The errors of an AMI that cannot be resolved, each listing what the region does have. Pure: data in, error out. */
import { AmiNotFoundError, DriverUnsupportedError } from '../errors.js';
import type { AmiType } from '../types.js';
import { describeCombination, OS_LABELS, type DlamiCombination } from './families.js';
import type { AmiQuery } from './query.js';

/** The region's DLAMI combinations, or why they could not be listed. */
export interface DlamiListing {
  available: DlamiCombination[];
  availableUnknown?: string;
}

/** What a framework AMI type ships that the plain OS image lacks, in words. */
export const FRAMEWORK_LABELS: Record<Exclude<AmiType, 'base'>, string> = {
  pytorch: 'PyTorch',
  tensorflow: 'TensorFlow',
  'multi-framework': 'PyTorch and TensorFlow (multi-framework)',
};

const unknown = (listing: DlamiListing): Record<string, unknown> =>
  listing.availableUnknown === undefined ? {} : { availableUnknown: listing.availableUnknown };

const listingText = (query: AmiQuery, listing: DlamiListing, listed: string[], noun: string): string =>
  listing.availableUnknown !== undefined
    ? `the DLAMIs of ${query.region} could not be listed (${listing.availableUnknown})`
    : listed.length > 0
      ? `combinations with a ${noun} in ${query.region}: ${listed.join(', ')}`
      : `no ${noun} at all is published in ${query.region}`;

/** No DLAMI and no standard image either (or a `base` request that refused the fallback). */
export function amiNotFoundError(query: AmiQuery, listing: DlamiListing): AmiNotFoundError {
  const oss = listing.available.filter((c) => c.driver === 'oss');
  const listed = oss.map(describeCombination);
  const first = oss[0];
  const refused = query.fallback === 'none';
  const what = refused
    ? `No Deep Learning AMI for ${query.osType} ${query.architecture} (${query.amiType}) in ${query.region}, and amiFallback is none`
    : `No Deep Learning AMI and no standard ${query.osType} image for ${query.architecture} (${query.amiType}) in ${query.region}`;
  return new AmiNotFoundError(
    `${what}; ${listingText(query, listing, listed, 'DLAMI')}`,
    {
      hint: first
        ? `Set osType/architecture/amiType to one of: ${listed.join(', ')} (e.g. --os-type ${first.osType} --architecture ${first.architecture} --ami-type ${first.amiType})${refused ? ', leave amiFallback unset to take the plain OS image with the driver' : ''}, or choose another region`
        : 'Choose another region or osType/architecture/amiType; `gpu-deploy ami --region R` shows what resolves',
      details: { ...query, available: listing.available, ...unknown(listing) },
    },
  );
}

/**
 * A framework type with no DLAMI for the OS and architecture, and no fallback asked for: the plain OS image would
 * not have the framework. Lists the combinations that have it, and how to opt in to the plain image.
 */
export function noDlamiError(query: AmiQuery, listing: DlamiListing): AmiNotFoundError {
  if (query.amiType === 'base') return amiNotFoundError(query, listing);
  const framework = FRAMEWORK_LABELS[query.amiType];
  const withType = listing.available.filter((c) => c.driver === 'oss' && c.amiType === query.amiType);
  const listed = withType.map(describeCombination);
  // The example keeps the architecture: the instance type was chosen for it.
  const first = withType.find((c) => c.architecture === query.architecture) ?? withType[0];
  const os = OS_LABELS[query.osType];
  return new AmiNotFoundError(
    `No ${query.amiType} Deep Learning AMI for ${query.osType} ${query.architecture} in ${query.region}, and the plain ${os} image has no ${framework}, so it is not used unless asked for; ${listingText(query, listing, listed, `${query.amiType} DLAMI`)}`,
    {
      hint: `${first ? `Set osType/architecture to one that has it (e.g. --os-type ${first.osType} --architecture ${first.architecture}), or p` : 'P'}ass --ami-fallback standard (request field amiFallback: "standard") to take the plain ${os} image with the NVIDIA driver and CUDA toolkit but without ${framework}`,
      details: { ...query, fallback: 'none', available: withType, ...unknown(listing) },
    },
  );
}

/** No proprietary-driver DLAMI for a GPU older than Turing: neither the OSS DLAMIs nor the standard image can drive it. */
export function driverUnsupportedError(query: AmiQuery, listing: DlamiListing): DriverUnsupportedError {
  const proprietary = listing.available.filter((c) => c.driver === 'proprietary');
  const where = proprietary.map((c) => `${c.osType}/${c.architecture}`);
  const osChoice = proprietary.length > 0 ? `set osType/architecture to one that has it (${where.join(', ')})` : `no OS has one in ${query.region}`;
  return new DriverUnsupportedError(
    `No proprietary-driver Deep Learning AMI for ${query.osType} ${query.architecture} in ${query.region}, and the OSS-driver DLAMIs and the standard image cannot drive this GPU (it is older than Turing)`,
    {
      hint: `Either ${osChoice}, or choose a Turing-or-newer GPU type (g4dn, g5, g6, g6e, p4d, p5), which the OSS-driver DLAMIs serve`,
      details: { ...query, proprietaryAvailable: where, ...unknown(listing) },
    },
  );
}
