import { describe, expect, it } from 'vitest';
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  FencedInstanceIdError,
  IllegalGenerationError,
  NotCoordinatorError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../src/common/kafka-errors.js';
import { InvalidProducerEpochError } from '../../../src/common/transaction-errors.js';
import type { CoordinatorStateLog } from '../../../src/log/coordinator/coordinator-state-log.js';
import type { FetchedOffset } from '../../../src/log/coordinator/offset-requests.js';
import { decodeOffsetsTopicKey } from '../../../src/log/coordinator/offsets-topic-records.js';
import { PartitionStateLog } from '../../../src/log/coordinator/partition-state-log.js';
import { GROUP, Harness, joined, track } from './coordinator-fixtures.js';

const offset = (partition: number, value: number, metadata = '') => ({
  topic: 'orders',
  partition,
  offset: value,
  leaderEpoch: 1,
  metadata,
});
const tp = (partition: number) => ({ topic: 'orders', partition });

/** The fetched offset of each partition, or the name of its error. */
function offsetsOrErrors(offsets: readonly FetchedOffset[]): (number | string)[] {
  return offsets.map((o) => o.error?.name ?? o.offset);
}

/** Member a alone in a stable generation 1. */
async function stableOne(h: Harness, groupInstanceId: string | null = null) {
  const a = joined(await h.run(h.joinNew({ clientId: 'a', groupInstanceId })));
  await h.run(h.sync({ memberId: a.memberId, generationId: 1, groupInstanceId }));
  return a.memberId;
}

describe('TxnOffsetCommit member checks (KIP-447)', () => {
  it('accepts the current generation’s member and refuses an old generation, an unknown member and a hand-out', async () => {
    const h = await new Harness().start();
    const a = await stableOne(h);
    const commit = (memberId: string, generationId: number) =>
      h.run(h.txnCommit({ producerId: 7, memberId, generationId, offsets: [offset(0, 5)] }));
    await expect(commit(a, 1)).resolves.toEqual({ partitions: [{ ...tp(0), error: null }] });
    await expect(commit('ghost', 1)).rejects.toBeInstanceOf(UnknownMemberIdError);

    // b joins: a rejoins, and generation 2 is being handed out.
    const b = track(h.joinNew({ clientId: 'b' }));
    await h.sim.runFor(50);
    joined(await h.run(h.join({ clientId: 'a', memberId: a })));
    await h.sim.runUntil(() => b.done, 1000);
    await expect(commit(a, 2)).rejects.toBeInstanceOf(RebalanceInProgressError);
    await h.run(h.sync({ memberId: a, generationId: 2 }));
    // A zombie still in generation 1 cannot commit the offsets of its transaction.
    await expect(commit(a, 1)).rejects.toBeInstanceOf(IllegalGenerationError);
    await expect(commit(a, 2)).resolves.toMatchObject({ partitions: [{ error: null }] });
  });

  it('fences the replaced instance of a static member', async () => {
    const h = await new Harness().start();
    const old = await stableOne(h, 'instance-a');
    joined(await h.run(h.join({ clientId: 'a', groupInstanceId: 'instance-a' })));
    await expect(
      h.run(
        h.txnCommit({
          producerId: 7,
          memberId: old,
          generationId: 1,
          groupInstanceId: 'instance-a',
          offsets: [offset(0, 5)],
        }),
      ),
    ).rejects.toBeInstanceOf(FencedInstanceIdError);
  });

  it('accepts a commit without member and generation even in a group with members, as older clients send', async () => {
    const h = await new Harness().start();
    await stableOne(h);
    await expect(h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 5)] }))).resolves.toMatchObject({
      partitions: [{ error: null }],
    });
    // A plain commit without a member is still refused there.
    await expect(h.run(h.commit({ offsets: [offset(0, 5)] }))).rejects.toBeInstanceOf(UnknownMemberIdError);
  });

  it('creates an unknown group for a commit outside group management, and refuses a member of a lost group', async () => {
    const h = await new Harness().start();
    await expect(
      h.run(
        h.txnCommit({
          producerId: 7,
          groupId: 'other',
          generationId: 3,
          memberId: 'm',
          offsets: [offset(0, 1)],
        }),
      ),
    ).rejects.toBeInstanceOf(IllegalGenerationError);
    await h.run(h.txnCommit({ producerId: 7, groupId: 'tool', offsets: [offset(0, 1)] }));
    await h.run(h.marker(7, 'COMMIT'));
    expect((await h.run(h.fetch(null, 'tool'))).offsets.map((o) => o.offset)).toEqual([1]);
  });

  it('refuses an older epoch of a producer whose newer epoch has offsets pending (a zombie)', async () => {
    const h = await new Harness().start();
    await h.run(h.txnCommit({ producerId: 7, producerEpoch: 4, offsets: [offset(0, 10)] }));
    await expect(
      h.run(h.txnCommit({ producerId: 7, producerEpoch: 3, offsets: [offset(0, 99)] })),
    ).rejects.toBeInstanceOf(InvalidProducerEpochError);
    await h.run(h.marker(7, 'COMMIT', { producerEpoch: 4 }));
    expect((await h.run(h.fetch([tp(0)]))).offsets[0]!.offset).toBe(10);
  });
});

