/**
 * Key-value stores over bytes: the layer that engines, the transaction buffer and the record cache
 * implement, and that typed stores (and the window, session and versioned stores) are built on.
 * Keys and values are copied on write, so callers may reuse their buffers; arrays returned by reads
 * belong to the store and must not be modified.
 */

import type { Serde } from '../serdes/serde.js';
import { compareBytes, keySuccessor, prefixEnd } from './byte-order.js';
import type { ByteRange } from './engine.js';
import { emptyIterator, type KeyValue, type KeyValueIterator } from './key-value-iterator.js';
import type { KeyValueStore } from './key-value-store.js';

/**
 * A key-value store of byte strings, with the raw range access composite stores need.
 *
 * @example
 * ```ts
 * bytes.put(Buffer.from('k'), Buffer.from('v'));
 * const it = bytes.iterate({ from: lo, toExclusive: hi, reverse: false });
 * ```
 */
export interface KeyValueBytesStore extends KeyValueStore<Uint8Array, Uint8Array> {
  /**
   * The value of `key`, or undefined. `id`, when given, is bytesId(key): a caller that reads and
   * then writes the same key (a window aggregation) computes it once for every hash lookup below.
   */
  get(key: Uint8Array, id?: string): Uint8Array | undefined;
  /** Puts `value` (null deletes) for `key`, both copied. `id`, when given, is bytesId(key). */
  put(key: Uint8Array, value: Uint8Array | null, id?: string): void;
  /** Entries in [from, toExclusive), ascending or descending. */
  iterate(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array>;
  /** Prefix scan over raw bytes. */
  prefixScanBytes(prefix: Uint8Array): KeyValueIterator<Uint8Array, Uint8Array>;
  /**
   * Physically removes committed keys in [from, toExclusive) from the engine, outside any
   * transaction. Only for data that readers already ignore (expired segments); call it right after
   * `commit`, when nothing is buffered.
   */
  purgeCommitted(from: Uint8Array, toExclusive: Uint8Array): void;
}

/**
 * The parts of a KeyValueBytesStore that follow from get, put and iterate: range bounds, prefix
 * scans, putIfAbsent, putAll and delete.
 *
 * @example
 * ```ts
 * class MyStore extends KeyValueBytesStoreBase { get() {…} put() {…} iterate() {…} … }
 * ```
 */
export abstract class KeyValueBytesStoreBase implements Partial<KeyValueBytesStore> {
  abstract get(key: Uint8Array): Uint8Array | undefined;
  abstract put(key: Uint8Array, value: Uint8Array | null): void;
  abstract iterate(range: ByteRange): KeyValueIterator<Uint8Array, Uint8Array>;
  /** Throws StoreClosedError when the store is closed. */
  protected abstract checkOpen(): void;

  putIfAbsent(key: Uint8Array, value: Uint8Array): Uint8Array | undefined {
    const old = this.get(key);
    if (old === undefined) this.put(key, value);
    return old;
  }

  putAll(entries: Iterable<KeyValue<Uint8Array, Uint8Array | null>>): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: Uint8Array): Uint8Array | undefined {
    const old = this.get(key);
    this.put(key, null);
    return old;
  }

  range(from: Uint8Array | null, to: Uint8Array | null): KeyValueIterator<Uint8Array, Uint8Array> {
    return this.bounded(from, to, false);
  }

  reverseRange(from: Uint8Array | null, to: Uint8Array | null): KeyValueIterator<Uint8Array, Uint8Array> {
    return this.bounded(from, to, true);
  }

  all(): KeyValueIterator<Uint8Array, Uint8Array> {
    return this.iterate({ from: null, toExclusive: null, reverse: false });
  }

  reverseAll(): KeyValueIterator<Uint8Array, Uint8Array> {
    return this.iterate({ from: null, toExclusive: null, reverse: true });
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<Uint8Array, Uint8Array> {
    const bytes = prefixSerde.serialize('', prefix);
    return this.prefixScanBytes(bytes ?? new Uint8Array(0));
  }

  prefixScanBytes(prefix: Uint8Array): KeyValueIterator<Uint8Array, Uint8Array> {
    return this.iterate({ from: prefix, toExclusive: prefixEnd(prefix), reverse: false });
  }

  private bounded(from: Uint8Array | null, to: Uint8Array | null, reverse: boolean) {
    // Kafka Streams returns nothing (no error) when from sorts after to.
    if (from !== null && to !== null && compareBytes(from, to) > 0) {
      this.checkOpen();
      return emptyIterator<Uint8Array, Uint8Array>();
    }
    return this.iterate({ from, toExclusive: to === null ? null : keySuccessor(to), reverse });
  }
}
