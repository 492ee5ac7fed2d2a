/**
 * The transactions of a partition as far as readers care: which are open (and where they began),
 * which have completed but whose markers the high watermark has not yet passed, and which were
 * aborted. From these come the last stable offset and the aborted transactions a read_committed
 * fetch returns.
 *
 * The last stable offset is the smallest of the high watermark, the first offset of every open
 * transaction, and the first offset of every completed transaction whose marker is not yet below
 * the high watermark (its outcome is not yet safe). Open transactions sit in a Map in the order they
 * began, which is their first-offset order (offsets only grow), so the oldest is its first entry;
 * completed ones sit in marker order and leave from the front as the high watermark passes.
 */
import { AbortedTransactionIndex, type TxnRange } from './aborted-transaction-index.js';

/**
 * The open, unsettled and aborted transactions of one partition.
 *
 * @example
 * ```ts
 * const txns = new TransactionTracker();
 * txns.begin(7, 100);
 * txns.lastStableOffset(150); // 100
 * txns.complete(7, 100, 160, true);
 * txns.lastStableOffset(161); // 161
 * ```
 */
export class TransactionTracker {
  /** The aborted-transaction index. */
  readonly aborted = new AbortedTransactionIndex();
  /** Producer id → first offset of its open transaction, in first-offset order. */
  private readonly open = new Map<number, number>();
  /** Completed transactions whose marker the high watermark may not have passed, in marker order. */
  private completed: TxnRange[] = [];
  private completedHead = 0;

  /** Records that `producerId` opened a transaction at `firstOffset` (past every offset seen so far). */
  begin(producerId: number, firstOffset: number): void {
    this.open.set(producerId, firstOffset);
  }

  /** Records the marker at `markerOffset` that ended the transaction begun at `firstOffset`. */
  complete(producerId: number, firstOffset: number, markerOffset: number, aborted: boolean): void {
    this.open.delete(producerId);
    this.completed.push({ producerId, firstOffset, lastOffset: markerOffset });
    if (aborted) this.aborted.add(producerId, firstOffset, markerOffset);
  }

  /** The last stable offset given the high watermark `hw` (equal to it when nothing is unsettled). */
  lastStableOffset(hw: number): number {
    this.onHighWatermark(hw);
    let lso = hw;
    if (this.open.size > 0) {
      for (const first of this.open.values()) {
        if (first < lso) lso = first;
        break; // the first is the oldest
      }
    }
    for (let i = this.completedHead; i < this.completed.length; i++) {
      const first = this.completed[i]!.firstOffset;
      if (first < lso) lso = first;
    }
    return lso;
  }

  /** Forgets completed transactions whose markers are below the high watermark: they are settled. */
  onHighWatermark(hw: number): void {
    const completed = this.completed;
    let head = this.completedHead;
    while (head < completed.length && completed[head]!.lastOffset < hw) head++;
    if (head > 32 && head * 2 > completed.length) {
      completed.splice(0, head);
      head = 0;
    }
    this.completedHead = head;
  }

  /** The completed transactions not yet known to be settled, in marker order (allocates). */
  unsettled(): TxnRange[] {
    return this.completed.slice(this.completedHead).map((t) => ({ ...t }));
  }

  /**
   * Restores the tracker from a snapshot: the open transactions (in any order), the unsettled
   * completed ones and the aborted index, both in marker order.
   */
  restore(
    open: readonly (readonly [number, number])[],
    unsettled: readonly TxnRange[],
    aborted: readonly TxnRange[],
  ): void {
    for (const [pid, first] of [...open].sort((a, b) => a[1] - b[1])) this.open.set(pid, first);
    this.completed = unsettled.map((t) => ({ ...t }));
    this.completedHead = 0;
    for (const t of aborted) this.aborted.add(t.producerId, t.firstOffset, t.lastOffset);
  }
}
