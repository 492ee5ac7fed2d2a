/**
 * Configuration of versioned key-value stores, defaults in one place.
 */
import { intInRange, rejectUnknownKeys } from '../../common/config.js';

/**
 * Configuration of a versioned store.
 *
 * @example
 * ```ts
 * const config: Partial<VersionedStoreConfig> = { historyRetentionMs: 3_600_000 };
 * ```
 */
export interface VersionedStoreConfig {
  /**
   * How long, in stream time, old versions stay readable: `get(key, asOf)` answers for asOf >=
   * streamTime − historyRetentionMs, and older puts are refused. The latest version of each key is
   * kept regardless.
   */
  historyRetentionMs: number;
}

/**
 * The defaults of every VersionedStoreConfig key.
 *
 * @example
 * ```ts
 * DEFAULT_VERSIONED_STORE_CONFIG.historyRetentionMs; // one day
 * ```
 */
export const DEFAULT_VERSIONED_STORE_CONFIG: Readonly<VersionedStoreConfig> = Object.freeze({
  historyRetentionMs: 24 * 60 * 60 * 1000,
});

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveVersionedStoreConfig({ historyRetentionMs: 3_600_000 });
 * ```
 * @throws ConfigError naming the first bad key, its value and what is accepted.
 */
export function resolveVersionedStoreConfig(input: Partial<VersionedStoreConfig> = {}): VersionedStoreConfig {
  rejectUnknownKeys('VersionedStoreConfig', input, Object.keys(DEFAULT_VERSIONED_STORE_CONFIG));
  const c = { ...DEFAULT_VERSIONED_STORE_CONFIG, ...input };
  return {
    historyRetentionMs: intInRange('historyRetentionMs', c.historyRetentionMs, 0, Number.MAX_SAFE_INTEGER),
  };
}
