import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../src/common/errors.js';
import { UnknownTopicOrPartitionError } from '../../../../src/common/kafka-errors.js';
import { partitionForKey } from '../../../../src/log/client/producer/murmur2.js';
import { DefaultPartitioner } from '../../../../src/log/client/producer/partitioner.js';
import type { ProducerBatch } from '../../../../src/log/client/producer/producer-batch.js';
import { SeededRandom } from '../../../../src/runtime/actor/seeded-random.js';
import { drainAll, idsOf, partitionsOf, setup, valueWithId } from './producer-test-helpers.js';

describe('DefaultPartitioner', () => {
  const six = partitionsOf(6);

  it('uses a partition given with the record, even over a key', () => {
    const p = new DefaultPartitioner(new SeededRandom(1), 16384);
    expect(p.partition('t', Buffer.from('foobar'), 4, six)).toBe(4);
    expect(p.partition('t', null, 0, six)).toBe(0);
  });

  it('refuses a given partition outside the topic, and a topic without partitions', () => {
    const p = new DefaultPartitioner(new SeededRandom(1), 16384);
    expect(() => p.partition('t', null, 6, six)).toThrow(InvalidRecordError);
    expect(() => p.partition('t', null, -1, six)).toThrow(/partitions 0 to 5/);
    expect(() => p.partition('t', null, 1.5, six)).toThrow(InvalidRecordError);
    expect(() => p.partition('t', null, undefined, { count: 0, available: [] })).toThrow(
      UnknownTopicOrPartitionError,
    );
  });

  it('places a keyed record by murmur2 over all partitions, available or not', () => {
    const p = new DefaultPartitioner(new SeededRandom(1), 16384);
    const onlyOne = { count: 6, available: [2] };
    for (const key of ['foobar', 'key', 'a', 'user-17', '']) {
      const bytes = Buffer.from(key);
      expect(p.partition('t', bytes, undefined, onlyOne)).toBe(partitionForKey(bytes, 6));
    }
  });

  it('keeps a keyless topic on one partition until a new batch is needed after a full one', () => {
    const p = new DefaultPartitioner(new SeededRandom(3), 16384);
    const first = p.partition('t', null, undefined, six);
    for (let i = 0; i < 10; i++) expect(p.partition('t', undefined, undefined, six)).toBe(first);
    p.onNewBatch('t', first, false, six); // linger-sent batch, few bytes: stays
    expect(p.stickyPartition('t')).toBe(first);
    p.onNewBatch('t', first, true, six); // full batch: moves
    expect(p.stickyPartition('t')).not.toBe(first);
  });

  it('ignores a new-batch notice for a partition that is no longer sticky', () => {
    const p = new DefaultPartitioner(new SeededRandom(3), 100);
    const first = p.partition('t', null, undefined, six);
    p.onNewBatch('t', (first + 1) % 6, true, six);
    expect(p.stickyPartition('t')).toBe(first);
  });

  it('chooses only available partitions and never the current one while another is available', () => {
    const p = new DefaultPartitioner(new SeededRandom(11), 1);
    const partial = { count: 6, available: [1, 4, 5] };
    let current = p.partition('t', null, undefined, partial);
    const seen = new Set<number>([current]);
    for (let i = 0; i < 300; i++) {
      p.onNewBatch('t', current, true, partial);
      const next = p.partition('t', null, undefined, partial);
      expect(partial.available).toContain(next);
      expect(next).not.toBe(current);
      seen.add(next);
      current = next;
    }
    expect([...seen].sort()).toEqual([1, 4, 5]);
  });

  it('stays on the only available partition, and spreads over all when none is available', () => {
    const p = new DefaultPartitioner(new SeededRandom(5), 1);
    const single = { count: 4, available: [2] };
    expect(p.partition('a', null, undefined, single)).toBe(2);
    p.onNewBatch('a', 2, true, single);
    expect(p.stickyPartition('a')).toBe(2);
    const none = { count: 4, available: [] };
    const seen = new Set<number>();
    let current = p.partition('b', null, undefined, none);
    for (let i = 0; i < 100; i++) {
      p.onNewBatch('b', current, true, none);
      const next = p.partition('b', null, undefined, none);
      expect(next).not.toBe(current);
      seen.add(next);
      current = next;
    }
    expect(seen.size).toBe(4);
  });
});

