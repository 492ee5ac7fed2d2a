/**
 * The producer state of one partition (Kafka's ProducerStateManager): per producer id its epoch,
 * last five batches, coordinator epoch and open transaction, plus the partition's transactions
 * (TransactionTracker: last stable offset, aborted index). A leader append is checked against it
 * (LeaderAppendCheck); followers and recovery `ingest` what the leader accepted, with the same
 * updates and no checks.
 *
 * Everything is per batch, read straight from the batch header; no record is decoded except the
 * one record of a control batch. A leader append is two-phase so it stays all or nothing:
 * `prepareLeaderAppend` checks every batch and stages the updates, the log appends, then
 * `commitPrepared` applies them.
 */

import { readInt16, readInt32, readInt64 } from '../../../common/bytes.js';
import {
  InvalidProducerEpochError,
  TransactionCoordinatorFencedError,
} from '../../../common/transaction-errors.js';
import { BatchAttribute, BatchField, batchSizeAt } from '../../format/batch-layout.js';
import { parseControlRecord } from '../../format/control-record.js';
import { RecordBatchView } from '../../format/record-batch-decoder.js';
import type { TxnRange } from './aborted-transaction-index.js';
import { type DuplicateAppend, LeaderAppendCheck } from './leader-append-check.js';
import { lastSequenceOf, NO_SEQUENCE, ProducerStateEntry } from './producer-state-entry.js';
import type { ProducerStateImage } from './producer-state-image.js';
import { TransactionTracker } from './transaction-tracker.js';

/** A COMMIT or ABORT marker as a transaction coordinator asks a leader to write it. */
export interface TxnMarkerInput {
  producerId: number;
  producerEpoch: number;
  coordinatorEpoch: number;
  marker: 'COMMIT' | 'ABORT';
}

/**
 * The producer state of one partition.
 *
 * @example
 * ```ts
 * const state = new ProducerStateManager('orders-0');
 * const duplicate = state.prepareLeaderAppend(batches, log.logEndOffset); // throws on a refusal
 * if (duplicate === undefined) { log.append(batches); state.commitPrepared(clock.nowMs()); }
 * state.lastStableOffset(highWatermark);
 * ```
 */
export class ProducerStateManager {
  /** The partition's name, for messages. */
  readonly name: string;
  private readonly producers = new Map<number, ProducerStateEntry>();
  private readonly txns = new TransactionTracker();
  private readonly pending: LeaderAppendCheck;
  private _lastTrackedOffset = -1;

  constructor(name: string) {
    this.name = name;
    this.pending = new LeaderAppendCheck(name, this.producers);
  }

  /**
   * Rebuilds a manager from a snapshot's image.
   *
   * @example
   * ```ts
   * const state = ProducerStateManager.fromImage('orders-0', decodeProducerSnapshot(bytes)!.image);
   * ```
   */
  static fromImage(name: string, image: ProducerStateImage): ProducerStateManager {
    const m = new ProducerStateManager(name);
    const open: [number, number][] = [];
    for (const p of image.producers) {
      const entry = new ProducerStateEntry(p.producerId, p.epoch);
      entry.coordinatorEpoch = p.coordinatorEpoch;
      entry.lastTimestamp = p.lastTimestamp;
      entry.currentTxnFirstOffset = p.currentTxnFirstOffset;
      for (const b of p.batches) entry.addBatch(b.firstSeq, b.lastSeq, b.firstOffset, b.lastOffset);
      m.producers.set(p.producerId, entry);
      if (p.currentTxnFirstOffset >= 0) open.push([p.producerId, p.currentTxnFirstOffset]);
    }
    m.txns.restore(open, image.completedTxns, image.aborted);
    m._lastTrackedOffset = image.lastTrackedOffset;
    return m;
  }

  /** The last offset of any batch or marker of a producer (producerId >= 0) in the state, or -1. */
  get lastTrackedOffset(): number {
    return this._lastTrackedOffset;
  }

  /** The number of producers with state. */
  get producerCount(): number {
    return this.producers.size;
  }

  /** The state of one producer, if any. */
  entry(producerId: number): ProducerStateEntry | undefined {
    return this.producers.get(producerId);
  }

