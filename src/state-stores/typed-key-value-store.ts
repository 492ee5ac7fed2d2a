/**
 * A typed key-value store over a bytes store: keys and values go through their serdes, and range
 * order is the byte order of the serialized keys. Serde errors carry the serde topic (by default
 * the store name; the runtime passes the changelog topic, as Kafka Streams does).
 */
import { InvalidRecordError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import { stringSerde } from '../serdes/string-serde.js';
import { CachingBytesStore, type FlushedEntry, type FlushListener } from './caching-bytes-store.js';
import type { ChangelogOffsets } from './engine.js';
import { hasFreshOutput } from './fresh-output-serdes.js';
import type { KeyValueBytesStore } from './key-value-bytes-store.js';
import { type KeyValue, type KeyValueIterator, MappedKeyValueIterator } from './key-value-iterator.js';
import type { KeyValueStore } from './key-value-store.js';
import type { RecordContext } from './record-cache.js';

/**
 * One collapsed update of a typed store, as its flush listener receives it.
 *
 * @example
 * ```ts
 * const listener = (entries: readonly TypedFlushedEntry<string, number>[]) =>
 *   entries.forEach((e) => forward(e.key, e.value, e.context?.timestampMs));
 * ```
 */
export interface TypedFlushedEntry<K, V> {
  readonly key: K;
  /** The new value; null for a delete. */
  readonly value: V | null;
  /** The previous value, when the store sends old values; undefined when absent. */
  readonly oldValue: V | undefined;
  readonly context: RecordContext | undefined;
}

/** Whether every character of `s` is ASCII (so its UTF-8 bytes are its char codes). */
function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) > 0x7f) return false;
  return true;
}

/**
 * Adapts a typed flush listener to the bytes cache below a typed store.
 *
 * @example
 * ```ts
 * const listener = typedFlushListener(Serdes.string(), Serdes.int64(), 'counts', (entries) => …);
 * ```
 * @throws SerializationError (from the listener call) when flushed bytes do not deserialize.
 */
export function typedFlushListener<K, V>(
  keySerde: Serde<K>,
  valueSerde: Serde<V>,
  topic: string,
  listener: (entries: readonly TypedFlushedEntry<K, V>[]) => void,
): FlushListener {
  return (entries: readonly FlushedEntry[]) =>
    listener(
      entries.map((e) => ({
        key: keySerde.deserialize(topic, e.key),
        value: e.value === null ? null : valueSerde.deserialize(topic, e.value),
        oldValue: e.oldValue === undefined ? undefined : valueSerde.deserialize(topic, e.oldValue),
        context: e.context,
      })),
    );
}

/**
 * A KeyValueStore<K, V> over a KeyValueBytesStore.
 *
 * @example
 * ```ts
 * const store = new TypedKeyValueStore(bytes, Serdes.string(), Serdes.int64());
 * store.put('alice', 3);
 * store.get('alice'); // 3
 * ```
 * @throws SerializationError when a key or value does not serialize or stored bytes do not
 * deserialize; InvalidRecordError when a key serializes to null; StoreClosedError once closed.
 */
export class TypedKeyValueStore<K, V> implements KeyValueStore<K, V> {
  /** `bytes` when it may keep serialized values as they are (see hasFreshOutput). */
  private readonly ownsValues: CachingBytesStore | undefined;
  /** Whether keys go through the string serde (UTF-8). */
  private readonly stringKeys: boolean;

  constructor(
    readonly bytes: KeyValueBytesStore,
    readonly keySerde: Serde<K>,
    readonly valueSerde: Serde<V>,
    readonly serdeTopic: string = bytes.name,
  ) {
    this.ownsValues =
      bytes instanceof CachingBytesStore && hasFreshOutput(valueSerde as Serde<unknown>) ? bytes : undefined;
    this.stringKeys = (keySerde as object) === stringSerde;
  }

  get name(): string {
    return this.bytes.name;
  }

  get persistent(): boolean {
    return this.bytes.persistent;
  }

  get isOpen(): boolean {
    return this.bytes.isOpen;
  }