describe('sticky partitioning through the accumulator', () => {
  /** Appends keyless 100-byte records; returns the sticky partition after each append. */
  function appendKeyless(s: ReturnType<typeof setup>, count: number, partitions = partitionsOf(4)): number[] {
    const stickyAfter: number[] = [];
    for (let i = 0; i < count; i++) {
      expect(s.accumulator.tryAppend({ topic: 't', value: valueWithId(i) }, partitions)).toBe(true);
      stickyAfter.push(s.partitioner.stickyPartition('t')!);
    }
    return stickyAfter;
  }

  it('sends keyless records to one partition until its batch is full, then moves to another', () => {
    const s = setup({ batchSize: 1024, lingerMs: 1000 });
    appendKeyless(s, 40);
    void s.accumulator.flush();
    const batches: ProducerBatch[] = [];
    for (let b = drainAll(s.accumulator); b.length > 0; b = drainAll(s.accumulator)) {
      batches.push(...b);
      for (const batch of b) s.accumulator.complete(batch, 0);
    }
    batches.sort((a, b) => a.id - b.id);
    // 100-byte values frame to 109 bytes: 8 records fill a 1024-byte batch (61 + 8 × 109 = 933).
    expect(batches.map((b) => b.recordCount)).toEqual([8, 8, 8, 8, 8]);
    expect(batches.flatMap(idsOf)).toEqual(Array.from({ length: 40 }, (_, i) => i));
    for (let i = 1; i < batches.length; i++) {
      expect(batches[i]!.partition).not.toBe(batches[i - 1]!.partition);
    }
  });

  it('puts the record that overflowed a full batch into the next partition, leaving no stub behind', () => {
    const s = setup({ batchSize: 1024, lingerMs: 1000 });
    const sticky = appendKeyless(s, 9);
    expect(new Set(sticky.slice(0, 8)).size).toBe(1);
    expect(sticky[8]).not.toBe(sticky[0]);
    // The full batch is ready at once; the ninth record's batch lingers on.
    const [full, ...rest] = drainAll(s.accumulator);
    expect(rest).toEqual([]);
    expect(full!.partition).toBe(sticky[0]);
    expect(idsOf(full!)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
  });

  it('does not move after a batch sent by linger until batchSize bytes have gone to the partition', () => {
    const s = setup({ batchSize: 1024, lingerMs: 5 });
    const partitions: number[] = [];
    for (let i = 0; i < 9; i++) {
      s.accumulator.tryAppend({ topic: 't', value: valueWithId(i) }, partitionsOf(4));
      s.clock.advance(5);
      const [batch] = drainAll(s.accumulator);
      partitions.push(batch!.partition);
      s.accumulator.complete(batch!, i);
    }
    // Each one-record batch counts 61 + 109 = 170 bytes: after 7 (1190 ≥ 1024; 6 make 1020) the next
    // batch moves.
    expect(new Set(partitions.slice(0, 7)).size).toBe(1);
    expect(partitions[7]).not.toBe(partitions[0]);
    expect(partitions[8]).toBe(partitions[7]);
  });

  it('spreads keyless batches over every available partition and none other (seeded)', () => {
    const s = setup({ batchSize: 1024, lingerMs: 1000, bufferMemory: 1 << 20 }, 2024);
    const partitions = { count: 6, available: [0, 1, 2, 4, 5] }; // 3 has no leader
    const counts = new Map<number, number>();
    for (let i = 0; i < 8 * 300; i++) {
      s.accumulator.tryAppend({ topic: 't', value: valueWithId(i) }, partitions);
      for (const batch of drainAll(s.accumulator)) {
        counts.set(batch.partition, (counts.get(batch.partition) ?? 0) + 1);
        s.accumulator.complete(batch, 0);
      }
    }
    expect([...counts.keys()].sort()).toEqual([0, 1, 2, 4, 5]);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBe(299); // the 300th batch is still open
    for (const n of counts.values()) expect(n).toBeGreaterThan(35); // 60 each when even
  });
});
