/**
 * Iterators over store entries. They follow Kafka Streams' KeyValueIterator contract in JS form:
 * iterable with for…of, `peekNextKey()`, and `close()`, which releases the engine's resources (a
 * RocksDB iterator pins memory until closed). An iterator closes itself when exhausted and when a
 * for…of loop leaves early, so only iterators abandoned half-way need an explicit close.
 */
import { StoreClosedError } from '../common/errors.js';

/**
 * One entry of a store.
 *
 * @example
 * ```ts
 * const entry: KeyValue<string, number> = { key: 'alice', value: 3 };
 * ```
 */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * An iterator over store entries in the store's order.
 *
 * @example
 * ```ts
 * const it = store.range('a', 'f');
 * try {
 *   for (const { key, value } of it) console.log(key, value);
 * } finally {
 *   it.close();
 * }
 * ```
 */
export interface KeyValueIterator<K, V> extends IterableIterator<KeyValue<K, V>> {
  /** The next entry without consuming it; undefined at the end. */
  peek(): KeyValue<K, V> | undefined;
  /** The next entry's key without consuming it; undefined at the end. */
  peekNextKey(): K | undefined;
  /** Releases the iterator's resources; later calls return nothing. Idempotent. */
  close(): void;
}

/**
 * Base of every store iterator: subclasses produce entries one at a time; this class adds peeking,
 * the JS iterator protocol and closing (on exhaustion, early loop exit and explicit close).
 *
 * @example
 * ```ts
 * class Countdown extends BaseKeyValueIterator<number, string> {
 *   private n = 3;
 *   protected fetchNext() { return this.n > 0 ? { key: this.n, value: `${this.n--}` } : undefined; }
 * }
 * ```
 * @throws StoreClosedError from `next()` when `invalidate` was called (its store closed).
 */
export abstract class BaseKeyValueIterator<K, V> implements KeyValueIterator<K, V> {
  private peeked: KeyValue<K, V> | undefined = undefined;
  private hasPeeked = false;
  private closed = false;
  private invalidatedBy: string | undefined = undefined;

  /** The next entry, or undefined when there are no more. Called only while open. */
  protected abstract fetchNext(): KeyValue<K, V> | undefined;

  /** Releases resources; called once. */
  protected release(): void {}

  /** The next entry without consuming it. */
  peek(): KeyValue<K, V> | undefined {
    if (this.invalidatedBy !== undefined) throw new StoreClosedError(this.invalidatedBy);
    if (!this.hasPeeked) {
      this.peeked = this.fetch();
      this.hasPeeked = true;
    }
    return this.peeked;
  }

  peekNextKey(): K | undefined {
    return this.peek()?.key;
  }

  next(): IteratorResult<KeyValue<K, V>> {
    const entry = this.peek();
    this.hasPeeked = false;
    this.peeked = undefined;
    return entry === undefined ? { done: true, value: undefined } : { done: false, value: entry };
  }

  return(): IteratorResult<KeyValue<K, V>> {
    this.close();
    return { done: true, value: undefined };
  }

  [Symbol.iterator](): this {
    return this;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.hasPeeked = true;
    this.peeked = undefined;
    this.release();
  }

  /** Makes later reads throw StoreClosedError naming `store`: its store was closed under it. */
  invalidate(store: string): void {
    if (this.closed) return;
    this.invalidatedBy = store;
    this.close();
  }

  private fetch(): KeyValue<K, V> | undefined {
    if (this.closed) return undefined;
    const entry = this.fetchNext();
    if (entry === undefined) this.close();
    return entry;
  }
}

/**
 * An iterator over entries already in an array.
 *
 * @example
 * ```ts
 * const it = new ArrayKeyValueIterator([{ key: 'a', value: 1 }]);
 * ```
 */
export class ArrayKeyValueIterator<K, V> extends BaseKeyValueIterator<K, V> {
  private index = 0;

  constructor(private readonly entries: readonly KeyValue<K, V>[]) {
    super();
  }

  protected fetchNext(): KeyValue<K, V> | undefined {
    return this.entries[this.index++];
  }
}

/**
 * An iterator that maps each entry of `source` (closing it when closed); entries for which `map`
 * returns undefined are skipped.
 *
 * @example
 * ```ts
 * const typed = new MappedKeyValueIterator(bytesIt, (e) => ({ key: decode(e.key), value: decode(e.value) }));
 * ```
 */
export class MappedKeyValueIterator<K1, V1, K2, V2> extends BaseKeyValueIterator<K2, V2> {
  constructor(
    private readonly source: KeyValueIterator<K1, V1>,
    private readonly map: (entry: KeyValue<K1, V1>) => KeyValue<K2, V2> | undefined,
  ) {
    super();
  }

  protected fetchNext(): KeyValue<K2, V2> | undefined {
    for (;;) {
      const r = this.source.next();
      if (r.done) return undefined;
      const mapped = this.map(r.value);
      if (mapped !== undefined) return mapped;
    }
  }

  protected override release(): void {
    this.source.close();
  }
}

/**
 * An iterator with no entries.
 *
 * @example
 * ```ts
 * if (from > to) return emptyIterator();
 * ```
 */
export function emptyIterator<K, V>(): KeyValueIterator<K, V> {
  return new ArrayKeyValueIterator<K, V>([]);
}
