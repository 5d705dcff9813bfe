/**
 * A small in-memory cache whose entries expire after a fixed time. The clock is injected so tests can move time;
 * in a Lambda the module-level instance lives as long as the warm container.
 */

/** Prices change rarely (a few times a year); six hours keeps warm Lambdas cheap and still picks up changes. */
export const DEFAULT_TTL_MS = 6 * 60 * 60 * 1000;

export interface TtlCacheOptions {
  /** How long an entry lives, in milliseconds (default 6 hours). */
  ttlMs?: number;
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number;
  /** Oldest entries are evicted past this size (default 1000), so a long-lived process cannot grow without bound. */
  maxEntries?: number;
}

/**
 * @example
 * const cache = new TtlCache<string, number>({ ttlMs: 60_000 });
 * cache.set('us-east-1:g5.xlarge', 1.006);
 * cache.get('us-east-1:g5.xlarge'); // 1.006 for the next minute, then undefined
 */
export class TtlCache<K, V> {
  readonly ttlMs: number;
  private readonly clock: () => number;
  private readonly maxEntries: number;
  private readonly entries = new Map<K, { value: V; expiresAt: number }>();

  constructor(options: TtlCacheOptions = {}) {
    const { ttlMs = DEFAULT_TTL_MS, clock = Date.now, maxEntries = 1000 } = options;
    if (!(ttlMs > 0)) throw new RangeError(`ttlMs must be positive, got ${ttlMs}`);
    if (!(maxEntries >= 1)) throw new RangeError(`maxEntries must be at least 1, got ${maxEntries}`);
    this.ttlMs = ttlMs;
    this.clock = clock;
    this.maxEntries = maxEntries;
  }

  /** The live value for `key` at time `at` (default: the clock), dropping it if it has expired. */
  get(key: K, at: number = this.clock()): V | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (at >= entry.expiresAt) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: K, value: V, at: number = this.clock()): void {
    this.entries.delete(key); // re-insert so Map order stays oldest-first for eviction
    this.entries.set(key, { value, expiresAt: at + this.ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value as K;
      this.entries.delete(oldest);
    }
  }

  delete(key: K): boolean {
    return this.entries.delete(key);
  }

  clear(): void {
    this.entries.clear();
  }

  /** Entries held, expired or not. */
  get size(): number {
    return this.entries.size;
  }
}
