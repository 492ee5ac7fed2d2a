import { describe, expect, it } from 'vitest';
import {
  GroupMaxSizeReachedError,
  IllegalGenerationError,
  InconsistentGroupProtocolError,
  InvalidGroupIdError,
  InvalidSessionTimeoutError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../src/common/kafka-errors.js';
import { encodeAssignment } from '../../../src/log/client/assignors/consumer-protocol.js';
import { Harness, joined, subscription, track } from './coordinator-fixtures.js';

const A0 = encodeAssignment({ partitions: [{ topic: 'orders', partition: 0 }], userData: null });
const A1 = encodeAssignment({ partitions: [{ topic: 'orders', partition: 1 }], userData: null });

describe('JoinGroup', () => {
  it('hands a new member an id first and lets it in when it comes back with that id (KIP-394)', async () => {
    const h = await new Harness().start();
    const first = await h.run(h.join({ clientId: 'app-1' }));
    expect(first.outcome).toBe('memberIdRequired');
    const memberId = first.outcome === 'memberIdRequired' ? first.memberId : '';
    expect(memberId).toMatch(/^app-1-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await h.run(h.describe())).members).toEqual([]);

    const second = joined(await h.run(h.join({ clientId: 'app-1', memberId })));
    expect(second).toMatchObject({ generationId: 1, leader: memberId, memberId, protocolName: 'range' });
    expect(second.members).toEqual([{ memberId, groupInstanceId: null, metadata: subscription() }]);
  });

  it('forgets a handed-out member id that is not used within the session timeout', async () => {
    const h = await new Harness().start();
    const first = await h.run(h.join({ sessionTimeoutMs: 5000 }));
    await h.sim.runFor(6000);
    const memberId = first.outcome === 'memberIdRequired' ? first.memberId : '';
    await expect(h.run(h.join({ memberId }))).rejects.toBeInstanceOf(UnknownMemberIdError);
  });

  it('refuses an unknown member id, for an existing group and for a group that does not exist', async () => {
    const h = await new Harness().start();
    await expect(h.run(h.join({ memberId: 'ghost' }))).rejects.toBeInstanceOf(UnknownMemberIdError);
    await h.run(h.joinNew());
    await expect(h.run(h.join({ memberId: 'ghost' }))).rejects.toBeInstanceOf(UnknownMemberIdError);
  });

  it('refuses a session timeout outside the allowed range, an empty group id and a foreign protocol', async () => {
    const h = await new Harness({ config: { groupMaxSessionTimeoutMs: 60_000 } }).start();
    await expect(h.run(h.join({ sessionTimeoutMs: 500 }))).rejects.toBeInstanceOf(InvalidSessionTimeoutError);
    await expect(h.run(h.join({ sessionTimeoutMs: 60_001 }))).rejects.toBeInstanceOf(
      InvalidSessionTimeoutError,
    );
    await expect(h.run(h.join({ groupId: '' }))).rejects.toBeInstanceOf(InvalidGroupIdError);
    await h.run(h.joinNew());
    const foreign = [{ name: 'roundrobin', metadata: subscription() }];
    await expect(h.run(h.joinNew({ protocols: foreign }))).rejects.toBeInstanceOf(
      InconsistentGroupProtocolError,
    );
    await expect(h.run(h.joinNew({ protocolType: 'connect' }))).rejects.toBeInstanceOf(
      InconsistentGroupProtocolError,
    );
  });

  it('lets an old client that cannot do the two-step join in at once', async () => {
    const h = await new Harness().start();
    const result = joined(await h.run(h.join({ requireKnownMemberId: false, clientId: 'old' })));
    expect(result.memberId.startsWith('old-')).toBe(true);
    expect(result.generationId).toBe(1);
  });

  it('refuses a member beyond group.max.size', async () => {
    const h = await new Harness({ config: { groupMaxSize: 1 } }).start();
    await h.run(h.joinNew({ clientId: 'a' }));
    await expect(h.run(h.joinNew({ clientId: 'b' }))).rejects.toBeInstanceOf(GroupMaxSizeReachedError);
  });

  it('chooses the protocol every member supports that most members prefer', async () => {
    const h = await new Harness({ config: { groupInitialRebalanceDelayMs: 100 } }).start();
    const both = (first: string, second: string) => [
      { name: first, metadata: subscription() },
      { name: second, metadata: subscription() },
    ];
    const a = track(h.joinNew({ protocols: both('roundrobin', 'range') }));
    const b = track(h.joinNew({ protocols: both('range', 'roundrobin') }));
    const c = track(h.joinNew({ protocols: both('range', 'roundrobin') }));
    await h.sim.runUntil(() => a.done && b.done && c.done, 10_000);
    for (const o of [a, b, c])
      expect(joined(o.value)).toMatchObject({ generationId: 1, protocolName: 'range' });
  });

  it('answers joins during a rebalance only when it completes, and the leader alone gets the members', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew({ clientId: 'a' })));
    await h.run(
      h.sync({
        memberId: a.memberId,
        generationId: 1,
        assignments: [{ memberId: a.memberId, assignment: A0 }],
      }),
    );
    const b = track(h.joinNew({ clientId: 'b' }));
    await h.sim.runFor(1000);
    expect(b.done).toBe(false);
    await expect(h.run(h.heartbeat({ memberId: a.memberId, generationId: 1 }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
    const aAgain = joined(await h.run(h.join({ clientId: 'a', memberId: a.memberId })));
    await h.sim.runUntil(() => b.done, 1000);
    const bJoined = joined(b.value);
    expect(aAgain).toMatchObject({ generationId: 2, leader: a.memberId });
    expect(aAgain.members.map((m) => m.memberId)).toEqual([a.memberId, bJoined.memberId]);
    expect(bJoined).toMatchObject({ generationId: 2, leader: a.memberId, members: [] });
  });

  it('waits the initial rebalance delay for more members before the first generation', async () => {
    const h = await new Harness({ config: { groupInitialRebalanceDelayMs: 3000 } }).start();
    const a = track(h.joinNew({ clientId: 'a' }));
    await h.sim.runFor(2000);
    const b = track(h.joinNew({ clientId: 'b' }));
    await h.sim.runFor(2000);
    expect(a.done || b.done).toBe(false);
    await h.sim.runUntil(() => a.done && b.done, 10_000);
    expect(joined(a.value).generationId).toBe(1);
    expect(joined(b.value).generationId).toBe(1);
  });
});

