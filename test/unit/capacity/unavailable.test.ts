import { clearUnavailable, markUnavailable, recentlyUnavailable } from '../../../lib/capacity/unavailable.js';

const ZONES = ['us-east-1a', 'us-east-1b'];

beforeEach(() => clearUnavailable());

describe('unavailable offerings', () => {
  test('a marked (type, zone, market) comes back as zone|market for the same region and type only', () => {
    // Prepare
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1a', market: 'spot' });
    // Act
    const same = recentlyUnavailable('us-east-1', 'g5.xlarge', ZONES);
    const otherType = recentlyUnavailable('us-east-1', 'g6.xlarge', ZONES);
    const otherRegion = recentlyUnavailable('us-west-2', 'g5.xlarge', ZONES);
    // Assess
    expect([...same]).toEqual(['us-east-1a|spot']);
    expect(otherType.size).toBe(0);
    expect(otherRegion.size).toBe(0);
  });

  test('both markets of several zones, only for the zones asked about', () => {
    // Prepare
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1a', market: 'on-demand' });
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1b', market: 'spot' });
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1b', market: 'on-demand' });
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1c', market: 'spot' });
    // Act
    const recent = recentlyUnavailable('us-east-1', 'g5.xlarge', ZONES);
    // Assess
    expect([...recent]).toEqual(['us-east-1a|on-demand', 'us-east-1b|spot', 'us-east-1b|on-demand']);
  });

  test('clearUnavailable forgets everything', () => {
    // Prepare
    markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1a', market: 'spot' });
    // Act
    clearUnavailable();
    // Assess
    expect(recentlyUnavailable('us-east-1', 'g5.xlarge', ZONES).size).toBe(0);
  });
});
