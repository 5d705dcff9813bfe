import { jest } from '@jest/globals';

// The module's cache reads `Date.now` when it is created, so the clock is faked before the module is loaded.
const START = Date.parse('2025-01-01T00:00:00Z');
jest.useFakeTimers({ now: START });
const { markUnavailable, recentlyUnavailable, UNAVAILABLE_TTL_MS } = await import('../../../lib/capacity/unavailable.js');

afterAll(() => jest.useRealTimers());

test('an unavailable offering is remembered for three minutes, then forgotten', () => {
  // Prepare
  markUnavailable('us-east-1', { instanceType: 'g5.xlarge', zone: 'us-east-1a', market: 'spot' });
  // Act
  jest.setSystemTime(START + UNAVAILABLE_TTL_MS - 1);
  const justBefore = [...recentlyUnavailable('us-east-1', 'g5.xlarge', ['us-east-1a'])];
  jest.setSystemTime(START + UNAVAILABLE_TTL_MS);
  const atExpiry = [...recentlyUnavailable('us-east-1', 'g5.xlarge', ['us-east-1a'])];
  // Assess
  expect(UNAVAILABLE_TTL_MS).toBe(3 * 60 * 1000);
  expect(justBefore).toEqual(['us-east-1a|spot']);
  expect(atExpiry).toEqual([]);
});
