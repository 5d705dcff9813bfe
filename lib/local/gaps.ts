/**
 * What the local cloud cannot answer for an account, and says so in its error: vCPU quotas (Service Quotas) and
 * spot placement scores (EC2 computes them from its real capacity). Callers degrade as they do when AWS refuses these
 * calls, and their notes then name the local cloud, not the user's account, as what is missing.
 */
export const LOCAL_CLOUD_GAPS: Record<string, string> = {
  servicequotas: "the local cloud has no Service Quotas (it cannot know your account's vCPU quotas)",
  'ec2.GetSpotPlacementScores': 'the local cloud has no spot placement scores (EC2 computes them from its real spot capacity)',
};
export const LOCAL_CLOUD_GAP_CODE = 'LocalCloudUnsupportedOperation';

/** The gaps in words, for output that was answered by the local cloud. */
export const localCloudGaps = (): string => Object.values(LOCAL_CLOUD_GAPS).join('; ');
