/**
 * Configuration of session stores, defaults in one place.
 */
import { intInRange, rejectUnknownKeys } from '../../common/config.js';
import { defaultSegmentIntervalMs } from '../window/window-config.js';

/**
 * Configuration of a session store.
 *
 * @example
 * ```ts
 * const config: Partial<SessionStoreConfig> = { retentionMs: 600_000 };
 * ```
 */
export interface SessionStoreConfig {
  /**
   * How long sessions are kept, by stream time: a session whose end is older than streamTime −
   * retentionMs + 1 is expired (reads skip it; writes to it are dropped). Kafka Streams sets it to
   * the inactivity gap plus the grace period, at least.
   */
  retentionMs: number;
  /** Width of a time segment (by session end); 0 picks Kafka's default, max(retentionMs / 2, 60 000). */
  segmentIntervalMs: number;
}

/**
 * The defaults of every SessionStoreConfig key.
 *
 * @example
 * ```ts
 * DEFAULT_SESSION_STORE_CONFIG.retentionMs; // one day
 * ```
 */
export const DEFAULT_SESSION_STORE_CONFIG: Readonly<SessionStoreConfig> = Object.freeze({
  retentionMs: 24 * 60 * 60 * 1000,
  segmentIntervalMs: 0,
});

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveSessionStoreConfig({ retentionMs: 600_000 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveSessionStoreConfig(input: Partial<SessionStoreConfig> = {}): SessionStoreConfig {
  rejectUnknownKeys('SessionStoreConfig', input, Object.keys(DEFAULT_SESSION_STORE_CONFIG));
  const c = { ...DEFAULT_SESSION_STORE_CONFIG, ...input };
  const retentionMs = intInRange('retentionMs', c.retentionMs, 1, Number.MAX_SAFE_INTEGER);
  const segmentIntervalMs = intInRange('segmentIntervalMs', c.segmentIntervalMs, 0, Number.MAX_SAFE_INTEGER);
  return {
    retentionMs,
    segmentIntervalMs: segmentIntervalMs === 0 ? defaultSegmentIntervalMs(retentionMs) : segmentIntervalMs,
  };
}
