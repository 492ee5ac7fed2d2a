/**
 * Test helpers for the producer: an accumulator on a simulated clock with a counted onReady, a
 * fake broker that appends drained batches to in-memory partition logs, and small record makers.
 */

import { DefaultPartitioner } from '../../../../src/log/client/producer/partitioner.js';
import type { ProducerBatch } from '../../../../src/log/client/producer/producer-batch.js';
import type { ProducerConfigInput } from '../../../../src/log/client/producer/producer-config.js';
import type { TopicPartitions } from '../../../../src/log/client/producer/producer-types.js';
import { RecordAccumulator } from '../../../../src/log/client/producer/record-accumulator.js';
import { decodeRecords } from '../../../../src/log/format/record-batch-decoder.js';
import { SeededRandom } from '../../../../src/runtime/actor/seeded-random.js';
import { SimulatedClock } from '../../../../src/runtime/actor/simulated-clock.js';

export const START_MS = 1_700_000_000_000;
export const ALL_ONE: TopicPartitions = { count: 1, available: [] };

/** Partitions 0..count-1, all with a leader. */
export function partitionsOf(count: number): TopicPartitions {
  return { count, available: Array.from({ length: count }, (_, i) => i) };
}

export interface Setup {
  clock: SimulatedClock;
  random: SeededRandom;
  partitioner: DefaultPartitioner;
  accumulator: RecordAccumulator;
  /** How many times onReady was called. */
  readyCalls(): number;
  callbackErrors: unknown[];
}

/** An accumulator on a SimulatedClock at START_MS with SeededRandom(seed). */
export function setup(config: ProducerConfigInput = {}, seed = 7): Setup {
  const clock = new SimulatedClock(START_MS);
  const random = new SeededRandom(seed);
  const partitioner = new DefaultPartitioner(random, config.batchSize ?? 16384);
  let ready = 0;
  const callbackErrors: unknown[] = [];
  const accumulator = new RecordAccumulator({
    clock,
    random,
    config,
    partitioner,
    onReady: () => {
      ready++;
    },
    onCallbackError: (e) => callbackErrors.push(e),
  });
  return { clock, random, partitioner, accumulator, readyCalls: () => ready, callbackErrors };
}

/** A value of `size` bytes whose first four hold `id` (big-endian), so a decoded record names itself. */
export function valueWithId(id: number, size = 100): Buffer {
  const value = Buffer.alloc(Math.max(4, size), id & 0xff);
  value.writeUInt32BE(id, 0);
  return value;
}

/** The ids of a batch's records, in order. */
export function idsOf(batch: ProducerBatch): number[] {
  return decodeRecords(batch.bytes).map((r) => Buffer.from(r.value!).readUInt32BE(0));
}

/** Every drained batch, flattened (all nodes). */
export function drainAll(accumulator: RecordAccumulator, maxInFlightPerPartition?: number): ProducerBatch[] {
  const { batchesByNode } = accumulator.drain({
    leaderOf: () => 1,
    ...(maxInFlightPerPartition === undefined ? {} : { maxInFlightPerPartition }),
  });
  return [...batchesByNode.values()].flat();
}

/** In-memory partition logs: `produce` appends a batch's record ids and returns the base offset. */
export class FakeBroker {
  readonly logs = new Map<string, number[]>();

  produce(batch: ProducerBatch): number {
    const key = `${batch.topic}-${batch.partition}`;
    let log = this.logs.get(key);
    if (log === undefined) {
      log = [];
      this.logs.set(key, log);
    }
    const base = log.length;
    log.push(...idsOf(batch));
    return base;
  }

  log(topic: string, partition: number): number[] {
    return this.logs.get(`${topic}-${partition}`) ?? [];
  }
}

/** Lets pending promise callbacks run. */
export async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await Promise.resolve();
}

/** Tracks a promise's outcome without awaiting it. */
export function track<T>(promise: Promise<T>): {
  state: 'pending' | 'resolved' | 'rejected';
  value?: T;
  error?: unknown;
} {
  const out: { state: 'pending' | 'resolved' | 'rejected'; value?: T; error?: unknown } = {
    state: 'pending',
  };
  promise.then(
    (value) => {
      out.state = 'resolved';
      out.value = value;
    },
    (error: unknown) => {
      out.state = 'rejected';
      out.error = error;
    },
  );
  return out;
}
