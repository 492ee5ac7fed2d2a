/**
 * Turns the bytes of a fetch into the records a consumer hands out. At read_committed the broker
 * returns data only below the last stable offset, plus the aborted transactions whose data may be
 * in it; the consumer drops the batches of those transactions (from each one's first offset until
 * its ABORT marker) and every control batch, as Kafka's consumer does. Work is per batch: a
 * dropped batch's records are never decoded.
 */
import type { AbortedTransaction } from '../../broker/partition-replica.js';
import { parseControlRecord } from '../../format/control-record.js';
import { iterateBatches, type RecordFactory } from '../../format/record-batch-decoder.js';

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
  const out: T[] = [];
  let nextOffset = from;
  const committedOnly = isolationLevel === 'read_committed';
  const pending =
    committedOnly && abortedTransactions !== undefined && abortedTransactions.length > 0
      ? [...abortedTransactions].sort((a, b) => a.firstOffset - b.firstOffset)
      : undefined;
  let nextAborted = 0;
  const aborted = new Set<number>();
  for (const batch of iterateBatches(bytes)) {
    const lastOffset = batch.lastOffset;
    // Batches below `from` are not handed out, but their markers still close aborted transactions
    // (a fetch may begin inside a batch, and the aborted list may name a transaction ended there).
    if (lastOffset >= from) nextOffset = lastOffset + 1;
    if (pending !== undefined) {
      // Every aborted transaction that began at or before this batch is now open for skipping.
      while (nextAborted < pending.length && pending[nextAborted]!.firstOffset <= lastOffset) {
        aborted.add(pending[nextAborted++]!.producerId);
      }
    }
    if (batch.isControl) {
      if (aborted.size > 0 && aborted.has(batch.producerId)) {
        const records = batch.records();
        const marker = records.nextRecord();
        if (marker !== undefined && parseControlRecord(marker).type === 'ABORT')
          aborted.delete(batch.producerId);
      }
      continue;
    }
    if (lastOffset < from) continue;
    if (committedOnly && batch.isTransactional && aborted.has(batch.producerId)) continue;
    const records = batch.records();
    for (let r = records.nextAs(make); r !== undefined; r = records.nextAs(make)) {
      if (r.offset >= from) out.push(r);
    }
  }
  return { records: out, nextOffset };
}
