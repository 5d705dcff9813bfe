import { DEFAULT_TTL_MS, TtlCache } from '../../../lib/cache.js';

describe('TtlCache', () => {
  test('defaults to a six-hour TTL', () => {
    expect(DEFAULT_TTL_MS).toBe(21_600_000);
    expect(new TtlCache().ttlMs).toBe(DEFAULT_TTL_MS);
  });

  test('returns a value until its TTL passes, then forgets it', () => {
    // Prepare
    let now = 0;
    const cache = new TtlCache<string, number>({ ttlMs: 100, clock: () => now });
    cache.set('k', 1);
    // Act
    now = 99;
    const fresh = cache.get('k');
    now = 100;
    const expired = cache.get('k');
    // Assess
    expect(fresh).toBe(1);
    expect(expired).toBeUndefined();
    expect(cache.size).toBe(0);
  });

  test('uses the real clock by default', () => {
    const cache = new TtlCache<string, string>();
    cache.set('k', 'v');
    expect(cache.get('k')).toBe('v');
    expect(cache.get('missing')).toBeUndefined();
  });

  test('setting again renews the entry', () => {
    let now = 0;
    const cache = new TtlCache<string, number>({ ttlMs: 100, clock: () => now });
    cache.set('k', 1);
    now = 90;
    cache.set('k', 2);
    now = 150;
    expect(cache.get('k')).toBe(2);
  });

  test('evicts the oldest entry past maxEntries', () => {
    const cache = new TtlCache<string, number>({ maxEntries: 2 });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('a', 3);
    cache.set('c', 4);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.size]).toEqual([3, 4, 2]);
  });

  test('delete and clear', () => {
    const cache = new TtlCache<string, number>();
    cache.set('a', 1);
    cache.set('b', 2);
    expect(cache.delete('a')).toBe(true);
    expect(cache.delete('a')).toBe(false);
    cache.clear();
    expect(cache.size).toBe(0);
  });

  test('refuses a non-positive TTL or size', () => {
    expect(() => new TtlCache({ ttlMs: 0 })).toThrow(RangeError);
    expect(() => new TtlCache({ ttlMs: Number.NaN })).toThrow(RangeError);
    expect(() => new TtlCache({ maxEntries: 0 })).toThrow(RangeError);
  });
});
