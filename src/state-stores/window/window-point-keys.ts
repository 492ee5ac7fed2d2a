/**
 * The store keys of single windows (sequence number 0), remembered for the last (key, window
 * start): an aggregation fetches a window and then puts it, so the key is serialized, the store key
 * built and its bytesId computed once for both. A key that is an ASCII string under the string
 * serde is written straight into the store key, without the serde's intermediate array.
 */
import type { Serde } from '../../serdes/serde.js';
import { stringSerde } from '../../serdes/string-serde.js';
import { bytesId } from '../byte-order.js';
import { windowStoreKey, windowStoreKeyOfAscii } from './window-key-schema.js';

/**
 * Builds and remembers single-window store keys.
 *
 * @example
 * ```ts
 * const points = new WindowPointKeys(keySerde, (k) => this.keyBytes(k), (t) => segments.segmentId(t));
 * const storeKey = points.of('user-7', 60_000);
 * store.get(storeKey, points.id);
 * ```
 * @throws from `of`: what the key serde throws.
 */
export class WindowPointKeys<K> {
  /** bytesId of the store key `of` returned last. */
  id = '';
  private lastKey: unknown = undefined;
  private lastStartMs = Number.NaN;
  /**
   * The last store key, kept only for string and number keys (an object may change between calls,
   * and its bytes with it). Nobody changes the array: the stores below copy it or keep it as is.
   */
  private last: Uint8Array | null = null;
  private readonly asciiKeys: boolean;

  constructor(
    keySerde: Serde<K>,
    private readonly keyBytes: (key: K) => Uint8Array,
    private readonly segmentId: (timeMs: number) => number,
  ) {
    this.asciiKeys = (keySerde as Serde<unknown>) === stringSerde;
  }

  /** The store key of `key`'s window starting at `windowStartMs`; its bytesId is then in `id`. */
  of(key: K, windowStartMs: number): Uint8Array {
    if (this.last !== null && key === this.lastKey && windowStartMs === this.lastStartMs) return this.last;
    const segmentId = this.segmentId(windowStartMs);
    const storeKey =
      (this.asciiKeys && typeof key === 'string'
        ? windowStoreKeyOfAscii(segmentId, key, windowStartMs, 0)
        : null) ?? windowStoreKey(segmentId, this.keyBytes(key), windowStartMs, 0);
    this.id = bytesId(storeKey);
    const kind = typeof key;
    this.last = kind === 'string' || kind === 'number' ? storeKey : null;
    this.lastKey = key;
    this.lastStartMs = windowStartMs;
    return storeKey;
  }
}
