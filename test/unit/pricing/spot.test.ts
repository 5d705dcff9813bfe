import { DescribeSpotPriceHistoryCommand, EC2Client } from '@aws-sdk/client-ec2';
import { mockClient } from 'aws-sdk-client-mock';
import { AwsAccessDeniedError } from '../../../lib/errors.js';
import { getSpotPrices, newestPerZone } from '../../../lib/pricing/spot.js';

const ec2Mock = mockClient(EC2Client);
const ec2 = new EC2Client({ region: 'us-east-1' });
const NOW = new Date('2025-06-01T12:00:00.000Z');
const at = (iso: string): Date => new Date(iso);

beforeEach(() => ec2Mock.reset());

describe('getSpotPrices', () => {
  test('asks for Linux prices from now and keeps the newest price per zone', async () => {
    // Prepare
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
      SpotPriceHistory: [
        { AvailabilityZone: 'us-east-1a', SpotPrice: '0.400000', Timestamp: at('2025-06-01T08:00:00Z'), ProductDescription: 'Linux/UNIX' },
        { AvailabilityZone: 'us-east-1a', SpotPrice: '0.350000', Timestamp: at('2025-06-01T10:00:00Z'), ProductDescription: 'Linux/UNIX' },
        { AvailabilityZone: 'us-east-1b', SpotPrice: '0.380000', Timestamp: at('2025-05-31T23:00:00Z'), ProductDescription: 'Linux/UNIX (Amazon VPC)' },
      ],
    });
    // Act
    const prices = await getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1', now: NOW });
    // Assess
    expect(prices).toEqual({
      'us-east-1a': { usdPerHour: 0.35, timestamp: '2025-06-01T10:00:00.000Z' },
      'us-east-1b': { usdPerHour: 0.38, timestamp: '2025-05-31T23:00:00.000Z' },
    });
    const input = ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)[0]?.args[0].input;
    expect(input?.InstanceTypes).toEqual(['g5.xlarge']);
    expect(input?.ProductDescriptions).toEqual(['Linux/UNIX', 'Linux/UNIX (Amazon VPC)']);
    expect(input?.StartTime).toEqual(NOW);
    expect(input?.Filters).toBeUndefined();
  });

  test('ignores zero, negative, missing and non-numeric prices', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({
      SpotPriceHistory: [
        { AvailabilityZone: 'us-east-1a', SpotPrice: '0.000000', Timestamp: at('2025-06-01T11:00:00Z') },
        { AvailabilityZone: 'us-east-1a', SpotPrice: '0.350000', Timestamp: at('2025-06-01T10:00:00Z') },
        { AvailabilityZone: 'us-east-1b', SpotPrice: 'abc', Timestamp: at('2025-06-01T10:00:00Z') },
        { AvailabilityZone: 'us-east-1c', SpotPrice: '-1', Timestamp: at('2025-06-01T10:00:00Z') },
        { AvailabilityZone: 'us-east-1d', Timestamp: at('2025-06-01T10:00:00Z') },
        { AvailabilityZone: 'us-east-1f', SpotPrice: '', Timestamp: at('2025-06-01T10:00:00Z') },
      ],
    });
    const prices = await getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1', now: NOW });
    expect(prices).toEqual({ 'us-east-1a': { usdPerHour: 0.35, timestamp: '2025-06-01T10:00:00.000Z' } });
  });

  test('filters by zone when zones are given and paginates', async () => {
    // Prepare
    ec2Mock
      .on(DescribeSpotPriceHistoryCommand)
      .resolvesOnce({ SpotPriceHistory: [{ AvailabilityZone: 'us-east-1a', SpotPrice: '0.35', Timestamp: NOW }], NextToken: 'p2' })
      .resolvesOnce({
        SpotPriceHistory: [
          { AvailabilityZone: 'us-east-1c', SpotPrice: '0.36', Timestamp: NOW },
          // a zone not asked for, as a stand-in that ignores the filter would answer
          { AvailabilityZone: 'us-east-1d', SpotPrice: '0.30', Timestamp: NOW },
        ],
        NextToken: '',
      });
    // Act
    const prices = await getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1', zones: ['us-east-1a', 'us-east-1c'], now: NOW });
    // Assess
    expect(Object.keys(prices)).toEqual(['us-east-1a', 'us-east-1c']);
    const calls = ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand);
    expect(calls.map((c) => c.args[0].input.NextToken)).toEqual([undefined, 'p2']);
    expect(calls[0]?.args[0].input.Filters).toEqual([{ Name: 'availability-zone', Values: ['us-east-1a', 'us-east-1c'] }]);
  });

  test('stops after a bounded number of pages', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({ NextToken: 'again' });
    expect(await getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1', zones: [] })).toEqual({});
    expect(ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)).toHaveLength(50);
  });

  test('defaults StartTime to the current time', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).resolves({});
    const before = Date.now();
    await getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' });
    const start = ec2Mock.commandCalls(DescribeSpotPriceHistoryCommand)[0]?.args[0].input.StartTime;
    expect(start?.getTime()).toBeGreaterThanOrEqual(before);
  });

  test('turns an UnauthorizedOperation into AwsAccessDeniedError', async () => {
    ec2Mock.on(DescribeSpotPriceHistoryCommand).rejects(Object.assign(new Error('not allowed'), { name: 'UnauthorizedOperation' }));
    await expect(getSpotPrices(ec2, { instanceType: 'g5.xlarge', region: 'us-east-1' })).rejects.toBeInstanceOf(AwsAccessDeniedError);
  });
});

describe('newestPerZone', () => {
  test('drops other regions and undated entries; equal times keep the lower price whatever the order', () => {
    const t = at('2025-06-01T10:00:00Z');
    const prices = [
      { AvailabilityZone: 'us-east-1a', SpotPrice: '0.40', Timestamp: t },
      { AvailabilityZone: 'us-east-1a', SpotPrice: '0.35', Timestamp: t },
      { AvailabilityZone: 'us-west-2a', SpotPrice: '0.10', Timestamp: t },
      { AvailabilityZone: 'us-east-1b', SpotPrice: '0.10' },
      { SpotPrice: '0.10', Timestamp: t },
    ];
    expect(newestPerZone(prices, 'us-east-1')).toEqual({ 'us-east-1a': { usdPerHour: 0.35, timestamp: t.toISOString() } });
    expect(newestPerZone([...prices].reverse(), 'us-east-1')['us-east-1a']?.usdPerHour).toBe(0.35);
  });
});
