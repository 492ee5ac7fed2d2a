/**
 * Bookkeeping of the iterators an engine has handed out, so that closing the engine ends them with
 * StoreClosedError instead of leaving them on freed native memory.
 */
import type { BaseKeyValueIterator } from './key-value-iterator.js';

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