  /**
   * Checks a producer's batches before a leader appends them at `baseOffset` and stages their
   * updates (see LeaderAppendCheck for the rules). Returns the original offsets when every batch
   * is a retry of one already written (write nothing then), undefined when the batches are new
   * (append them, then `commitPrepared`).
   *
   * @throws InvalidProducerEpochError, OutOfOrderSequenceError, InvalidTxnStateError,
   *   InvalidRecordError (a control batch), CorruptRecordError; nothing is staged then.
   */
  prepareLeaderAppend(bytes: Uint8Array, baseOffset: number): DuplicateAppend | undefined {
    return this.pending.prepare(bytes, baseOffset);
  }

  /** Applies the updates `prepareLeaderAppend` staged, once the log has appended the batches. */
  commitPrepared(nowMs: number): void {
    const p = this.pending;
    const n = p.count;
    p.count = 0;
    for (let i = 0; i < n; i++) {
      this.applyData(
        p.pid[i]!,
        p.epoch[i]!,
        p.firstSeq[i]!,
        p.lastSeq[i]!,
        p.firstOffset[i]!,
        p.lastOffset[i]!,
        p.txn[i]!,
        nowMs,
      );
    }
  }

  /** Forgets a prepared append the log refused. */
  discardPrepared(): void {
    this.pending.count = 0;
  }

  /**
   * Checks a transaction marker before a leader writes it.
   *
   * @throws InvalidProducerEpochError for an epoch below the producer's;
   *   TransactionCoordinatorFencedError for a coordinator epoch below the last marker's.
   */
  checkMarker(input: TxnMarkerInput): void {
    const entry = this.producers.get(input.producerId);
    if (entry === undefined) return;
    if (input.producerEpoch < entry.epoch) {
      throw new InvalidProducerEpochError(
        `${this.name}: ${input.marker} marker for producer ${input.producerId} has epoch ${input.producerEpoch}, older than its current epoch ${entry.epoch}; nothing was written`,
      );
    }
    if (input.coordinatorEpoch < entry.coordinatorEpoch) {
      throw new TransactionCoordinatorFencedError(
        `${this.name}: ${input.marker} marker for producer ${input.producerId} comes from coordinator epoch ${input.coordinatorEpoch}, older than ${entry.coordinatorEpoch}; a newer transaction coordinator owns this producer`,
      );
    }
  }

  /**
   * Applies a marker written at `offset`: ends the producer's transaction (an ABORT enters the
   * aborted index), and a higher epoch (KIP-890 bumps it at every EndTxn) becomes the producer's,
   * with its sequences reset. A marker with no transaction open changes only epochs.
   */
  applyMarker(input: TxnMarkerInput, offset: number, nowMs: number): void {
    const pid = input.producerId;
    let entry = this.producers.get(pid);
    if (entry === undefined) {
      entry = new ProducerStateEntry(pid, input.producerEpoch);
      this.producers.set(pid, entry);
    } else if (input.producerEpoch > entry.epoch) {
      entry.epoch = input.producerEpoch;
      entry.clearBatches();
    }
    entry.coordinatorEpoch = input.coordinatorEpoch;
    entry.lastTimestamp = nowMs;
    const first = entry.currentTxnFirstOffset;
    if (first >= 0) {
      entry.currentTxnFirstOffset = -1;
      this.txns.complete(pid, first, offset, input.marker === 'ABORT');
    }
    if (offset > this._lastTrackedOffset) this._lastTrackedOffset = offset;
  }

  /**
   * Applies batches that already have their offsets (a follower's copy of the leader's log, or
   * the log replayed at open), with no checks: the leader accepted them. Batches ending below
   * `fromOffset` are skipped.
   *
   * @throws CorruptRecordError for a control batch whose record cannot be read.
   */
  ingest(bytes: Uint8Array, nowMs: number, fromOffset = 0): void {
    for (let pos = 0; pos < bytes.length; pos += batchSizeAt(bytes, pos)) {
      const pid = readInt64(bytes, pos + BatchField.producerId);
      if (pid < 0) continue;
      const base = readInt64(bytes, pos + BatchField.baseOffset);
      const last = base + readInt32(bytes, pos + BatchField.lastOffsetDelta);
      if (last < fromOffset) continue;
      const attributes = readInt16(bytes, pos + BatchField.attributes);
      const epoch = readInt16(bytes, pos + BatchField.producerEpoch);
      if ((attributes & BatchAttribute.control) !== 0) {
        const marker = readMarker(bytes, pos);
        if (marker !== undefined) {
          this.applyMarker({ producerId: pid, producerEpoch: epoch, ...marker }, base, nowMs);
        }
        continue;
      }
      const firstSeq = readInt32(bytes, pos + BatchField.baseSequence);
      const lastSeq = firstSeq === NO_SEQUENCE ? NO_SEQUENCE : lastSequenceOf(firstSeq, last - base);
      const isTxn = (attributes & BatchAttribute.transactional) !== 0;
      this.applyData(pid, epoch, firstSeq, lastSeq, base, last, isTxn, nowMs);
    }
  }

