import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import type { FetchResult } from '../../../src/log/broker/partition-replica.js';
import type {
  FetchRequest,
  ProduceRequest,
  WriteTxnMarkerRequest,
} from '../../../src/log/broker/replica-requests.js';
import type {
  CoordinatorStateLog,
  StoredCoordinatorRecord,
} from '../../../src/log/coordinator/coordinator-state-log.js';
import { replayOffsetsTopic } from '../../../src/log/coordinator/group-replay.js';
import {
  encodeOffsetCommitValue,
  offsetCommitKey,
} from '../../../src/log/coordinator/offsets-topic-records.js';
import { PartitionStateLog } from '../../../src/log/coordinator/partition-state-log.js';
import { ReplicaStateLog } from '../../../src/log/coordinator/replica-state-log.js';
import { buildControlBatch } from '../../../src/log/format/control-record.js';
import { iterateBatches } from '../../../src/log/format/record-batch-decoder.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import { PartitionLog } from '../../../src/log/storage/partition-log.js';
import { type ActorInput, RpcClient, reply, Simulation } from '../../../src/runtime/actor/index.js';
import { track } from './coordinator-fixtures.js';

const committed = (group: string, partition: number, offset: number) => ({
  key: offsetCommitKey(group, 'orders', partition),
  value: encodeOffsetCommitValue({ offset, leaderEpoch: -1, metadata: '', commitTimestampMs: 0 }),
});

/** What readAll returned, without the bytes. */
const shapes = (records: StoredCoordinatorRecord[]) => records.map(({ key, value, ...rest }) => rest);

/** The committed offsets replay finds for `group` on `orders`, by partition. */
function replayed(records: StoredCoordinatorRecord[], group: string): [number, number][] {
  const offsets = replayOffsetsTopic(records).get(group)?.offsets.get('orders') ?? new Map();
  return [...offsets]
    .map(([partition, v]) => [partition, v.offset] as [number, number])
    .sort((a, b) => a[0] - b[0]);
}

/** Writes plain offsets, a committed and an aborted transaction, and an open one. */
async function writeTransactions(stateLog: CoordinatorStateLog): Promise<number[]> {
  await stateLog.append([committed('app', 0, 1), committed('app', 1, 1)]);
  await stateLog.append([committed('app', 0, 10)], { producerId: 7, producerEpoch: 2 });
  await stateLog.append([committed('app', 1, 20)], { producerId: 8, producerEpoch: 0 });
  const commitAt = await stateLog.appendMarker({
    producerId: 7,
    producerEpoch: 2,
    coordinatorEpoch: 5,
    marker: 'COMMIT',
  });
  const abortAt = await stateLog.appendMarker({
    producerId: 8,
    producerEpoch: 0,
    coordinatorEpoch: 5,
    marker: 'ABORT',
  });
  await stateLog.append([committed('app', 2, 30)], { producerId: 9, producerEpoch: 1 });
  return [commitAt, abortAt];
}

const EXPECTED_SHAPES = [
  {},
  {},
  { producerId: 7, producerEpoch: 2, isTransactional: true },
  { producerId: 8, producerEpoch: 0, isTransactional: true },
  { producerId: 7, producerEpoch: 2, isTransactional: true, control: 'COMMIT', coordinatorEpoch: 5 },
  { producerId: 8, producerEpoch: 0, isTransactional: true, control: 'ABORT', coordinatorEpoch: 5 },
  { producerId: 9, producerEpoch: 1, isTransactional: true },
];

function openLog(sim: Simulation, fs = new MemoryStorageFs()): PartitionLog {
  return PartitionLog.open({
    dir: '/data/__consumer_offsets-0',
    fs,
    clock: sim.clock,
    config: { cleanupPolicy: 'compact', segmentBytes: 64 * 1024 },
  });
}

