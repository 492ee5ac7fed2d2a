/**
 * Configuration shared by every store kind: the record cache and the bound of the open
 * transaction. Defaults live here and nowhere else.
 */
import { bool, intInRange, rejectUnknownKeys } from '../common/config.js';

/**
 * Configuration of a store's cache and transaction buffer.
 *
 * @example
 * ```ts
 * const config: Partial<StoreConfig> = { cacheMaxBytes: 10 << 20, sendOldValues: true };
 * ```
 */
export interface StoreConfig {
  /**
   * Bytes of the record cache in front of the store (Kafka's `statestore.cache.max.bytes`, here
   * per store). The cache collapses repeated updates of a key before they go downstream and to the
   * changelog; 0 turns it off, so every update goes through at once.
   */
  cacheMaxBytes: number;
  /**
   * Bytes of uncommitted writes after which the store reports `commitNeeded`, asking the task to
   * commit early (Kafka's KIP-892 `statestore.uncommitted.max.bytes`).
   */
  maxUncommittedBytes: number;
  /** Hand the previous value of each flushed key to the cache listener (one extra read per entry). */
  sendOldValues: boolean;
}

/**
 * The defaults of every StoreConfig key.
 *
 * @example
 * ```ts
 * DEFAULT_STORE_CONFIG.cacheMaxBytes; // 1 MiB
 * ```
 */
export const DEFAULT_STORE_CONFIG: Readonly<StoreConfig> = Object.freeze({
  cacheMaxBytes: 1024 * 1024,
  maxUncommittedBytes: 64 * 1024 * 1024,
  sendOldValues: false,
});

/**
 * Fills in defaults and validates every key.
 *
 * @example
 * ```ts
 * const config = resolveStoreConfig({ cacheMaxBytes: 0 }); // no cache: every update goes through
 * ```
 * @throws ConfigError naming the first bad key (such as a negative cacheMaxBytes), its value and
 * what is accepted.
 */
export function resolveStoreConfig(input: Partial<StoreConfig> = {}): StoreConfig {
  rejectUnknownKeys('StoreConfig', input, Object.keys(DEFAULT_STORE_CONFIG));
  const c = { ...DEFAULT_STORE_CONFIG, ...input };
  return {
    cacheMaxBytes: intInRange('cacheMaxBytes', c.cacheMaxBytes, 0, Number.MAX_SAFE_INTEGER),
    maxUncommittedBytes: intInRange('maxUncommittedBytes', c.maxUncommittedBytes, 1, Number.MAX_SAFE_INTEGER),
    sendOldValues: bool('sendOldValues', c.sendOldValues),
  };
}