  /** The last stable offset given the high watermark `hw` (equal to it when no transaction is unsettled). */
  lastStableOffset(hw: number): number {
    return this.txns.lastStableOffset(hw);
  }

  /** Forgets completed transactions whose markers are below the high watermark: they are settled. */
  onHighWatermark(hw: number): void {
    this.txns.onHighWatermark(hw);
  }

  /** Every aborted transaction still indexed, with the offset of its ABORT marker. */
  abortedRanges(): TxnRange[] {
    return this.txns.aborted.entries();
  }

  /** The aborted transactions with data that may lie in [fromOffset, upToOffset). */
  abortedTransactions(fromOffset: number, upToOffset: number): { producerId: number; firstOffset: number }[] {
    return this.txns.aborted.overlapping(fromOffset, upToOffset);
  }

  /**
   * Removes producers that have not written for `expirationMs` and have no transaction open
   * (Kafka's producer.id.expiration.ms); returns how many.
   */
  expireProducers(nowMs: number, expirationMs: number): number {
    let removed = 0;
    for (const [pid, entry] of this.producers) {
      if (entry.currentTxnFirstOffset < 0 && nowMs - entry.lastTimestamp >= expirationMs) {
        this.producers.delete(pid);
        removed++;
      }
    }
    return removed;
  }

  /** Drops aborted-index entries whose markers are below the log start: no fetch can reach them. */
  trimBelow(logStartOffset: number): void {
    this.txns.aborted.trimBelow(logStartOffset);
  }

  /** The whole state as plain data (for snapshots and tests). */
  toImage(): ProducerStateImage {
    const producers = [...this.producers.values()].map((e) => ({
      producerId: e.producerId,
      epoch: e.epoch,
      coordinatorEpoch: e.coordinatorEpoch,
      lastTimestamp: e.lastTimestamp,
      currentTxnFirstOffset: e.currentTxnFirstOffset,
      batches: e.batches(),
    }));
    return {
      producers,
      completedTxns: this.txns.unsettled(),
      aborted: this.txns.aborted.entries(),
      lastTrackedOffset: this._lastTrackedOffset,
    };
  }

  private applyData(
    pid: number,
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    firstOffset: number,
    lastOffset: number,
    isTxn: boolean,
    nowMs: number,
  ): void {
    let entry = this.producers.get(pid);
    if (entry === undefined) {
      entry = new ProducerStateEntry(pid, epoch);
      this.producers.set(pid, entry);
    } else if (entry.epoch !== epoch) {
      // A new epoch starts its sequences afresh.
      entry.epoch = epoch;
      entry.clearBatches();
    }
    if (firstSeq !== NO_SEQUENCE) entry.addBatch(firstSeq, lastSeq, firstOffset, lastOffset);
    entry.lastTimestamp = nowMs;
    if (isTxn && entry.currentTxnFirstOffset < 0) {
      entry.currentTxnFirstOffset = firstOffset;
      this.txns.begin(pid, firstOffset);
    }
    if (lastOffset > this._lastTrackedOffset) this._lastTrackedOffset = lastOffset;
  }
}

/** The type and coordinator epoch of the marker in the control batch at `pos`, or undefined for another control type. */
function readMarker(
  bytes: Uint8Array,
  pos: number,
): { marker: 'COMMIT' | 'ABORT'; coordinatorEpoch: number } | undefined {
  const record = new RecordBatchView(bytes, pos).records().nextRecord();
  if (record === undefined) return undefined;
  const control = parseControlRecord(record);
  return control.type === 'UNKNOWN'
    ? undefined
    : { marker: control.type, coordinatorEpoch: control.coordinatorEpoch };
}
