/**
 * What a consumer knows of one assigned partition: its position, the fetched records not yet handed
 * out, and the fetch in flight. Records are decoded as they are handed out (FetchedRecordsCursor).
 *
 * Prefetch: while the records of one fetch are being handed out, the next fetch (from where that
 * one's bytes end) is already out, as Kafka's consumer pipelines fetches with processing; at most
 * one fetch waits behind the one being handed out, so a partition buffers at most two fetches.
 * Every seek or position reset bumps `epoch`, and an answer to a fetch sent under another epoch, or
 * from an offset that no longer follows the buffered records, is dropped: a partition sought,
 * rewound or revoked never hands out records fetched for its old position.
 */
import type { RecordFactory } from '../../format/record-batch-decoder.js';
import type { ConsumerRecord, TopicPartition } from './consumer-record.js';
import type { FetchedRecordsCursor } from './fetched-records.js';

/** One assigned partition's fetch state. */
export interface PartitionFetchState {
  readonly tp: TopicPartition;
  /** The next offset to hand out; undefined until reset or seek decides it. */
  position: number | undefined;
  paused: boolean;
  inFlight: boolean;
  /** The fetch being handed out. */
  buffered: FetchedRecordsCursor<ConsumerRecord> | undefined;
  /** A fetch that arrived while `buffered` was being handed out, from where its bytes end. */
  prefetched: FetchedRecordsCursor<ConsumerRecord> | undefined;
  /** No fetch before this time (after an error). */
  backoffUntilMs: number;
  /** Bumped by every seek and position reset. */
  epoch: number;
  /** Builds this partition's records (one closure per partition, not per fetch). */
  readonly make: RecordFactory<ConsumerRecord>;
}

/**
 * A fresh state: no position, nothing buffered.
 *
 * @example
 * ```ts
 * states.set(tpKey(tp), newFetchState(tp));
 * ```
 */
export function newFetchState(tp: TopicPartition): PartitionFetchState {
  const { topic, partition } = tp;
  return {
    tp: { topic, partition },
    position: undefined,
    paused: false,
    inFlight: false,
    buffered: undefined,
    prefetched: undefined,
    backoffUntilMs: 0,
    epoch: 0,
    // One object per record, built straight from the decoded fields.
    make: (offset, timestamp, key, value, headers) => ({
      topic,
      partition,
      offset,
      timestamp,
      key,
      value,
      headers,
    }),
  };
}

/**
 * Sets the position (undefined: to be reset) and drops everything fetched for the old one.
 *
 * @example
 * ```ts
 * moveTo(state, 42);
 * ```
 */
export function moveTo(s: PartitionFetchState, position: number | undefined): void {
  s.position = position;
  s.buffered = undefined;
  s.prefetched = undefined;
  s.epoch++;
}

/**
 * Where the partition's next fetch starts, or undefined when it needs none now: the position with
 * nothing buffered, the end of the buffered fetch when nothing is prefetched yet.
 *
 * @example
 * ```ts
 * const at = nextFetchOffset(state);
 * if (at !== undefined) send(at);
 * ```
 */
export function nextFetchOffset(s: PartitionFetchState): number | undefined {
  if (s.buffered === undefined) return s.position;
  return s.prefetched === undefined ? s.buffered.endOffset : undefined;
}

/**
 * Whether the answer to a fetch from `fetchOffset` sent under `epoch` is still wanted: no seek or
 * reset since, and it starts where the records buffered now end.
 *
 * @example
 * ```ts
 * if (isCurrent(state, offset, epoch)) accept(state, cursorOf(result), offset, epoch);
 * ```
 */
export function isCurrent(s: PartitionFetchState, fetchOffset: number, epoch: number): boolean {
  return s.epoch === epoch && nextFetchOffset(s) === fetchOffset;
}

/**
 * Files the answer to a fetch from `fetchOffset` sent under `epoch`; false (nothing filed) when it
 * is stale. A fetch with nothing to hand out (markers, aborted data) moves the position past it.
 *
 * @example
 * ```ts
 * if (accept(state, cursor, offset, epoch) && state.buffered !== undefined) wake();
 * ```
 */
export function accept(
  s: PartitionFetchState,
  cursor: FetchedRecordsCursor<ConsumerRecord>,
  fetchOffset: number,
  epoch: number,
): boolean {
  if (!isCurrent(s, fetchOffset, epoch)) return false;
  if (s.buffered !== undefined) s.prefetched = cursor;
  else if (!cursor.isEmpty) s.buffered = cursor;
  else if (s.position !== undefined) s.position = Math.max(s.position, cursor.endOffset);
  return true;
}

/**
 * Hands out up to `max` buffered records into `out` (moving on to the prefetched fetch when the
 * buffered one runs out) and advances the position past them; returns how many.
 *
 * @example
 * ```ts
 * const n = takeBuffered(state, 500, records);
 * ```
 */
export function takeBuffered(s: PartitionFetchState, max: number, out: ConsumerRecord[]): number {
  let count = 0;
  for (let cursor = s.buffered; cursor !== undefined && count < max; cursor = s.buffered) {
    const n = cursor.take(max - count, out);
    count += n;
    if (n > 0) s.position = out[out.length - 1]!.offset + 1;
    if (!cursor.isEmpty) break;
    // Past the fetch's trailing markers or aborted data too, which its bytes ended with.
    s.position = Math.max(s.position ?? cursor.endOffset, cursor.endOffset);
    s.buffered = s.prefetched;
    s.prefetched = undefined;
  }
  return count;
}