  get uncommittedBytes(): number {
    return this.bytes.uncommittedBytes;
  }

  get commitNeeded(): boolean {
    return this.bytes.commitNeeded;
  }

  get(key: K): V | undefined {
    return this.valueOf(this.bytes.get(this.keyBytes(key)));
  }

  put(key: K, value: V | null): void {
    const cache = this.ownsValues;
    if (cache !== undefined && this.stringKeys && typeof key === 'string' && isAscii(key)) {
      // An ASCII string is its own UTF-8 bytes read as latin1, i.e. their bytesId: the cache looks
      // it up by the caller's string (its hash already known), and an update of a cached key needs
      // no key bytes at all (the string serde's output is fixed by the string).
      const v = value === null ? null : this.valueSerde.serialize(this.serdeTopic, value);
      if (!cache.putCachedOwnedValue(key, v)) cache.putOwnedValue(this.keyBytes(key), v, key);
      return;
    }
    const k = this.keyBytes(key);
    const v = value === null ? null : this.valueSerde.serialize(this.serdeTopic, value);
    if (cache !== undefined) cache.putOwnedValue(k, v);
    else this.bytes.put(k, v);
  }

  putIfAbsent(key: K, value: V): V | undefined {
    const bytes = this.valueSerde.serialize(this.serdeTopic, value);
    const k = this.keyBytes(key);
    if (bytes === null) return this.valueOf(this.bytes.get(k));
    return this.valueOf(this.bytes.putIfAbsent(k, bytes));
  }

  putAll(entries: Iterable<KeyValue<K, V | null>>): void {
    for (const { key, value } of entries) this.put(key, value);
  }

  delete(key: K): V | undefined {
    return this.valueOf(this.bytes.delete(this.keyBytes(key)));
  }

  range(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.typed(this.bytes.range(this.boundBytes(from), this.boundBytes(to)));
  }

  reverseRange(from: K | null, to: K | null): KeyValueIterator<K, V> {
    return this.typed(this.bytes.reverseRange(this.boundBytes(from), this.boundBytes(to)));
  }

  all(): KeyValueIterator<K, V> {
    return this.typed(this.bytes.all());
  }

  reverseAll(): KeyValueIterator<K, V> {
    return this.typed(this.bytes.reverseAll());
  }

  prefixScan<P>(prefix: P, prefixSerde: Serde<P>): KeyValueIterator<K, V> {
    const bytes = prefixSerde.serialize(this.serdeTopic, prefix);
    return this.typed(this.bytes.prefixScanBytes(bytes ?? new Uint8Array(0)));
  }

  approximateNumEntries(): number {
    return this.bytes.approximateNumEntries();
  }

  flush(): void {
    this.bytes.flush();
  }

  commit(changelogOffsets?: ChangelogOffsets): void {
    this.bytes.commit(changelogOffsets);
  }

  abort(): void {
    this.bytes.abort();
  }

  committedOffsets(): ChangelogOffsets {
    return this.bytes.committedOffsets();
  }

  close(): Promise<void> {
    return this.bytes.close();
  }

  private keyBytes(key: K): Uint8Array {
    const bytes = this.keySerde.serialize(this.serdeTopic, key);
    if (bytes === null) {
      throw new InvalidRecordError(
        `the key of a put to store ${JSON.stringify(this.name)} serialized to null with serde ` +
          `${this.keySerde.name}; stores need a key`,
      );
    }
    return bytes;
  }

  private boundBytes(key: K | null): Uint8Array | null {
    return key === null || key === undefined ? null : this.keyBytes(key);
  }

  private valueOf(bytes: Uint8Array | undefined): V | undefined {
    return bytes === undefined ? undefined : this.valueSerde.deserialize(this.serdeTopic, bytes);
  }

  private typed(it: KeyValueIterator<Uint8Array, Uint8Array>): KeyValueIterator<K, V> {
    return new MappedKeyValueIterator(it, (e) => ({
      key: this.keySerde.deserialize(this.serdeTopic, e.key),
      value: this.valueSerde.deserialize(this.serdeTopic, e.value),
    }));
  }
}
