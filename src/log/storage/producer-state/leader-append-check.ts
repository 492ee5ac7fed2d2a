/**
 * The leader's checks of a producer's batches before they are appended (Kafka's producer-state
 * validation): epoch fencing, sequence order, retries of batches already written, and no
 * non-transactional write while the producer's transaction is open. The batches of one request
 * are checked in turn, each against the state the earlier ones leave; their updates are staged in
 * reused parallel arrays (no allocation per batch) and applied only once the log has written them,
 * so a refused request changes nothing.
 *
 * The rules for a batch of producer P with epoch E and sequences [first, last]:
 * - E below P's epoch: InvalidProducerEpochError.
 * - E equal to P's epoch and [first, last] equal to one of P's last five batches: a retry, answered
 *   with that batch's offsets and not written. A request is all retries or none.
 * - Otherwise `first` must be 0 when P is new, when E is above P's epoch, or when P has no batch
 *   remembered (a marker bumped its epoch); else the sequence after P's last (int32, wrapping).
 * - A batch with sequence -1 (a coordinator's transactional offsets) skips the sequence rules.
 */
import { readInt16, readInt32, readInt64 } from '../../../common/bytes.js';
import { CorruptRecordError, InvalidRecordError } from '../../../common/errors.js';
import { plantedBugs } from '../../../common/planted-bugs.js';
import {
  InvalidProducerEpochError,
  InvalidTxnStateError,
  OutOfOrderSequenceError,
} from '../../../common/transaction-errors.js';
import {
  BATCH_HEADER_BYTES,
  BatchAttribute,
  BatchCheck,
  BatchField,
  batchSizeAt,
  checkBatchAt,
  describeBatchCheck,
} from '../../format/batch-layout.js';
import {
  lastSequenceOf,
  NO_SEQUENCE,
  nextSequence,
  type ProducerStateEntry,
} from './producer-state-entry.js';

/** Where a duplicate append was first written: the producer is acknowledged with these offsets. */
export interface DuplicateAppend {
  firstOffset: number;
  lastOffset: number;
}

/**
 * The checks and staged updates of one leader append at a time.
 *
 * @example
 * ```ts
 * const check = new LeaderAppendCheck('orders-0', producers);
 * const duplicate = check.prepare(batches, log.logEndOffset); // throws on a refusal
 * for (let i = 0; i < check.count; i++) apply(check.pid[i], check.epoch[i]);
 * ```
 */
export class LeaderAppendCheck {
  /** How many batches are staged; slot i of each array below describes one. */
  count = 0;
  readonly pid: number[] = [];
  readonly epoch: number[] = [];
  readonly firstSeq: number[] = [];
  readonly lastSeq: number[] = [];
  readonly firstOffset: number[] = [];
  readonly lastOffset: number[] = [];
  readonly txn: boolean[] = [];

  constructor(
    private readonly name: string,
    private readonly producers: ReadonlyMap<number, ProducerStateEntry>,
  ) {}

  /**
   * Checks the batches of a request to be appended at `baseOffset` and stages their updates.
   * Returns the original offsets when every batch is a retry (write nothing then), undefined when
   * they are new. Bytes that are not whole batches are left for the log's validation to refuse.
   *
   * @throws InvalidProducerEpochError, OutOfOrderSequenceError (also for a request mixing retried
   *   and new batches), InvalidTxnStateError, InvalidRecordError for a control batch,
   *   CorruptRecordError for a refused batch whose checksum fails. Nothing is staged after a throw.
   */
  prepare(bytes: Uint8Array, baseOffset: number): DuplicateAppend | undefined {
    this.count = 0;
    let offset = baseOffset;
    let batches = 0;
    let dupFirst = -1;
    let dupLast = -1;
    let pos = 0;
    try {
      for (; pos < bytes.length; batches++) {
        if (bytes.length - pos < BATCH_HEADER_BYTES) break;
        const size = batchSizeAt(bytes, pos);
        if (size < BATCH_HEADER_BYTES || pos + size > bytes.length) break;
        const delta = readInt32(bytes, pos + BatchField.lastOffsetDelta);
        const attributes = readInt16(bytes, pos + BatchField.attributes);
        if ((attributes & BatchAttribute.control) !== 0) {
          throw new InvalidRecordError(
            `${this.name}: batch ${batches} at byte ${pos} is a control batch; only a transaction coordinator writes markers (WriteTxnMarkers), producers send data batches`,
          );
        }
        const pid = readInt64(bytes, pos + BatchField.producerId);
        let duplicate = -1;
        if (pid >= 0) {
          const epoch = readInt16(bytes, pos + BatchField.producerEpoch);
          const firstSeq = readInt32(bytes, pos + BatchField.baseSequence);
          const lastSeq = firstSeq === NO_SEQUENCE ? NO_SEQUENCE : lastSequenceOf(firstSeq, delta);
          const isTxn = (attributes & BatchAttribute.transactional) !== 0;
          try {
            duplicate = this.check(pid, epoch, firstSeq, lastSeq, isTxn);
          } catch (err) {
            throw corruptOr(err, bytes, pos);
          }
          if (duplicate >= 0) {
            const entry = this.producers.get(pid)!;
            if (batches === 0) dupFirst = entry.firstOffsetAt(duplicate);
            dupLast = entry.lastOffsetAt(duplicate);
          } else this.stage(pid, epoch, firstSeq, lastSeq, offset, offset + delta, isTxn);
        }
        if (duplicate >= 0 !== dupFirst >= 0) {
          throw new OutOfOrderSequenceError(
            `${this.name}: the request mixes retried batches with new ones (batch ${batches}); send retries as they were first sent`,
          );
        }
        offset += delta + 1;
        pos += size;
      }
    } catch (err) {
      this.count = 0;
      throw err;
    }
    // Bytes that are not whole batches are never acknowledged as a retry: the log refuses them.
    if (pos !== bytes.length) return undefined;
    return dupFirst >= 0 ? { firstOffset: dupFirst, lastOffset: dupLast } : undefined;
  }

