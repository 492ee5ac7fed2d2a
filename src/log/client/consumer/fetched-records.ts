/**
 * Turns the bytes of a fetch into the records a consumer hands out. At read_committed the broker
 * returns data only below the last stable offset, plus the aborted transactions whose data may be
 * in it; the consumer drops the batches of those transactions (from each one's first offset until
 * its ABORT marker) and every control batch, as Kafka's consumer does. Work is per batch: a
 * dropped batch's records are never decoded.
 *
 * A consumer decodes as it hands records out (FetchedRecordsCursor), not a whole fetch up front:
 * a megabyte fetch is thousands of records, and objects that wait through several polls outlive
 * the young generation and make every collection dearer.
 */
import type { AbortedTransaction } from '../../broker/partition-replica.js';
import { BATCH_HEADER_BYTES, batchLastOffset, batchSizeAt } from '../../format/batch-layout.js';
import { parseControlRecord } from '../../format/control-record.js';
import {
  iterateBatches,
  type RecordBatchView,
  type RecordFactory,
  type RecordIterator,
} from '../../format/record-batch-decoder.js';

/**
 * What a fetch yields: the records to hand out, and the offset to fetch next, which may lie past
 * the last record when the fetch ended with markers or aborted data.
 *
 * @example
 * ```ts
 * const { records, nextOffset } = decodeFetched(result.records, position, 'read_committed', result.abortedTransactions, make);
 * ```
 */
export interface FetchedRecords<T> {
  records: T[];
  nextOffset: number;
}

/**
 * Decodes the records at or after `from`, skipping control batches and, at read_committed, the
 * batches of aborted transactions.
 *
 * @example
 * ```ts
 * const fetched = decodeFetched(bytes, 40, 'read_committed', [{ producerId: 7, firstOffset: 42 }], make);
 * ```
 * @throws CorruptRecordError for a batch or marker that does not decode.
 */
export function decodeFetched<T extends { offset: number }>(
  bytes: Uint8Array,
  from: number,
  isolationLevel: 'read_committed' | 'read_uncommitted',
  abortedTransactions: readonly AbortedTransaction[] | undefined,
  make: RecordFactory<T>,
): FetchedRecords<T> {
  const cursor = new FetchedRecordsCursor(bytes, from, isolationLevel, abortedTransactions, make);
  const records: T[] = [];
  cursor.take(Number.POSITIVE_INFINITY, records);
  return { records, nextOffset: cursor.endOffset };
}

/**
 * The records of one fetch, decoded as they are taken, in offset order. One record is decoded
 * ahead, so `isEmpty` is exact.
 *
 * @example
 * ```ts
 * const cursor = new FetchedRecordsCursor(bytes, position, 'read_committed', aborted, make);
 * const out: ConsumerRecord[] = [];
 * cursor.take(500, out);
 * if (cursor.isEmpty) position = Math.max(position, cursor.endOffset);
 * ```
 * @throws CorruptRecordError from the constructor or `take` for a batch or marker that does not
 *   decode.
 */
export class FetchedRecordsCursor<T extends { offset: number }> {
  /**
   * The offset to fetch next once every record is taken: past the last batch at or after `from`
   * (markers and aborted data included), or `from` when there is none. Known from the start.
   */
  readonly endOffset: number;
  private readonly from: number;
  private readonly make: RecordFactory<T>;
  private readonly batches: Generator<RecordBatchView, void, undefined>;
  private records: RecordIterator | undefined;
  private head: T | undefined;
  private readonly committedOnly: boolean;
  /** Aborted transactions by first offset, and how many have begun by the current batch. */
  private readonly pending: readonly AbortedTransaction[] | undefined;
  private nextAborted = 0;
  private readonly aborted = new Set<number>();

  constructor(
    bytes: Uint8Array,
    from: number,
    isolationLevel: 'read_committed' | 'read_uncommitted',
    abortedTransactions: readonly AbortedTransaction[] | undefined,
    make: RecordFactory<T>,
  ) {
    this.from = from;
    this.make = make;
    this.committedOnly = isolationLevel === 'read_committed';
    this.pending =
      this.committedOnly && abortedTransactions !== undefined && abortedTransactions.length > 0
        ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset)
        : undefined;
    this.endOffset = Math.max(from, lastOffsetIn(bytes) + 1);
    this.batches = iterateBatches(bytes);
    this.head = this.advance();
  }

  /** True when every record has been taken. */
  get isEmpty(): boolean {
    return this.head === undefined;
  }

  /** Appends up to `max` records to `out`; returns how many. */
  take(max: number, out: T[]): number {
    let n = 0;
    while (n < max && this.head !== undefined) {
      out.push(this.head);
      n++;
      this.head = this.advance();
    }
    return n;
  }

  /** The next record to hand out, moving through batches (and past dropped ones) as needed. */
  private advance(): T | undefined {
    for (;;) {
      const records = this.records;
      if (records !== undefined) {
        const r = records.nextAs(this.make);
        if (r !== undefined) {
          // A fetch may begin inside a batch: its records before `from` are not handed out.
          if (r.offset >= this.from) return r;
          continue;
        }
        this.records = undefined;
      }
      const step = this.batches.next();
      if (step.done === true) return undefined;
      this.records = this.recordsOf(step.value);
    }
  }

  /** The records of `batch` to hand out, or undefined to skip it (control, aborted, before `from`). */
  private recordsOf(batch: RecordBatchView): RecordIterator | undefined {
    const lastOffset = batch.lastOffset;
    const pending = this.pending;
    if (pending !== undefined) {
      // Every aborted transaction that began at or before this batch is now open for skipping.
      while (this.nextAborted < pending.length && pending[this.nextAborted]!.firstOffset <= lastOffset) {
        this.aborted.add(pending[this.nextAborted++]!.producerId);
      }
    }
    if (batch.isControl) {
      // Batches below `from` are not handed out, but their markers still close aborted
      // transactions (the aborted list may name a transaction ended there).
      if (this.aborted.size > 0 && this.aborted.has(batch.producerId)) {
        const marker = batch.records().nextRecord();
        if (marker !== undefined && parseControlRecord(marker).type === 'ABORT')
          this.aborted.delete(batch.producerId);
      }
      return undefined;
    }
    if (lastOffset < this.from) return undefined;
    if (this.committedOnly && batch.isTransactional && this.aborted.has(batch.producerId)) return undefined;
    return batch.records();
  }
}

/**
 * The last offset of the last whole batch in `bytes` (-1 for none), from the headers alone: a
 * fetch holds whole batches, and the checks wait for the decode.
 */
function lastOffsetIn(bytes: Uint8Array): number {
  let pos = 0;
  let last = -1;
  while (pos + BATCH_HEADER_BYTES <= bytes.length) {
    const size = batchSizeAt(bytes, pos);
    if (size < BATCH_HEADER_BYTES || pos + size > bytes.length) break;
    last = Math.max(last, batchLastOffset(bytes, pos));
    pos += size;
  }
  return last;
}
