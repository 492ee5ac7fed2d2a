/**
 * Model-based property: random sequences of appends (explicit, keyed and keyless), clock advances,
 * drains, completions and retriable or fatal failures, against a model of what each record is
 * owed. Whatever the sequence, every record ends exactly once — refused at append, or reported once
 * to its callback — an acknowledged record sits in the fake broker's log at the offset it was told,
 * a failed one is nowhere, nothing is written twice, each partition's log keeps append order, and
 * buffer memory never exceeds its bound and is all returned at the end.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../src/common/errors.js';
import { NotLeaderOrFollowerError } from '../../../../src/common/kafka-errors.js';
import { partitionForKey } from '../../../../src/log/client/producer/murmur2.js';
import type { ProducerBatch } from '../../../../src/log/client/producer/producer-batch.js';
import type { RecordMetadata } from '../../../../src/log/client/producer/producer-types.js';
import { FakeBroker, partitionsOf, settle, setup, valueWithId } from './producer-test-helpers.js';

const TOPICS = { a: partitionsOf(3), b: partitionsOf(2) } as const;
type Topic = keyof typeof TOPICS;

type Op =
  | { kind: 'append'; topic: Topic; how: 'explicit' | 'keyed' | 'keyless'; n: number; size: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'drain' }
  | { kind: 'complete'; pick: number }
  | { kind: 'fail'; pick: number; retriable: boolean };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant('append' as const),
      topic: fc.constantFrom<Topic>('a', 'b'),
      how: fc.constantFrom('explicit' as const, 'keyed' as const, 'keyless' as const),
      n: fc.nat(1000),
      // Mostly small records, some larger than a batch (which reserve more than batchSize).
      size: fc.oneof(
        { weight: 4, arbitrary: fc.integer({ min: 4, max: 160 }) },
        fc.integer({ min: 300, max: 700 }),
      ),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 40 }) }),
  },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('drain' as const) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('complete' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('fail' as const), pick: fc.nat(), retriable: fc.boolean() }),
  },
);

interface Owed {
  id: number;
  topic: Topic;
  /** The partition it must land in, when the record says (explicitly or by key). */
  partition: number | undefined;
  timestamp: number;
  refused: unknown;
  reports: number;
  error: Error | null;
  metadata: RecordMetadata | null;
}

const CONFIG = {
  batchSize: 400,
  bufferMemory: 1200,
  lingerMs: 5,
  maxBlockMs: 40,
  requestTimeoutMs: 20,
  deliveryTimeoutMs: 150,
  retryBackoffMs: 5,
  retryBackoffMaxMs: 20,
  retries: 3,
};

async function run(ops: Op[], seed: number): Promise<void> {
  const s = setup(CONFIG, seed);
  const broker = new FakeBroker();
  const owed: Owed[] = [];
  const inFlight: ProducerBatch[] = [];
  const drain = () => {
    const { batchesByNode } = s.accumulator.drain({ leaderOf: () => 1, maxInFlightPerPartition: 1 });
    for (const batches of batchesByNode.values()) inFlight.push(...batches);
  };
  for (const op of ops) {
    switch (op.kind) {
      case 'append': {
        const partitions = TOPICS[op.topic];
        const id = owed.length;
        const key = op.how === 'keyed' ? Buffer.from(`k${op.n % 17}`) : null;
        const explicit = op.how === 'explicit' ? op.n % partitions.count : undefined;
        const o: Owed = {
          id,
          topic: op.topic,
          partition: key !== null ? partitionForKey(key, partitions.count) : explicit,
          timestamp: s.clock.nowMs(),
          refused: undefined,
          reports: 0,
          error: null,
          metadata: null,
        };
        owed.push(o);
        s.accumulator
          .append(
            {
              topic: op.topic,
              key,
              value: valueWithId(id, op.size),
              ...(explicit === undefined ? {} : { partition: explicit }),
            },
            partitions,
            (error, metadata) => {
              o.reports++;
              o.error = error;
              o.metadata = metadata;
            },
          )
          .catch((e: unknown) => {
            o.refused = e;
          });
        break;
      }
      case 'advance':
        s.clock.advance(op.ms);
        break;
      case 'drain':
        drain();
        break;
      case 'complete': {
        if (inFlight.length === 0) break;
        const [batch] = inFlight.splice(op.pick % inFlight.length, 1);
        expect(s.accumulator.complete(batch!, broker.produce(batch!))).toBe(true);
        break;
      }
      case 'fail': {
        if (inFlight.length === 0) break;
        const [batch] = inFlight.splice(op.pick % inFlight.length, 1);
        const error = op.retriable ? new NotLeaderOrFollowerError('x') : new InvalidRecordError('x');
        expect(s.accumulator.fail(batch!, error)).not.toBe('ignored');
        break;
      }
    }
    await settle();
    expect(s.accumulator.bufferedBytes).toBeLessThanOrEqual(CONFIG.bufferMemory);
  }

  // Close and let a well-behaved broker take everything that is left.
  let closed = false;
  void s.accumulator.close().then(() => {
    closed = true;
  });
  for (let round = 0; round < 200 && s.accumulator.incompleteBatches > 0; round++) {
    while (inFlight.length > 0) {
      const batch = inFlight.shift()!;
      s.accumulator.complete(batch, broker.produce(batch));
    }
    s.clock.advance(10);
    drain();
    await settle();
  }
  await settle();
  expect(closed).toBe(true);
  expect(s.accumulator.bufferedBytes).toBe(0);

  const written = new Map<number, { topic: string; partition: number; offset: number }>();
  for (const [tp, log] of broker.logs) {
    const dash = tp.lastIndexOf('-');
    const topic = tp.slice(0, dash);
    const partition = Number(tp.slice(dash + 1));
    log.forEach((id, offset) => {
      expect(written.has(id), `record ${id} written twice`).toBe(false);
      written.set(id, { topic, partition, offset });
      if (offset > 0) expect(id, `order in ${tp}`).toBeGreaterThan(log[offset - 1]!);
    });
  }
  for (const o of owed) {
    if (o.refused !== undefined) {
      expect(o.reports, `record ${o.id} refused and reported`).toBe(0);
      expect(written.has(o.id)).toBe(false);
      continue;
    }
    expect(o.reports, `record ${o.id} reported once`).toBe(1);
    if (o.error !== null) {
      expect(written.has(o.id), `failed record ${o.id} was written`).toBe(false);
      continue;
    }
    const md = o.metadata!;
    expect(written.get(o.id)).toEqual({ topic: md.topic, partition: md.partition, offset: md.offset });
    expect(md.topic).toBe(o.topic);
    expect(md.timestamp).toBe(o.timestamp);
    if (o.partition !== undefined) expect(md.partition).toBe(o.partition);
  }
  expect(written.size).toBe(owed.filter((o) => o.error === null && o.refused === undefined).length);
}

describe('RecordAccumulator against a model', () => {
  it('never loses, duplicates or reorders a record, and keeps buffer memory bounded', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { maxLength: 150, size: 'max' }), fc.integer(), (ops, seed) =>
        run(ops, seed),
      ),
      { numRuns: 300 },
    );
  });
});