describe('pending transactional offsets', () => {
  it('are invisible to OffsetFetch, unstable to a requireStable fetch, and committed by the COMMIT marker', async () => {
    const h = await new Harness().start();
    await h.run(h.commit({ offsets: [offset(0, 3)] }));
    await h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 10), offset(1, 20)] }));
    const all = [tp(0), tp(1), tp(2)];
    expect(offsetsOrErrors((await h.run(h.fetch(all))).offsets)).toEqual([3, -1, -1]);
    const stable = (await h.run(h.fetch(all, GROUP, true))).offsets;
    expect(offsetsOrErrors(stable)).toEqual(['UnstableOffsetCommitError', 'UnstableOffsetCommitError', -1]);
    expect(stable[0]!.error).toMatchObject({ retriable: true });
    // Fetching every partition lists the committed ones only; the pending one among them is unstable.
    expect(offsetsOrErrors((await h.run(h.fetch(null, GROUP, true))).offsets)).toEqual([
      'UnstableOffsetCommitError',
    ]);

    const written = await h.run(h.marker(7, 'COMMIT'));
    expect(written.offset).toBeGreaterThan(0);
    // Sent after the marker was answered, the fetch sees the transaction's offsets.
    expect(offsetsOrErrors((await h.run(h.fetch(all, GROUP, true))).offsets)).toEqual([10, 20, -1]);
  });

  it('are dropped by the ABORT marker, leaving the offsets committed before', async () => {
    const h = await new Harness().start();
    await h.run(h.commit({ offsets: [offset(0, 3)] }));
    await h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 10), offset(1, 20)] }));
    await h.run(h.marker(7, 'ABORT'));
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0), tp(1)], GROUP, true))).offsets)).toEqual([3, -1]);
    // A marker again (a retry) changes nothing.
    await h.run(h.marker(7, 'COMMIT'));
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0), tp(1)]))).offsets)).toEqual([3, -1]);
  });

  it('keeps the producers apart: each marker ends its own producer’s transaction, in every group of the partition', async () => {
    const h = await new Harness().start();
    await h.run(h.txnCommit({ producerId: 1, offsets: [offset(0, 10)] }));
    await h.run(h.txnCommit({ producerId: 2, offsets: [offset(1, 20)] }));
    await h.run(h.txnCommit({ producerId: 1, groupId: 'other', offsets: [offset(0, 11)] }));
    // A later commit of the same producer overwrites its own pending offset.
    await h.run(h.txnCommit({ producerId: 1, offsets: [offset(0, 12)] }));
    await h.run(h.txnCommit({ producerId: 2, offsets: [offset(0, 30)] }));
    await h.run(h.marker(1, 'COMMIT'));
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0), tp(1)]))).offsets)).toEqual([12, -1]);
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0), tp(1)], GROUP, true))).offsets)).toEqual([
      'UnstableOffsetCommitError',
      'UnstableOffsetCommitError',
    ]);
    expect((await h.run(h.fetch([tp(0)], 'other', true))).offsets[0]!.offset).toBe(11);
    await h.run(h.marker(2, 'ABORT'));
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0), tp(1)], GROUP, true))).offsets)).toEqual([12, -1]);
  });

  it('lose to a plain commit written after them, as Kafka orders commits by where they are in the log', async () => {
    const h = await new Harness().start();
    await h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 10)] }));
    await h.run(h.commit({ offsets: [offset(0, 15)] }));
    await h.run(h.marker(7, 'COMMIT'));
    expect((await h.run(h.fetch([tp(0)]))).offsets[0]!.offset).toBe(15);
    await h.reload();
    expect((await h.run(h.fetch([tp(0)]))).offsets[0]!.offset).toBe(15);
  });

  it('keep a group from being deleted until their transaction ends', async () => {
    const h = await new Harness().start();
    await h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 10)] }));
    await expect(h.run(h.call({ type: 'group.delete', groupId: GROUP }))).rejects.toBeInstanceOf(
      CoordinatorNotAvailableError,
    );
    await h.run(h.marker(7, 'ABORT'));
    await h.run(h.call({ type: 'group.delete', groupId: GROUP }));
  });
});

