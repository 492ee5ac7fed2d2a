/**
 * The aborted transactions of a partition (Kafka's transaction index): for each ABORT marker, the
 * producer, the first offset of the transaction and the marker's offset. A read_committed fetch
 * returns the ones that overlap the data it serves, so the consumer can drop those producers'
 * batches until it reaches their markers.
 *
 * Entries are kept in marker order (so by last offset), in parallel number arrays: a lookup is a
 * binary search on the last offset, and the scan stops once no further entry can start below the
 * end of the range, using the widest transaction seen (`maxSpan`) as the bound.
 */
import { assert } from '../../../common/assert.js';

/**
 * A transaction's extent in the log: its producer, first offset and the offset of its marker.
 *
 * @example
 * ```ts
 * const aborted: TxnRange = { producerId: 7, firstOffset: 100, lastOffset: 142 };
 * ```
 */
export interface TxnRange {
  producerId: number;
  firstOffset: number;
  lastOffset: number;
}

/**
 * The aborted-transaction index of one partition.
 *
 * @example
 * ```ts
 * const index = new AbortedTransactionIndex();
 * index.add(7, 100, 142);
 * index.overlapping(120, 200); // [{ producerId: 7, firstOffset: 100 }]
 * ```
 */
export class AbortedTransactionIndex {
  private producerIds: number[] = [];
  private firstOffsets: number[] = [];
  private lastOffsets: number[] = [];
  /** The largest lastOffset - firstOffset of any entry ever added: bounds the forward scan. */
  private maxSpan = 0;

  /** The number of entries. */
  get size(): number {
    return this.lastOffsets.length;
  }

  /**
   * Adds an aborted transaction; its marker must come after every entry's.
   *
   * @throws AssertionFailedError if `lastOffset` is not past the last entry's (markers are
   *   appended in log order, so this is a bug).
   */
  add(producerId: number, firstOffset: number, lastOffset: number): void {
    const n = this.lastOffsets.length;
    assert(
      n === 0 || this.lastOffsets[n - 1]! < lastOffset,
      'aborted transactions are added in marker order',
    );
    this.producerIds.push(producerId);
    this.firstOffsets.push(firstOffset);
    this.lastOffsets.push(lastOffset);
    if (lastOffset - firstOffset > this.maxSpan) this.maxSpan = lastOffset - firstOffset;
  }

  /**
   * The aborted transactions that may have data in [fromOffset, upToOffset): those whose marker is
   * at or after `fromOffset` and whose first offset is below `upToOffset`.
   */
  overlapping(fromOffset: number, upToOffset: number): { producerId: number; firstOffset: number }[] {
    const out: { producerId: number; firstOffset: number }[] = [];
    const n = this.lastOffsets.length;
    for (let i = this.firstEndingAtOrAfter(fromOffset); i < n; i++) {
      const last = this.lastOffsets[i]!;
      // Every later entry ends at or after `last`, so starts at or after last - maxSpan.
      if (last - this.maxSpan >= upToOffset) break;
      const first = this.firstOffsets[i]!;
      if (first < upToOffset) out.push({ producerId: this.producerIds[i]!, firstOffset: first });
    }
    return out;
  }

  /** Drops entries whose marker is below `offset` (the log start moved past them). */
  trimBelow(offset: number): void {
    const drop = this.firstEndingAtOrAfter(offset);
    if (drop === 0) return;
    this.producerIds.splice(0, drop);
    this.firstOffsets.splice(0, drop);
    this.lastOffsets.splice(0, drop);
  }

  /** Every entry in marker order (for snapshots and tests; allocates). */
  entries(): TxnRange[] {
    return this.lastOffsets.map((lastOffset, i) => ({
      producerId: this.producerIds[i]!,
      firstOffset: this.firstOffsets[i]!,
      lastOffset,
    }));
  }

  /** Index of the first entry whose marker is at or after `offset` (size if none). */
  private firstEndingAtOrAfter(offset: number): number {
    let lo = 0;
    let hi = this.lastOffsets.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.lastOffsets[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
}
