import { describe, expect, it } from 'vitest';
import type { ConsumerRecord } from '../../../../src/log/client/consumer/consumer-record.js';
import { FetchedRecordsCursor } from '../../../../src/log/client/consumer/fetched-records.js';
import {
  accept,
  moveTo,
  newFetchState,
  nextFetchOffset,
  type PartitionFetchState,
  takeBuffered,
} from '../../../../src/log/client/consumer/partition-fetch-state.js';
import { buildControlBatch } from '../../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../../src/log/format/record-batch-builder.js';

const tp = { topic: 't', partition: 0 };

/** A fetch answer: `count` records from `base`, optionally followed by a COMMIT marker. */
function fetchFrom(s: PartitionFetchState, base: number, count: number, marker = false) {
  const values = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${base + i}`) }));
  const chunks = [buildRecordBatch(values, { baseOffset: base })];
  if (marker) {
    chunks.push(
      buildControlBatch({
        type: 'COMMIT',
        producerId: 1,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: 0,
        baseOffset: base + count,
      }),
    );
  }
  return new FetchedRecordsCursor(Buffer.concat(chunks), base, 'read_committed', [], s.make);
}

function offsets(records: readonly ConsumerRecord[]): number[] {
  return records.map((r) => r.offset);
}

describe('partition fetch state', () => {
  it('hands out a fetch in pieces, prefetches from its end, and moves on to the prefetch', () => {
    const s = newFetchState(tp);
    moveTo(s, 0);
    const epoch = s.epoch;
    expect(nextFetchOffset(s)).toBe(0);
    expect(accept(s, fetchFrom(s, 0, 5, true), 0, epoch)).toBe(true);
    // The next fetch starts past the marker, while the records are still being handed out.
    expect(nextFetchOffset(s)).toBe(6);
    const out: ConsumerRecord[] = [];
    expect(takeBuffered(s, 3, out)).toBe(3);
    expect(s.position).toBe(3);
    expect(accept(s, fetchFrom(s, 6, 4), 6, epoch)).toBe(true);
    expect(nextFetchOffset(s)).toBeUndefined();
    expect(takeBuffered(s, 10, out)).toBe(6);
    expect(offsets(out)).toEqual([0, 1, 2, 3, 4, 6, 7, 8, 9]);
    expect(s.position).toBe(10);
    expect(s.buffered).toBeUndefined();
    expect(nextFetchOffset(s)).toBe(10);
  });

  it('drops what was fetched, and answers still out, when the partition is sought', () => {
    const s = newFetchState(tp);
    moveTo(s, 0);
    const before = s.epoch;
    accept(s, fetchFrom(s, 0, 5), 0, before);
    moveTo(s, 2);
    expect(s.buffered).toBeUndefined();
    // The prefetch sent before the seek (from 5) and a fetch from 0 are both stale now.
    expect(accept(s, fetchFrom(s, 5, 2), 5, before)).toBe(false);
    expect(accept(s, fetchFrom(s, 0, 5), 2, before)).toBe(false);
    expect(accept(s, fetchFrom(s, 2, 3), 2, s.epoch)).toBe(true);
    const out: ConsumerRecord[] = [];
    takeBuffered(s, 10, out);
    expect(offsets(out)).toEqual([2, 3, 4]);
  });

  it('moves the position past a fetch that holds only markers', () => {
    const s = newFetchState(tp);
    moveTo(s, 0);
    const marker = buildControlBatch({
      type: 'COMMIT',
      producerId: 1,
      producerEpoch: 0,
      coordinatorEpoch: 0,
      timestamp: 0,
      baseOffset: 0,
    });
    expect(accept(s, new FetchedRecordsCursor(marker, 0, 'read_committed', [], s.make), 0, s.epoch)).toBe(
      true,
    );
    expect(s.buffered).toBeUndefined();
    expect(s.position).toBe(1);
  });

  it('decodes no further than it hands out', () => {
    const s = newFetchState(tp);
    const cursor = fetchFrom(s, 0, 1000);
    const out: ConsumerRecord[] = [];
    expect(cursor.take(10, out)).toBe(10);
    expect(cursor.isEmpty).toBe(false);
    expect(cursor.endOffset).toBe(1000);
    expect(cursor.take(Number.POSITIVE_INFINITY, out)).toBe(990);
    expect(cursor.isEmpty).toBe(true);
    expect(out.at(-1)?.value?.toString()).toBe('v999');
  });
});