describe('transactions in __consumer_offsets', () => {
  it('writes the offsets as the producer’s transactional batch and the marker as a control record', async () => {
    const h = await new Harness().start();
    await h.run(h.commit({ offsets: [offset(2, 1)] }));
    await h.run(h.txnCommit({ producerId: 7, producerEpoch: 2, offsets: [offset(0, 10)] }));
    const { offset: markerOffset } = await h.run(h.marker(7, 'COMMIT', { producerEpoch: 2 }));
    const records = await new PartitionStateLog(h.logs.get(0)!, h.sim.clock).readAll();
    expect(records.map(({ key, value, ...rest }) => rest)).toEqual([
      {},
      { producerId: 7, producerEpoch: 2, isTransactional: true },
      { producerId: 7, producerEpoch: 2, isTransactional: true, control: 'COMMIT', coordinatorEpoch: 0 },
    ]);
    expect(decodeOffsetsTopicKey(records[1]!.key)).toEqual({
      kind: 'offset',
      groupId: GROUP,
      topic: 'orders',
      partition: 0,
    });
    expect(markerOffset).toBe(2);
  });

  it('restores committed and pending offsets when the partition is loaded again, and a later marker ends them', async () => {
    const h = await new Harness().start();
    await h.run(h.txnCommit({ producerId: 1, offsets: [offset(0, 10)] }));
    await h.run(h.marker(1, 'COMMIT'));
    await h.run(h.txnCommit({ producerId: 2, offsets: [offset(0, 20), offset(1, 21)] }));
    await h.run(h.txnCommit({ producerId: 3, offsets: [offset(2, 30)] }));
    await h.run(h.marker(3, 'ABORT'));
    await h.reload();
    const all = [tp(0), tp(1), tp(2)];
    expect(offsetsOrErrors((await h.run(h.fetch(all))).offsets)).toEqual([10, -1, -1]);
    expect(offsetsOrErrors((await h.run(h.fetch(all, GROUP, true))).offsets)).toEqual([
      'UnstableOffsetCommitError',
      'UnstableOffsetCommitError',
      -1,
    ]);
    await h.run(h.marker(2, 'COMMIT'));
    expect(offsetsOrErrors((await h.run(h.fetch(all, GROUP, true))).offsets)).toEqual([20, 21, -1]);
  });

  it('answers a marker NOT_COORDINATOR for a partition it does not lead, and LOAD_IN_PROGRESS while loading it', async () => {
    let release: (() => void) | undefined;
    let hold = false;
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: (records, transaction) => log.append(records, transaction),
      appendMarker: (marker) => log.appendMarker(marker),
      readAll: () =>
        hold
          ? new Promise((resolve) => {
              release = () => void log.readAll().then(resolve);
            })
          : log.readAll(),
    });
    const h = await new Harness({ wrapLog, config: { offsetsTopicPartitions: 2 } }).start([0]);
    await expect(h.run(h.marker(7, 'COMMIT', { partition: 1 }))).rejects.toBeInstanceOf(NotCoordinatorError);
    hold = true;
    h.sim.system.send(undefined, 'broker-1/group-coordinator', { type: 'coordinator.unload', partition: 0 });
    await h.sim.runFor(1);
    const loaded = track(h.call({ type: 'coordinator.load', partition: 0 }));
    await h.sim.runFor(10);
    await expect(h.run(h.marker(7, 'COMMIT'))).rejects.toBeInstanceOf(CoordinatorLoadInProgressError);
    release!();
    await h.sim.runUntil(() => loaded.done, 1000);
    await expect(h.run(h.marker(7, 'COMMIT'))).resolves.toMatchObject({ offset: expect.any(Number) });
  });

  it('passes a failed marker write on as a retriable coordinator error, and the offsets stay pending', async () => {
    let failMarkers = true;
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: (records, transaction) => log.append(records, transaction),
      appendMarker: (marker) =>
        failMarkers ? Promise.reject(new Error('disk on fire')) : log.appendMarker(marker),
      readAll: () => log.readAll(),
    });
    const h = await new Harness({ wrapLog }).start();
    await h.run(h.txnCommit({ producerId: 7, offsets: [offset(0, 10)] }));
    await expect(h.run(h.marker(7, 'COMMIT'))).rejects.toMatchObject({
      name: 'CoordinatorNotAvailableError',
      retriable: true,
    });
    expect(offsetsOrErrors((await h.run(h.fetch([tp(0)], GROUP, true))).offsets)).toEqual([
      'UnstableOffsetCommitError',
    ]);
    failMarkers = false;
    await h.run(h.marker(7, 'COMMIT'));
    expect((await h.run(h.fetch([tp(0)], GROUP, true))).offsets[0]!.offset).toBe(10);
  });
});
