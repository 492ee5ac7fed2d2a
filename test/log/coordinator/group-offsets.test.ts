import { describe, expect, it } from 'vitest';
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  GroupIdNotFoundError,
  IllegalGenerationError,
  InvalidGroupIdError,
  InvalidRequestError,
  NonEmptyGroupError,
  NotCoordinatorError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../src/common/kafka-errors.js';
import type { CoordinatorStateLog } from '../../../src/log/coordinator/coordinator-state-log.js';
import { partitionForGroup } from '../../../src/log/coordinator/group-partition.js';
import type { ListGroupsResult } from '../../../src/log/coordinator/group-requests.js';
import { decodeOffsetsTopicKey } from '../../../src/log/coordinator/offsets-topic-records.js';
import { PartitionStateLog } from '../../../src/log/coordinator/partition-state-log.js';
import { GROUP, Harness, HOST, joined, track } from './coordinator-fixtures.js';

const offset = (partition: number, value: number, metadata = '') => ({
  topic: 'orders',
  partition,
  offset: value,
  leaderEpoch: 3,
  metadata,
});

describe('offset commits and fetches', () => {
  it('returns what a member committed, and -1 for partitions with no commit', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew()));
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    const committed = await h.run(
      h.commit({ memberId: a.memberId, generationId: 1, offsets: [offset(0, 42, 'm0'), offset(1, 7)] }),
    );
    expect(committed.partitions).toEqual([
      { topic: 'orders', partition: 0, error: null },
      { topic: 'orders', partition: 1, error: null },
    ]);
    const fetched = await h.run(
      h.fetch([
        { topic: 'orders', partition: 0 },
        { topic: 'orders', partition: 9 },
      ]),
    );
    expect(fetched.offsets).toEqual([
      { topic: 'orders', partition: 0, offset: 42, leaderEpoch: 3, metadata: 'm0' },
      { topic: 'orders', partition: 9, offset: -1, leaderEpoch: -1, metadata: '' },
    ]);
    expect((await h.run(h.fetch(null))).offsets.map((o) => [o.partition, o.offset])).toEqual([
      [0, 42],
      [1, 7],
    ]);
  });

  it('refuses commits from stale generations, unknown members, and during the hand-out of assignments', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew({ clientId: 'a' })));
    const commit = (generationId: number, memberId = a.memberId) =>
      h.run(h.commit({ memberId, generationId, offsets: [offset(0, 1)] }));
    await expect(commit(1)).rejects.toBeInstanceOf(RebalanceInProgressError);
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    await expect(commit(0)).rejects.toBeInstanceOf(IllegalGenerationError);
    await expect(commit(1, 'ghost')).rejects.toBeInstanceOf(UnknownMemberIdError);
    // An anonymous commit is refused while the group has members.
    await expect(h.run(h.commit({ offsets: [offset(0, 1)] }))).rejects.toBeInstanceOf(UnknownMemberIdError);
    // During preparingRebalance the generation has not moved: members commit before revoking.
    void h.joinNew({ clientId: 'b' });
    await h.sim.runFor(10);
    await expect(commit(1)).resolves.toMatchObject({ partitions: [{ error: null }] });
  });

  it('accepts commits outside group management for a group without members, creating it', async () => {
    const h = await new Harness().start();
    await h.run(h.commit({ groupId: 'tool', offsets: [offset(0, 5)] }));
    expect((await h.run(h.fetch(null, 'tool'))).offsets[0]).toMatchObject({ offset: 5 });
    expect(await h.run(h.describe('tool'))).toMatchObject({ state: 'Empty', members: [] });
    await expect(
      h.run(h.commit({ groupId: 'other', generationId: 3, memberId: 'm', offsets: [offset(0, 5)] })),
    ).rejects.toBeInstanceOf(IllegalGenerationError);
  });

  it('refuses metadata longer than offsetMetadataMaxBytes for that partition only', async () => {
    const h = await new Harness({ config: { offsetMetadataMaxBytes: 4 } }).start();
    const result = await h.run(h.commit({ offsets: [offset(0, 1, 'ok'), offset(1, 2, 'too long')] }));
    expect(result.partitions[0]!.error).toBeNull();
    expect(result.partitions[1]!.error?.name).toBe('OffsetMetadataTooLargeError');
    expect((await h.run(h.fetch(null))).offsets.map((o) => o.partition)).toEqual([0]);
  });

  it('answers a commit with the coordinator error when the write fails, and keeps the old offset', async () => {
    let failWrites = false;
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: (records) => (failWrites ? Promise.reject(new Error('disk on fire')) : log.append(records)),
      appendMarker: (marker) => log.appendMarker(marker),
      readAll: () => log.readAll(),
    });
    const h = await new Harness({ wrapLog }).start();
    await h.run(h.commit({ offsets: [offset(0, 1)] }));
    failWrites = true;
    const result = await h.run(h.commit({ offsets: [offset(0, 2)] }));
    expect(result.partitions[0]!.error).toMatchObject({
      name: 'CoordinatorNotAvailableError',
      retriable: true,
    });
    expect((await h.run(h.fetch(null))).offsets[0]).toMatchObject({ offset: 1 });
  });
});

