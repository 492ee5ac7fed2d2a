/**
 * A k-way merge of sorted iterators into one sorted iterator, for composite stores that keep their
 * data in several segments: each segment's iterator is sorted, and the merge orders their entries
 * by `compare` (which typically ignores the segment prefix).
 */
import { BaseKeyValueIterator, type KeyValue, type KeyValueIterator } from './key-value-iterator.js';

/**
 * Entries of every source, ascending by `compare` (descending with `reverse`). A few sources are
 * expected (a store has a handful of live segments), so the smallest is found by a linear scan.
 *
 * @example
 * ```ts
 * const it = new MergedIterator(segmentIterators, (a, b) => compareBytes(a.subarray(8), b.subarray(8)), false);
 * ```
 */
export class MergedIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  constructor(
    private readonly sources: KeyValueIterator<Uint8Array, Uint8Array>[],
    private readonly compare: (a: Uint8Array, b: Uint8Array) => number,
    private readonly reverse: boolean,
  ) {
    super();
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    let best: KeyValueIterator<Uint8Array, Uint8Array> | undefined;
    let bestKey: Uint8Array | undefined;
    for (const source of this.sources) {
      const entry = source.peek();
      if (entry === undefined) continue;
      if (bestKey === undefined) {
        best = source;
        bestKey = entry.key;
        continue;
      }
      const c = this.compare(entry.key, bestKey);
      if (this.reverse ? c > 0 : c < 0) {
        best = source;
        bestKey = entry.key;
      }
    }
    if (best === undefined) return undefined;
    const r = best.next();
    return r.done ? undefined : r.value;
  }

  protected override release(): void {
    for (const source of this.sources) source.close();
  }
}

/**
 * Entries of each source in turn: for sources whose ranges do not overlap and are already in order.
 *
 * @example
 * ```ts
 * const it = new ConcatIterator(oldestFirstSegmentIterators);
 * ```
 */
export class ConcatIterator extends BaseKeyValueIterator<Uint8Array, Uint8Array> {
  private index = 0;

  constructor(private readonly sources: KeyValueIterator<Uint8Array, Uint8Array>[]) {
    super();
  }

  protected fetchNext(): KeyValue<Uint8Array, Uint8Array> | undefined {
    while (this.index < this.sources.length) {
      const r = this.sources[this.index]!.next();
      if (!r.done) return r.value;
      this.index++;
    }
    return undefined;
  }

  protected override release(): void {
    for (const source of this.sources) source.close();
  }
}