describe('PartitionStateLog with transactions', () => {
  it('reads back transactional records with their producer and markers in their place', async () => {
    const sim = new Simulation({ seed: 1 });
    const stateLog = new PartitionStateLog(openLog(sim), sim.clock);
    const written = track(writeTransactions(stateLog));
    await sim.runUntil(() => written.done, 60_000);
    expect(written.value).toEqual([4, 5]);
    const records = await stateLog.readAll();
    expect(shapes(records)).toEqual(EXPECTED_SHAPES);
    // Committed: p7's offset; aborted: p8's; still open, so not committed: p9's.
    expect(replayed(records, 'app')).toEqual([
      [0, 10],
      [1, 1],
    ]);
    const pending = replayOffsetsTopic(records).get('app')!.pendingTxnOffsets;
    expect([...pending.keys()]).toEqual([9]);
    expect([...pending.get(9)!.offsets.values()].map((o) => [o.partition, o.value.offset])).toEqual([
      [2, 30],
    ]);
  });

  it('replays the same after compaction when every transaction was committed', async () => {
    const sim = new Simulation({ seed: 1 });
    const log = openLog(sim);
    const stateLog = new PartitionStateLog(log, sim.clock);
    const done = track(
      (async () => {
        await stateLog.append([committed('app', 0, 1)]);
        await stateLog.append([committed('app', 0, 10)], { producerId: 7, producerEpoch: 0 });
        // A plain commit between the transaction's offset and its COMMIT wins, compacted or not.
        await stateLog.append([committed('app', 0, 15)]);
        await stateLog.appendMarker({
          producerId: 7,
          producerEpoch: 0,
          coordinatorEpoch: 0,
          marker: 'COMMIT',
        });
        await stateLog.append([committed('app', 1, 3)]);
        await stateLog.append([committed('app', 1, 4)], { producerId: 7, producerEpoch: 0 });
        await stateLog.appendMarker({
          producerId: 7,
          producerEpoch: 0,
          coordinatorEpoch: 0,
          marker: 'COMMIT',
        });
      })(),
    );
    await sim.runUntil(() => done.done, 60_000);
    expect(done.error).toBeUndefined();
    const before = replayed(await stateLog.readAll(), 'app');
    log.roll();
    const compaction = track(log.compact());
    await sim.runUntil(() => compaction.done, 60_000);
    expect(compaction.value!.recordsRemoved).toBeGreaterThan(0);
    expect(replayed(await stateLog.readAll(), 'app')).toEqual(before);
    expect(before).toEqual([
      [0, 15],
      [1, 4],
    ]);
  });

  // An aborted transaction's offset records must not supersede an older committed offset when the
  // partition is compacted: replicas compact only below the last stable offset and drop aborted
  // transactions' records (replica-service.ts), which test/log/storage/compaction.test.ts checks.
});

type ReplicaEvent = ProduceRequest | FetchRequest | WriteTxnMarkerRequest;

/** A stand-in for a leader replica: a local log that answers produce, fetch and marker requests. */
const fakeReplica = setup({
  types: {
    input: {} as ActorInput<{ log: PartitionLog; seen: ReplicaEvent[] }>,
    context: {} as { actor: ActorInput['actor']; log: PartitionLog; seen: ReplicaEvent[] },
    events: {} as ReplicaEvent,
  },
}).createMachine({
  context: ({ input }) => ({ actor: input.actor, log: input.input.log, seen: input.input.seen }),
  on: {
    'produce.request': {
      actions: ({ context: { actor, log, seen }, event }) => {
        seen.push(event);
        const { firstOffset, lastOffset } = log.append(event.records);
        reply(actor, event, { baseOffset: firstOffset, lastOffset, logStartOffset: log.logStartOffset });
      },
    },
    'txnMarker.request': {
      actions: ({ context: { actor, log, seen }, event }) => {
        seen.push(event);
        const batch = buildControlBatch({
          type: event.marker,
          producerId: event.producerId,
          producerEpoch: event.producerEpoch,
          coordinatorEpoch: event.coordinatorEpoch,
          timestamp: actor.clock.nowMs(),
        });
        reply(actor, event, { offset: log.append(batch).firstOffset });
      },
    },
    'fetch.request': {
      actions: ({ context: { actor, log }, event }) => {
        const read = log.read(event.fetchOffset, event.maxBytes);
        const result: FetchResult = {
          records: read.records,
          highWatermark: read.logEndOffset,
          lastStableOffset: read.logEndOffset,
          logStartOffset: read.logStartOffset,
          logEndOffset: read.logEndOffset,
        };
        reply(actor, event, result);
      },
    },
  },
});

describe('ReplicaStateLog with transactions', () => {
  it('produces a transactional batch, sends markers to the replica, and reads both back', async () => {
    const sim = new Simulation({ seed: 1 });
    const log = openLog(sim);
    const seen: ReplicaEvent[] = [];
    sim.system.spawn({
      id: 'broker-1/replica/__consumer_offsets-0',
      logic: fakeReplica,
      input: { log, seen },
    });
    const stateLog = new ReplicaStateLog(new RpcClient(sim.system, 'broker-1/rpc'), sim.clock, 1, 0, 5000);
    const written = track(writeTransactions(stateLog));
    await sim.runUntil(() => written.done, 60_000);
    expect(written.error).toBeUndefined();
    expect(written.value).toEqual([4, 5]);

    const produced = seen[1] as ProduceRequest;
    const [batch] = [...iterateBatches(produced.records)];
    expect(batch).toMatchObject({ producerId: 7, producerEpoch: 2, baseSequence: -1, isTransactional: true });
    expect(seen.filter((e) => e.type === 'txnMarker.request')).toEqual([
      expect.objectContaining({
        topic: '__consumer_offsets',
        partition: 0,
        producerId: 7,
        marker: 'COMMIT',
        coordinatorEpoch: 5,
      }),
      expect.objectContaining({ producerId: 8, producerEpoch: 0, marker: 'ABORT', timeoutMs: 5000 }),
    ]);

    const read = track(stateLog.readAll());
    await sim.runUntil(() => read.done, 60_000);
    expect(shapes(read.value!)).toEqual(EXPECTED_SHAPES);
  });
});