describe('state in __consumer_offsets', () => {
  it('survives a restart: a new coordinator loading the same log sees the offsets and the generation', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew({ clientId: 'a' })));
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    await h.run(h.commit({ memberId: a.memberId, generationId: 1, offsets: [offset(0, 42), offset(1, 43)] }));
    await h.run(h.commit({ memberId: a.memberId, generationId: 1, offsets: [offset(0, 44)] }));
    await h.run(h.commit({ groupId: 'tool', offsets: [offset(2, 9)] }));
    h.stopHost();
    await h.logs.get(0)!.close();
    h.logs.clear();

    const h2 = await new Harness({ fs: h.fs, seed: 2 }).start();
    expect((await h2.run(h2.fetch(null))).offsets.map((o) => [o.partition, o.offset])).toEqual([
      [0, 44],
      [1, 43],
    ]);
    expect((await h2.run(h2.fetch(null, 'tool'))).offsets.map((o) => o.offset)).toEqual([9]);
    const described = await h2.run(h2.describe());
    expect(described).toMatchObject({
      state: 'Stable',
      generationId: 1,
      leader: a.memberId,
      protocolName: 'range',
    });
    expect(described.members.map((m) => m.memberId)).toEqual([a.memberId]);
    // The member carries on in its generation with the new coordinator.
    await expect(h2.run(h2.heartbeat({ memberId: a.memberId, generationId: 1 }))).resolves.toEqual({});
    const list = await h2.run(h2.call<ListGroupsResult>({ type: 'group.list' }));
    expect(list.groups).toEqual([
      { groupId: GROUP, protocolType: 'consumer', state: 'Stable' },
      { groupId: 'tool', protocolType: '', state: 'Empty' },
    ]);
  });

  it('deletes an empty group with tombstones for it and its offsets, and refuses a group with members', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew()));
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    await h.run(h.commit({ memberId: a.memberId, generationId: 1, offsets: [offset(0, 42)] }));
    await expect(h.run(h.call({ type: 'group.delete', groupId: GROUP }))).rejects.toBeInstanceOf(
      NonEmptyGroupError,
    );
    await h.run(h.leave([{ memberId: a.memberId, groupInstanceId: null }]));
    await h.sim.runFor(10);
    await h.run(h.call({ type: 'group.delete', groupId: GROUP }));
    await expect(h.run(h.call({ type: 'group.delete', groupId: GROUP }))).rejects.toBeInstanceOf(
      GroupIdNotFoundError,
    );
    expect((await h.run(h.fetch(null))).offsets).toEqual([]);
    expect((await h.run(h.call<ListGroupsResult>({ type: 'group.list' }))).groups).toEqual([]);

    const records = await new PartitionStateLog(h.logs.get(0)!, h.sim.clock).readAll();
    const tail = records.slice(-2).map((r) => ({ key: decodeOffsetsTopicKey(r.key), value: r.value }));
    expect(tail).toEqual([
      { key: { kind: 'group', groupId: GROUP }, value: null },
      { key: { kind: 'offset', groupId: GROUP, topic: 'orders', partition: 0 }, value: null },
    ]);
    h.stopHost();
    const h2 = await new Harness({ fs: h.fs }).start();
    expect(await h2.run(h2.describe())).toMatchObject({ state: 'Dead', members: [] });
    // The id is free again: a new group of that name starts from nothing.
    expect(joined(await h2.run(h2.joinNew())).generationId).toBe(1);
  });
});

