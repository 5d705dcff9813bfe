import { DescribeAvailabilityZonesCommand, EC2Client, GetSpotPlacementScoresCommand } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { getSpotPlacementScores } from '../../../lib/capacity/placement.js';
import { AwsAccessDeniedError } from '../../../lib/errors.js';
import { sdkError } from './helpers.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });

beforeEach(() => ec2Mock.reset());

describe('getSpotPlacementScores', () => {
  test('one-instance, single-zone scores for the type, mapped from zone ids to this account\'s zone names', async () => {
    // Prepare
    ec2Mock.on(GetSpotPlacementScoresCommand).resolves({
      SpotPlacementScores: [
        { Region: 'us-east-1', AvailabilityZoneId: 'use1-az1', Score: 9 },
        { Region: 'us-east-1', AvailabilityZoneId: 'use1-az6', Score: 3 },
        { Region: 'us-west-2', AvailabilityZoneId: 'usw2-az1', Score: 10 },
        { Region: 'us-east-1', AvailabilityZoneId: 'use1-az2' },
      ],
    });
    ec2Mock.on(DescribeAvailabilityZonesCommand).resolves({
      AvailabilityZones: [
        { ZoneName: 'us-east-1b', ZoneId: 'use1-az1' },
        { ZoneName: 'us-east-1a', ZoneId: 'use1-az6' },
        { ZoneName: 'us-east-1z' },
      ],
    });
    // Act
    const scores = await getSpotPlacementScores(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' });
    // Assess
    expect(scores).toEqual({ 'us-east-1a': 3, 'us-east-1b': 9 });
    expect(Object.keys(scores)).toEqual(['us-east-1a', 'us-east-1b']);
    expect(ec2Mock.commandCalls(GetSpotPlacementScoresCommand)[0]?.args[0].input).toEqual({
      InstanceTypes: ['g5.xlarge'],
      TargetCapacity: 1,
      TargetCapacityUnitType: 'units',
      SingleAvailabilityZone: true,
      RegionNames: ['us-east-1'],
      MaxResults: 10,
    });
    expect(ec2Mock.commandCalls(DescribeAvailabilityZonesCommand)[0]?.args[0].input).toEqual({ ZoneIds: ['use1-az1', 'use1-az6'] });
  });

  test('no scores: empty, and no zone lookup', async () => {
    // Prepare
    ec2Mock.on(GetSpotPlacementScoresCommand).resolves({});
    // Act + Assess
    await expect(getSpotPlacementScores(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' })).resolves.toEqual({});
    expect(ec2Mock.commandCalls(DescribeAvailabilityZonesCommand)).toHaveLength(0);
  });

  test('not allowed: a project error by code (the caller degrades)', async () => {
    // Prepare
    ec2Mock.on(GetSpotPlacementScoresCommand).rejects(sdkError('UnauthorizedOperation', 403));
    // Act + Assess
    await expect(getSpotPlacementScores(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' })).rejects.toBeInstanceOf(AwsAccessDeniedError);
  });
});
