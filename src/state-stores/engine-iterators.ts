/**
 * Bookkeeping of the iterators an engine has handed out, so that closing the engine ends them with
 * StoreClosedError instead of leaving them on freed native memory.
 */
import { BaseKeyValueIterator, type KeyValue, type KeyValueIterator } from './key-value-iterator.js';

/**
 * The open iterators of one engine.
 *
 * @example
 * ```ts
 * const it = this.iterators.track(new MemoryEngineIterator(cursor, this.iterators));
 * // on close:
 * this.iterators.invalidateAll(this.name);
 * ```
 */
export class OpenIterators {
  private readonly open = new Set<BaseKeyValueIterator<Uint8Array, Uint8Array>>();

  /** Registers `it` until it is released. */
  track<T extends BaseKeyValueIterator<Uint8Array, Uint8Array>>(it: T): T {
    this.open.add(it);
    return it;
  }

  /** Forgets `it` (it was closed or exhausted). */
  release(it: BaseKeyValueIterator<Uint8Array, Uint8Array>): void {
    this.open.delete(it);
  }

  /** Ends every open iterator: later reads throw StoreClosedError naming `store`. */
  invalidateAll(store: string): void {
    const all = [...this.open];
    this.open.clear();
    for (const it of all) it.invalidate(store);
  }
}

/**
 * An iterator registered with `open` until it is closed or exhausted: for iterators built over an
 * engine's native one (an overlay of writes not yet in it), which must fail as the native one does
 * once the engine closes, even when the native one had ended first.
 *
 * @example
 * ```ts
 * return new TrackedIterator(overlayOf(nativeIterator), this.iterators);
 * ```
 */
export class TrackedIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  constructor(
    private readonly inner: KeyValueIterator<Uint8Array, Uint8Array>,
    private readonly open: OpenIterators,
  ) {
    super();
    open.track(this);
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    const r = this.inner.next();
    return r.done ? undefined : r.value;
  }

  protected override release(): void {
    this.open.release(this);
    this.inner.close();
  }
}
