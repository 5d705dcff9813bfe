/**
 * Adapter for EC2 `GetSpotPlacementScores`: how likely a one-instance spot request is to succeed in each zone
 * (1 to 10). Many accounts may not call it, and emulators do not implement it: callers treat a failure as
 * "scores unknown" and order spot by price alone.
 */
import { DescribeAvailabilityZonesCommand, GetSpotPlacementScoresCommand, type EC2Client } from '@aws-sdk/client-ec2';
import { callAws } from '../aws/classify.js';

/** Spot in a zone scoring below this (of 10) is not planned in `auto` and tried last in `spot`. */
export const SPOT_SCORE_THRESHOLD = 3;

/**
 * The spot placement score per zone name, e.g. `{ 'us-east-1b': 9, 'us-east-1a': 3 }`; empty when AWS has no
 * score for the type. Scores come per zone id (`use1-az1`); a DescribeAvailabilityZones call (only when there are
 * scores) maps them to this account's zone names.
 *
 * @throws Aws*Error when either call fails (the caller degrades)
 * @example
 * const scores = await getSpotPlacementScores(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' });
 */
export async function getSpotPlacementScores(
  ec2: EC2Client,
  { instanceType, region }: { instanceType: string; region: string },
): Promise<Record<string, number>> {
  const out = await callAws('GetSpotPlacementScores', () =>
    ec2.send(
      new GetSpotPlacementScoresCommand({
        InstanceTypes: [instanceType],
        TargetCapacity: 1,
        TargetCapacityUnitType: 'units',
        SingleAvailabilityZone: true,
        RegionNames: [region],
        MaxResults: 10,
      }),
    ),
  );
  const byId = new Map<string, number>();
  for (const score of out?.SpotPlacementScores ?? []) {
    if (score.Region !== undefined && score.Region !== region) continue;
    if (!score.AvailabilityZoneId || typeof score.Score !== 'number') continue;
    byId.set(score.AvailabilityZoneId, Math.max(score.Score, byId.get(score.AvailabilityZoneId) ?? 0));
  }
  if (byId.size === 0) return {};
  const zones = await callAws('DescribeAvailabilityZones', () =>
    ec2.send(new DescribeAvailabilityZonesCommand({ ZoneIds: [...byId.keys()] })),
  );
  const scores: Record<string, number> = {};
  for (const zone of zones?.AvailabilityZones ?? []) {
    const score = zone.ZoneId ? byId.get(zone.ZoneId) : undefined;
    if (zone.ZoneName && score !== undefined) scores[zone.ZoneName] = score;
  }
  return Object.fromEntries(Object.entries(scores).sort(([a], [b]) => a.localeCompare(b)));
}