  /**
   * Validates one batch of a producer against the state as the earlier batches of the same
   * request leave it. Returns the slot of the batch it duplicates, or -1.
   */
  private check(pid: number, epoch: number, firstSeq: number, lastSeq: number, isTxn: boolean): number {
    const entry = this.producers.get(pid);
    if (entry !== undefined && firstSeq !== NO_SEQUENCE && epoch === entry.epoch) {
      // The common case, the batch that follows the last one, cannot be a retry: skip the search.
      const last = entry.lastSeq;
      if (last === NO_SEQUENCE || firstSeq !== nextSequence(last)) {
        const slot = entry.findDuplicate(firstSeq, lastSeq);
        if (slot >= 0) return slot;
      }
    }
    let known = entry !== undefined;
    let currentEpoch = entry?.epoch ?? epoch;
    let currentLastSeq = entry?.lastSeq ?? NO_SEQUENCE;
    let txnFirstOffset = entry?.currentTxnFirstOffset ?? -1;
    for (let i = 0; i < this.count; i++) {
      if (this.pid[i] !== pid) continue;
      if (this.epoch[i] !== currentEpoch) currentLastSeq = NO_SEQUENCE;
      currentEpoch = this.epoch[i]!;
      if (this.firstSeq[i] !== NO_SEQUENCE) currentLastSeq = this.lastSeq[i]!;
      if (this.txn[i] && txnFirstOffset < 0) txnFirstOffset = this.firstOffset[i]!;
      known = true;
    }
    // Negative-control switch (common/planted-bugs.ts): a fenced zombie's epoch is accepted.
    if (plantedBugs.skipProducerFencing && epoch < currentEpoch) currentEpoch = epoch;
    // Messages are built only when thrown: this runs for every batch of every idempotent producer.
    if (known && epoch < currentEpoch) {
      throw new InvalidProducerEpochError(
        `${this.name}: producer ${pid} sent epoch ${epoch}, older than its current epoch ${currentEpoch}; nothing was written`,
      );
    }
    if (!isTxn && txnFirstOffset >= 0) {
      throw new InvalidTxnStateError(
        `${this.name}: producer ${pid} sent a non-transactional batch while its transaction begun at offset ${txnFirstOffset} is open; commit or abort the transaction first`,
      );
    }
    if (firstSeq === NO_SEQUENCE) return -1;
    const expected =
      !known || epoch > currentEpoch || currentLastSeq === NO_SEQUENCE ? 0 : nextSequence(currentLastSeq);
    if (firstSeq !== expected) {
      throw new OutOfOrderSequenceError(
        `${this.name}: producer ${pid} at epoch ${epoch} sent sequence ${firstSeq}, expected ${expected}; nothing was written`,
      );
    }
    return -1;
  }

  private stage(
    pid: number,
    epoch: number,
    firstSeq: number,
    lastSeq: number,
    firstOffset: number,
    lastOffset: number,
    isTxn: boolean,
  ): void {
    const i = this.count++;
    this.pid[i] = pid;
    this.epoch[i] = epoch;
    this.firstSeq[i] = firstSeq;
    this.lastSeq[i] = lastSeq;
    this.firstOffset[i] = firstOffset;
    this.lastOffset[i] = lastOffset;
    this.txn[i] = isTxn;
  }
}

/**
 * A refusal of a batch whose bytes are damaged is reported as the damage, so the producer retries
 * instead of resetting its sequences; the checksum is only computed on this (rare) path.
 */
function corruptOr(err: unknown, bytes: Uint8Array, pos: number): unknown {
  const check = checkBatchAt(bytes, pos, bytes.length, Number.MAX_SAFE_INTEGER);
  if (check === BatchCheck.Ok) return err;
  return new CorruptRecordError(
    `batch at byte ${pos}: ${describeBatchCheck(check, bytes, pos)}; nothing was written`,
  );
}
