/**
 * producer-accumulator: the producer's per-record cost of batching (DESIGN.md §10).
 *
 * - accumulate-100B: 5 M records of 100 bytes (null key, no headers, a fixed timestamp) appended to
 *   one partition through RecordAccumulator.tryAppend with the default batchSize 16384; whenever
 *   onReady signals a full batch the loop drains once and completes what it got (a sender woken by
 *   onReady), and flushes at the end. Every drained
 *   batch's bytes are counted. Baseline: a hand-written loop building the same batches directly
 *   with one RecordBatchBuilder (append; when full, build() a copy and reset) — the work the
 *   accumulator adds on top is partition lookup, memory accounting, batch objects, the copy-out
 *   into a buffer of the batch's own, drain and completion. The first batch of each side must be
 *   byte-identical.
 *
 * Baseline and accumulator runs alternate after a warm-up of each; each side reports its best
 * run (noise only slows a run down); every run and the ratio of the medians are in the note.
 */

import type { ProducerBatch } from '../src/log/client/producer/producer-batch.js';
import type { ProducerRecord, TopicPartitions } from '../src/log/client/producer/producer-types.js';
import { RecordAccumulator } from '../src/log/client/producer/record-accumulator.js';
import { RecordBatchBuilder } from '../src/log/format/record-batch-builder.js';
import { realClock } from '../src/runtime/actor/real-clock.js';
import { SeededRandom } from '../src/runtime/actor/seeded-random.js';
import {
  type Benchmark,
  collectGarbage,
  type Figure,
  figure,
  MiB,
  median,
  memorySnapshot,
  nowMs,
  perSec,
  progress,
  roundFigure,
} from './harness.js';

const RECORDS = 5_000_000;
const VALUE_BYTES = 100;
const ROUNDS = 5;
const BATCH_SIZE = 16 * 1024;
const DISTINCT = 1024;
const ONE_PARTITION: TopicPartitions = { count: 1, available: [0] };

interface Run {
  ms: number;
  batches: number;
  bytes: number;
  firstBatch: Buffer;
  heapGrowth: number;
}

function makeRecords(timestamp: number): ProducerRecord[] {
  return Array.from({ length: DISTINCT }, (_, i) => ({
    topic: 'bench',
    partition: 0,
    value: Buffer.alloc(VALUE_BYTES, i & 0xff),
    timestamp,
  }));
}

/** The baseline: one builder, a copy of each full batch, reset. */
function byHand(records: readonly ProducerRecord[]): Run {
  collectGarbage();
  const heapBefore = memorySnapshot().heapUsed;
  const builder = new RecordBatchBuilder({ maxBatchBytes: BATCH_SIZE });
  let firstBatch: Buffer | undefined;
  let batches = 0;
  let bytes = 0;
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    const record = records[i & (DISTINCT - 1)]!;
    if (!builder.append(record)) {
      const batch = builder.build();
      firstBatch ??= batch;
      batches++;
      bytes += batch.length;
      builder.reset();
      builder.append(record);
    }
  }
  const last = builder.build();
  batches++;
  bytes += last.length;
  const ms = nowMs() - start;
  return { ms, batches, bytes, firstBatch: firstBatch!, heapGrowth: memorySnapshot().heapUsed - heapBefore };
}

/** Through the accumulator: tryAppend; when memory runs out, drain and complete everything. */
async function throughAccumulator(records: readonly ProducerRecord[]): Promise<Run> {
  collectGarbage();
  const heapBefore = memorySnapshot().heapUsed;
  let ready = false;
  const accumulator = new RecordAccumulator({
    clock: realClock,
    random: new SeededRandom(1),
    config: { batchSize: BATCH_SIZE },
    onReady: () => {
      ready = true;
    },
  });
  const drainOptions = { leaderOf: () => 0 };
  let firstBatch: Buffer | undefined;
  let batches = 0;
  let bytes = 0;
  let offset = 0;
  /** One drain, its batches acknowledged at once; returns how many it took. */
  const send = (): number => {
    ready = false;
    const drained = accumulator.drain(drainOptions).batchesByNode.get(0);
    if (drained === undefined) return 0;
    for (let b = 0; b < drained.length; b++) {
      const batch: ProducerBatch = drained[b]!;
      firstBatch ??= batch.bytes;
      batches++;
      bytes += batch.bytes.length;
      accumulator.complete(batch, offset);
      offset += batch.recordCount;
    }
    return drained.length;
  };
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    const record = records[i & (DISTINCT - 1)]!;
    if (!accumulator.tryAppend(record, ONE_PARTITION)) {
      while (send() > 0);
      accumulator.tryAppend(record, ONE_PARTITION);
    }
    // The sender's turn comes when the accumulator signals a full batch, as a sender scheduled
    // from onReady would run right after.
    if (ready) send();
  }
  const flushed = accumulator.flush();
  while (send() > 0);
  await flushed;
  const ms = nowMs() - start;
  if (offset !== RECORDS) throw new Error(`completed ${offset} records, appended ${RECORDS}`);
  await accumulator.close();
  return { ms, batches, bytes, firstBatch: firstBatch!, heapGrowth: memorySnapshot().heapUsed - heapBefore };
}

const producerAccumulator: Benchmark = {
  name: 'producer-accumulator',
  async run(): Promise<Figure[]> {
    const records = makeRecords(realClock.nowMs());
    progress(`warm-up, then ${ROUNDS} × (hand loop, accumulator) of ${RECORDS.toLocaleString()} records`);
    const warmHand = byHand(records);
    const warmAcc = await throughAccumulator(records);
    if (!warmHand.firstBatch.equals(warmAcc.firstBatch)) {
      throw new Error('the accumulator’s first batch differs from the hand-built one');
    }
    if (warmHand.batches !== warmAcc.batches || warmHand.bytes !== warmAcc.bytes) {
      throw new Error(
        `hand loop made ${warmHand.batches} batches (${warmHand.bytes} B), accumulator ${warmAcc.batches} (${warmAcc.bytes} B)`,
      );
    }
    const hand: number[] = [];
    const acc: number[] = [];
    let heapGrowth = 0;
    for (let r = 0; r < ROUNDS; r++) {
      hand.push(byHand(records).ms);
      const run = await throughAccumulator(records);
      acc.push(run.ms);
      heapGrowth = run.heapGrowth;
    }
    const rate = (ms: number) => perSec(RECORDS, ms);
    const fmt = (xs: number[]) => xs.map((ms) => roundFigure(rate(ms)).toLocaleString('en-US')).join(', ');
    const medianRatio = rate(median(acc)) / rate(median(hand));
    return [
      figure('accumulate-100B', 'records/s', rate(Math.min(...acc)), {
        baseline: rate(Math.min(...hand)),
        note:
          `${RECORDS.toLocaleString('en-US')} records of ${VALUE_BYTES} B into ${warmAcc.batches.toLocaleString('en-US')} ` +
          `batches of batchSize ${BATCH_SIZE} on one partition, tryAppend, and drain + complete on each ` +
          'onReady; baseline ' +
          'RecordBatchBuilder append/build/reset by hand, byte-identical batches. Best of ' +
          `${ROUNDS} alternated runs; runs in records/s: baseline ${fmt(hand)}; accumulator ${fmt(acc)}; ` +
          `ratio of medians ${medianRatio.toFixed(2)}. JS heap growth over the last accumulator run ` +
          `${(heapGrowth / MiB).toFixed(1)} MiB (batch bytes live outside the heap).`,
      }),
    ];
  },
};

export default producerAccumulator;