describe('faults', () => {
  it('reloads a partition from __consumer_offsets when a group actor crashes, keeping what was stored', async () => {
    const h = await new Harness().start();
    await h.run(h.commit({ offsets: [offset(0, 42)] }));
    const before = h.sim.system.ids().filter((id) => id.includes('/group/'));
    // A malformed request (no protocols) crashes the group's actor: a bug it must survive.
    await h
      .run(h.call({ type: 'group.join', groupId: GROUP, memberId: '', sessionTimeoutMs: 10_000 }), 5000)
      .catch(() => undefined);
    await h.sim.runFor(100);
    const after = h.sim.system.ids().filter((id) => id.includes('/group/'));
    expect(after).toHaveLength(1);
    expect(after).not.toEqual(before);
    expect((await h.run(h.fetch(null))).offsets.map((o) => o.offset)).toEqual([42]);
  });

  it('answers COORDINATOR_NOT_AVAILABLE when the state log throws instead of rejecting', async () => {
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: () => {
        throw new Error('synchronous failure');
      },
      appendMarker: (marker) => log.appendMarker(marker),
      readAll: () => log.readAll(),
    });
    const h = await new Harness({ wrapLog }).start();
    const result = await h.run(h.commit({ offsets: [offset(0, 1)] }));
    expect(result.partitions[0]!.error?.name).toBe('CoordinatorNotAvailableError');
  });

  it('refuses ids and names too long for Kafka’s strings instead of failing to store them', async () => {
    const h = await new Harness().start();
    const long = 'x'.repeat(40_000);
    await expect(h.run(h.describe(long))).rejects.toBeInstanceOf(InvalidGroupIdError);
    await expect(h.run(h.joinNew({ clientId: long }))).rejects.toBeInstanceOf(InvalidRequestError);
    const result = await h.run(h.commit({ offsets: [{ ...offset(0, 1), topic: long }, offset(1, 2)] }));
    expect(result.partitions.map((p) => p.error?.name ?? null)).toEqual(['InvalidRequestError', null]);
  });
});

describe('coordinator ownership', () => {
  it('answers NOT_COORDINATOR for groups of partitions it does not lead, and after unloading', async () => {
    const h = await new Harness({ config: { offsetsTopicPartitions: 2 } }).start([0]);
    const ids = ['g-1', 'g-2', 'g-3', 'g-4', 'g-5'];
    const here = ids.find((g) => partitionForGroup(g, 2) === 0)!;
    const there = ids.find((g) => partitionForGroup(g, 2) === 1)!;
    await expect(h.run(h.describe(there))).rejects.toBeInstanceOf(NotCoordinatorError);
    await expect(h.run(h.joinNew({ groupId: there }))).rejects.toBeInstanceOf(NotCoordinatorError);
    expect(joined(await h.run(h.joinNew({ groupId: here }))).generationId).toBe(1);
    h.sim.system.send(undefined, HOST, { type: 'coordinator.unload', partition: 0 });
    await h.sim.runFor(10);
    await expect(h.run(h.describe(here))).rejects.toBeInstanceOf(NotCoordinatorError);
    // The group's actor retires once it has answered what reached it.
    expect(h.sim.system.ids().filter((id) => id.includes('/group/'))).toEqual([]);
  });

  it('answers a waiting join NOT_COORDINATOR when the partition moves away', async () => {
    const h = await new Harness({ config: { groupInitialRebalanceDelayMs: 5000 } }).start();
    const a = track(h.joinNew());
    await h.sim.runFor(100);
    h.sim.system.send(undefined, HOST, { type: 'coordinator.unload', partition: 0 });
    await h.sim.runUntil(() => a.done, 1000);
    expect(a.error).toBeInstanceOf(NotCoordinatorError);
  });

  it('answers COORDINATOR_LOAD_IN_PROGRESS while it loads the partition', async () => {
    let release: (() => void) | undefined;
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: (records) => log.append(records),
      appendMarker: (marker) => log.appendMarker(marker),
      readAll: () =>
        new Promise((resolve) => {
          release = () => void log.readAll().then(resolve);
        }),
    });
    const h = new Harness({ wrapLog });
    h.spawnHost();
    const loaded = track(h.call({ type: 'coordinator.load', partition: 0 }));
    await h.sim.runFor(10);
    await expect(h.run(h.joinNew())).rejects.toBeInstanceOf(CoordinatorLoadInProgressError);
    await expect(h.run(h.call({ type: 'group.list' }))).rejects.toBeInstanceOf(
      CoordinatorLoadInProgressError,
    );
    release!();
    await h.sim.runUntil(() => loaded.done, 1000);
    expect(loaded.value).toEqual({ groups: 0 });
    expect(joined(await h.run(h.joinNew())).generationId).toBe(1);
  });

  it('answers COORDINATOR_NOT_AVAILABLE when loading failed, and loads again when asked', async () => {
    let broken = true;
    const wrapLog = (log: CoordinatorStateLog): CoordinatorStateLog => ({
      append: (records) => log.append(records),
      appendMarker: (marker) => log.appendMarker(marker),
      readAll: () => (broken ? Promise.reject(new Error('unreadable')) : log.readAll()),
    });
    const h = new Harness({ wrapLog });
    h.spawnHost();
    await expect(h.run(h.call({ type: 'coordinator.load', partition: 0 }))).rejects.toBeInstanceOf(
      CoordinatorLoadInProgressError,
    );
    await expect(h.run(h.joinNew())).rejects.toBeInstanceOf(CoordinatorNotAvailableError);
    broken = false;
    await h.run(h.call({ type: 'coordinator.load', partition: 0 }));
    expect(joined(await h.run(h.joinNew())).generationId).toBe(1);
  });
});