describe('SyncGroup', () => {
  it('gives every member the part of the leader’s assignment meant for it, once stored', async () => {
    const h = await new Harness({ config: { groupInitialRebalanceDelayMs: 100 } }).start();
    const a = track(h.joinNew({ clientId: 'a' }));
    const b = track(h.joinNew({ clientId: 'b' }));
    await h.sim.runUntil(() => a.done && b.done, 10_000);
    const [ja, jb] = [joined(a.value), joined(b.value)];
    const leader = ja.leader === ja.memberId ? ja : jb;
    const follower = leader === ja ? jb : ja;
    const followerSync = track(h.sync({ memberId: follower.memberId, generationId: 1 }));
    await h.sim.runFor(100);
    expect(followerSync.done).toBe(false);
    const leaderSync = await h.run(
      h.sync({
        memberId: leader.memberId,
        generationId: 1,
        assignments: [
          { memberId: leader.memberId, assignment: A0 },
          { memberId: follower.memberId, assignment: A1 },
        ],
      }),
    );
    await h.sim.runUntil(() => followerSync.done, 1000);
    expect(Buffer.from(leaderSync.assignment)).toEqual(Buffer.from(A0));
    expect(Buffer.from(followerSync.value!.assignment)).toEqual(Buffer.from(A1));
    expect(followerSync.value).toMatchObject({ protocolType: 'consumer', protocolName: 'range' });
    const described = await h.run(h.describe());
    expect(described.state).toBe('Stable');
    // A late sync in a stable group gets the same assignment again.
    const again = await h.run(h.sync({ memberId: follower.memberId, generationId: 1 }));
    expect(Buffer.from(again.assignment)).toEqual(Buffer.from(A1));
  });

  it('refuses an unknown member, a stale generation and a sync during a rebalance', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew({ clientId: 'a' })));
    await expect(h.run(h.sync({ memberId: 'ghost', generationId: 1 }))).rejects.toBeInstanceOf(
      UnknownMemberIdError,
    );
    await expect(h.run(h.sync({ memberId: a.memberId, generationId: 0 }))).rejects.toBeInstanceOf(
      IllegalGenerationError,
    );
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    void h.joinNew({ clientId: 'b' });
    await h.sim.runFor(100);
    await expect(h.run(h.sync({ memberId: a.memberId, generationId: 1 }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
  });

  it('answers waiting syncs with REBALANCE_IN_PROGRESS when the rebalance starts over', async () => {
    const h = await new Harness({ config: { groupInitialRebalanceDelayMs: 100 } }).start();
    const a = track(h.joinNew({ clientId: 'a' }));
    const b = track(h.joinNew({ clientId: 'b' }));
    await h.sim.runUntil(() => a.done && b.done, 10_000);
    const follower = [joined(a.value), joined(b.value)].find((j) => j.leader !== j.memberId)!;
    const waiting = track(h.sync({ memberId: follower.memberId, generationId: 1 }));
    await h.sim.runFor(10);
    void h.joinNew({ clientId: 'c' });
    await h.sim.runUntil(() => waiting.done, 1000);
    expect(waiting.error).toBeInstanceOf(RebalanceInProgressError);
  });
});

describe('Heartbeat', () => {
  it('accepts the current generation and refuses unknown members and stale generations', async () => {
    const h = await new Harness().start();
    const a = joined(await h.run(h.joinNew()));
    await h.run(h.sync({ memberId: a.memberId, generationId: 1 }));
    await expect(h.run(h.heartbeat({ memberId: a.memberId, generationId: 1 }))).resolves.toEqual({});
    await expect(h.run(h.heartbeat({ memberId: 'ghost', generationId: 1 }))).rejects.toBeInstanceOf(
      UnknownMemberIdError,
    );
    await expect(h.run(h.heartbeat({ memberId: a.memberId, generationId: 7 }))).rejects.toBeInstanceOf(
      IllegalGenerationError,
    );
  });
});
