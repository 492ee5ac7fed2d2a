/**
 * The offsets of transactions still open, as one group holds them (KIP-98, KIP-447): per
 * producer, the offsets its TxnOffsetCommits wrote to `__consumer_offsets`, waiting for the
 * transaction's marker. A COMMIT makes them the committed offsets, an ABORT drops them; until then
 * they are never fetched as committed, and a `requireStable` fetch of their partitions is answered
 * UNSTABLE_OFFSET_COMMIT.
 *
 * Every committed and pending offset carries its position: where in the partition's log it was
 * written, as an order (the index of the record when loaded, a counter that continues from there
 * for writes since). A COMMIT replaces a committed offset only by one written after it, as Kafka
 * does: a plain commit that lands between a transaction's offsets and its COMMIT marker wins. So
 * the group holds the same offsets live as when loaded back from the log.
 */
import type { OffsetCommitValue } from './offsets-topic-records.js';

/**
 * A committed offset as a group holds it: the stored value and where it was written.
 *
 * @example
 * ```ts
 * group.setOffset('orders', 0, { ...value, position: group.nextPosition++ } satisfies CommittedOffset);
 * ```
 */
export interface CommittedOffset extends OffsetCommitValue {
  /** The order of its write in the partition's log: a later write has a larger position. */
  position: number;
}

/**
 * An offset of a transaction still open.
 *
 * @example
 * ```ts
 * for (const p of group.txnOffsets.take(producerId)) group.setOffset(p.topic, p.partition, p.value);
 * ```
 */
export interface PendingTxnOffset {
  readonly topic: string;
  readonly partition: number;
  readonly value: CommittedOffset;
}

/**
 * The pending offsets of one producer's open transaction.
 *
 * @example
 * ```ts
 * const txn: ProducerTxnOffsets = { producerEpoch: 3, offsets: new Map() };
 * ```
 */
export interface ProducerTxnOffsets {
  /** The newest epoch the producer wrote offsets with. */
  producerEpoch: number;
  /** By `tpKey(topic, partition)`: a later TxnOffsetCommit of the producer overwrites. */
  readonly offsets: Map<string, PendingTxnOffset>;
}

/**
 * The key of a topic partition in the maps here.
 *
 * @example
 * ```ts
 * tpKey('orders', 3); // '3:orders'
 * ```
 */
export function tpKey(topic: string, partition: number): string {
  return `${partition}:${topic}`;
}

/**
 * The pending transactional offsets of one group, by producer.
 *
 * @example
 * ```ts
 * const txn = new TxnOffsets();
 * txn.add(7, 3, 'orders', 0, { offset: 42, leaderEpoch: -1, metadata: '', commitTimestampMs: now, position: 5 });
 * txn.isPending('orders', 0); // true
 * txn.take(7); // the offsets to commit on the producer's COMMIT marker
 * ```
 */
export class TxnOffsets {
  /** producer id → its open transaction's offsets. */
  readonly byProducer = new Map<number, ProducerTxnOffsets>();

  /** Whether no producer has pending offsets here. */
  get isEmpty(): boolean {
    return this.byProducer.size === 0;
  }

  /** Records an offset of the producer's open transaction (overwriting its earlier one). */
  add(
    producerId: number,
    producerEpoch: number,
    topic: string,
    partition: number,
    value: CommittedOffset,
  ): void {
    let txn = this.byProducer.get(producerId);
    if (txn === undefined) {
      txn = { producerEpoch, offsets: new Map() };
      this.byProducer.set(producerId, txn);
    }
    txn.producerEpoch = Math.max(txn.producerEpoch, producerEpoch);
    txn.offsets.set(tpKey(topic, partition), { topic, partition, value });
  }

  /** Forgets one pending offset of the producer (a transactional tombstone, as Kafka replays it). */
  remove(producerId: number, topic: string, partition: number): void {
    const txn = this.byProducer.get(producerId);
    if (txn === undefined) return;
    txn.offsets.delete(tpKey(topic, partition));
    if (txn.offsets.size === 0) this.byProducer.delete(producerId);
  }

  /** The epoch the producer's pending offsets were written with, if it has any. */
  epochOf(producerId: number): number | undefined {
    return this.byProducer.get(producerId)?.producerEpoch;
  }

  /** Whether some producer has a pending offset for the partition. */
  isPending(topic: string, partition: number): boolean {
    if (this.byProducer.size === 0) return false;
    const key = tpKey(topic, partition);
    for (const txn of this.byProducer.values()) if (txn.offsets.has(key)) return true;
    return false;
  }

  /**
   * Removes the producer's transaction and returns its offsets in the order they were written
   * (what a COMMIT marker applies and an ABORT marker drops).
   */
  take(producerId: number): PendingTxnOffset[] {
    const txn = this.byProducer.get(producerId);
    if (txn === undefined) return [];
    this.byProducer.delete(producerId);
    return [...txn.offsets.values()].sort((a, b) => a.value.position - b.value.position);
  }
}
