/**
 * Configuration of window stores, defaults in one place.
 */
import { bool, intInRange, rejectUnknownKeys } from '../../common/config.js';
import { ConfigError } from '../../common/errors.js';

/**
 * Configuration of a window store.
 *
 * @example
 * ```ts
 * const config: Partial<WindowStoreConfig> = { windowSizeMs: 60_000, retentionMs: 3_600_000 };
 * ```
 */
export interface WindowStoreConfig {
  /** The size of each window: a window starting at t ends (exclusive) at t + windowSizeMs. Required. */
  windowSizeMs: number;
  /**
   * How long windows are kept, by stream time: a window whose start is older than streamTime −
   * retentionMs + 1 is expired (reads skip it; writes to it are dropped). At least windowSizeMs.
   */
  retentionMs: number;
  /**
   * Keep every put as its own entry, even for the same key and window (stream-stream joins need
   * this). A put of null is then ignored.
   */
  retainDuplicates: boolean;
  /** Width of a time segment; 0 picks Kafka's default, max(retentionMs / 2, 60 000). */
  segmentIntervalMs: number;
  /**
   * Entries of the typed value cache (see window-value-cache.ts); 0 turns it off. It serves
   * string keys with values that round-trip through their serde (counts, sums, strings) when no
   * record cache sits in front of the store, and never changes what the store returns or forwards.
   * About 100 bytes an entry.
   */
  valueCacheEntries: number;
}

/**
 * The defaults of the optional keys.
 *
 * @example
 * ```ts
 * DEFAULT_WINDOW_STORE_CONFIG.retentionMs; // one day
 * ```
 */
export const DEFAULT_WINDOW_STORE_CONFIG: Readonly<Omit<WindowStoreConfig, 'windowSizeMs'>> = Object.freeze({
  retentionMs: 24 * 60 * 60 * 1000,
  retainDuplicates: false,
  segmentIntervalMs: 0,
  // Two 1-minute windows of 100 k keys (the dsl-windowed benchmark) fit, with room to spare.
  valueCacheEntries: 1 << 18,
});

/**
 * The segment width Kafka Streams picks for a retention: max(retention / 2, 60 s).
 *
 * @example
 * ```ts
 * defaultSegmentIntervalMs(86_400_000); // 43 200 000
 * ```
 */
export function defaultSegmentIntervalMs(retentionMs: number): number {
  return Math.max(Math.floor(retentionMs / 2), 60_000);
}

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveWindowStoreConfig({ windowSizeMs: 60_000, retentionMs: 3_600_000 });
 * ```
 * @throws ConfigError naming the first bad or missing key, its value and what is accepted.
 */
export function resolveWindowStoreConfig(
  input: Partial<WindowStoreConfig> & { windowSizeMs: number },
): WindowStoreConfig {
  rejectUnknownKeys('WindowStoreConfig', input, [
    'windowSizeMs',
    ...Object.keys(DEFAULT_WINDOW_STORE_CONFIG),
  ]);
  const c = { ...DEFAULT_WINDOW_STORE_CONFIG, ...input };
  const windowSizeMs = intInRange('windowSizeMs', c.windowSizeMs, 1, Number.MAX_SAFE_INTEGER);
  const retentionMs = intInRange('retentionMs', c.retentionMs, 1, Number.MAX_SAFE_INTEGER);
  if (retentionMs < windowSizeMs) {
    throw new ConfigError('retentionMs', retentionMs, `at least windowSizeMs (${windowSizeMs})`);
  }
  const segmentIntervalMs = intInRange('segmentIntervalMs', c.segmentIntervalMs, 0, Number.MAX_SAFE_INTEGER);
  return {
    windowSizeMs,
    retentionMs,
    retainDuplicates: bool('retainDuplicates', c.retainDuplicates),
    segmentIntervalMs: segmentIntervalMs === 0 ? defaultSegmentIntervalMs(retentionMs) : segmentIntervalMs,
    valueCacheEntries: intInRange('valueCacheEntries', c.valueCacheEntries, 0, 2 ** 30),
  };
}
