import { describe, expect, it } from 'vitest';
import {
  FencedInstanceIdError,
  RebalanceInProgressError,
  UnknownMemberIdError,
} from '../../../src/common/kafka-errors.js';
import { encodeAssignment } from '../../../src/log/client/assignors/consumer-protocol.js';
import { GROUP, Harness, joined, subscription, track } from './coordinator-fixtures.js';

const A0 = encodeAssignment({ partitions: [{ topic: 'orders', partition: 0 }], userData: null });
const A1 = encodeAssignment({ partitions: [{ topic: 'orders', partition: 1 }], userData: null });

/** Two members a and b in a stable generation 1; a leads. */
async function stableTwo(h: Harness, b: { groupInstanceId?: string | null; sessionTimeoutMs?: number } = {}) {
  const ja = joined(await h.run(h.joinNew({ clientId: 'a' })));
  await h.run(h.sync({ memberId: ja.memberId, generationId: 1 }));
  const jbPromise = track(h.joinNew({ clientId: 'b', groupInstanceId: b.groupInstanceId ?? null, ...b }));
  await h.sim.runFor(50);
  const ja2 = joined(await h.run(h.join({ clientId: 'a', memberId: ja.memberId })));
  await h.sim.runUntil(() => jbPromise.done, 1000);
  const jb = joined(jbPromise.value);
  const assignments = [
    { memberId: ja.memberId, assignment: A0 },
    { memberId: jb.memberId, assignment: A1 },
  ];
  const bSync = track(
    h.sync({ memberId: jb.memberId, generationId: 2, groupInstanceId: b.groupInstanceId ?? null }),
  );
  await h.run(h.sync({ memberId: ja.memberId, generationId: 2, assignments }));
  await h.sim.runUntil(() => bSync.done, 1000);
  expect(ja2.generationId).toBe(2);
  return { a: ja.memberId, b: jb.memberId, generation: 2 };
}

describe('static membership (KIP-345)', () => {
  it('lets a static member rejoin under its instance id without a rebalance, and fences the old instance', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h, { groupInstanceId: 'instance-b' });
    expect(b.startsWith('instance-b-')).toBe(true);

    // The process restarts: it joins with an empty member id and the same instance id and metadata.
    const rejoined = joined(await h.run(h.join({ clientId: 'b', groupInstanceId: 'instance-b' })));
    expect(rejoined.memberId).not.toBe(b);
    expect(rejoined).toMatchObject({
      generationId: generation,
      leader: a,
      skipAssignment: false,
      members: [],
    });
    const sync = await h.run(
      h.sync({ memberId: rejoined.memberId, generationId: generation, groupInstanceId: 'instance-b' }),
    );
    expect(Buffer.from(sync.assignment)).toEqual(Buffer.from(A1));
    // No rebalance: the other member heartbeats on in the same generation.
    await expect(h.run(h.heartbeat({ memberId: a, generationId: generation }))).resolves.toEqual({});

    // The old instance is fenced, wherever it turns up.
    const old = { memberId: b, generationId: generation, groupInstanceId: 'instance-b' };
    await expect(h.run(h.heartbeat(old))).rejects.toBeInstanceOf(FencedInstanceIdError);
    await expect(h.run(h.sync(old))).rejects.toBeInstanceOf(FencedInstanceIdError);
    await expect(h.run(h.join({ ...old, clientId: 'b' }))).rejects.toBeInstanceOf(FencedInstanceIdError);
    await expect(h.run(h.commit({ ...old, offsets: [] }))).rejects.toBeInstanceOf(FencedInstanceIdError);
    const left = await h.run(h.leave([{ memberId: b, groupInstanceId: 'instance-b' }]));
    expect(left.members[0]!.error?.name).toBe('FencedInstanceIdError');
    expect((await h.run(h.describe())).members.map((m) => m.memberId)).toEqual([a, rejoined.memberId]);
  });

  it('removes a static member that leaves by its instance id alone', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h, { groupInstanceId: 'instance-b' });
    const left = await h.run(h.leave([{ memberId: '', groupInstanceId: 'instance-b' }]));
    expect(left.members).toEqual([{ memberId: '', groupInstanceId: 'instance-b', error: null }]);
    await expect(h.run(h.heartbeat({ memberId: a, generationId: generation }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
    const again = joined(await h.run(h.join({ clientId: 'a', memberId: a })));
    expect(again.members.map((m) => m.memberId)).toEqual([a]);
    expect(b).not.toBe(a);
  });

  it('rebalances when a static member comes back with a different subscription', async () => {
    const h = await new Harness().start();
    const { a, generation } = await stableTwo(h, { groupInstanceId: 'instance-b' });
    const rejoin = track(
      h.join({
        clientId: 'b',
        groupInstanceId: 'instance-b',
        protocols: [{ name: 'range', metadata: subscription(['orders', 'payments']) }],
      }),
    );
    await h.sim.runFor(50);
    expect(rejoin.done).toBe(false);
    await expect(h.run(h.heartbeat({ memberId: a, generationId: generation }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
    await h.run(h.join({ clientId: 'a', memberId: a }));
    await h.sim.runUntil(() => rejoin.done, 1000);
    expect(joined(rejoin.value).generationId).toBe(generation + 1);
  });

  it('does not rebalance when a static member merely stops, until its session runs out', async () => {
    const h = await new Harness().start();
    const { a, generation } = await stableTwo(h, { groupInstanceId: 'instance-b', sessionTimeoutMs: 8000 });
    for (let t = 0; t < 7000; t += 1000) {
      await h.sim.runFor(1000);
      await h.run(h.heartbeat({ memberId: a, generationId: generation }));
    }
    await h.sim.runFor(2000);
    await expect(h.run(h.heartbeat({ memberId: a, generationId: generation }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
  });
});

describe('leaving and timing out', () => {
  it('removes a member whose session runs out and rebalances the rest', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h, { sessionTimeoutMs: 5000 });
    for (let t = 0; t < 4000; t += 1000) {
      await h.sim.runFor(1000);
      await h.run(h.heartbeat({ memberId: a, generationId: generation }));
      await h.run(h.heartbeat({ memberId: b, generationId: generation }));
    }
    // b goes silent; a keeps heartbeating until it learns of the rebalance.
    let learned: unknown;
    for (let t = 0; t < 10_000 && learned === undefined; t += 1000) {
      await h.sim.runFor(1000);
      learned = await h.run(h.heartbeat({ memberId: a, generationId: generation })).then(
        () => undefined,
        (e: unknown) => e,
      );
    }
    expect(learned).toBeInstanceOf(RebalanceInProgressError);
    const again = joined(await h.run(h.join({ clientId: 'a', memberId: a })));
    expect(again).toMatchObject({ generationId: generation + 1, leader: a });
    expect(again.members.map((m) => m.memberId)).toEqual([a]);
    await expect(h.run(h.heartbeat({ memberId: b, generationId: generation }))).rejects.toBeInstanceOf(
      UnknownMemberIdError,
    );
  });

  it('rebalances when a member leaves, and hands leadership to the oldest remaining member', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h);
    const left = await h.run(h.leave([{ memberId: a, groupInstanceId: null }]));
    expect(left.members).toEqual([{ memberId: a, groupInstanceId: null, error: null }]);
    await expect(h.run(h.heartbeat({ memberId: b, generationId: generation }))).rejects.toBeInstanceOf(
      RebalanceInProgressError,
    );
    const again = joined(await h.run(h.join({ clientId: 'b', memberId: b })));
    expect(again).toMatchObject({ generationId: generation + 1, leader: b });
    const unknown = await h.run(h.leave([{ memberId: a, groupInstanceId: null }]));
    expect(unknown.members[0]!.error?.name).toBe('UnknownMemberIdError');
  });

  it('removes members that do not rejoin within the rebalance timeout', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h);
    const c = track(h.joinNew({ clientId: 'c', rebalanceTimeoutMs: 20_000 }));
    await h.sim.runFor(10);
    const aAgain = track(h.join({ clientId: 'a', memberId: a }));
    // b keeps heartbeating (so its session stays alive) but never rejoins.
    for (let t = 0; t < 25_000 && !(aAgain.done && c.done); t += 2000) {
      await h.sim.runFor(2000);
      await h.run(h.heartbeat({ memberId: b, generationId: generation })).catch(() => undefined);
    }
    // The rebalance timeout is the longest of the members' (30 s by default).
    expect(aAgain.done).toBe(false);
    await h.sim.runUntil(() => aAgain.done && c.done, 10_000);
    const ja = joined(aAgain.value);
    expect(ja.generationId).toBe(generation + 1);
    expect(ja.members.map((m) => m.memberId).sort()).toEqual([a, joined(c.value).memberId].sort());
    await expect(h.run(h.heartbeat({ memberId: b, generationId: generation }))).rejects.toBeInstanceOf(
      UnknownMemberIdError,
    );
  });

  it('removes members that never ask for their assignment, so a stuck leader cannot hold the group', async () => {
    const h = await new Harness().start();
    const { a, b, generation } = await stableTwo(h);
    await h.run(h.leave([{ memberId: a, groupInstanceId: null }]));
    const jb = joined(await h.run(h.join({ clientId: 'b', memberId: b })));
    expect(jb).toMatchObject({ generationId: generation + 1, leader: b });
    // b leads but never syncs: after the rebalance timeout it is removed and the group is empty.
    await h.sim.runFor(31_000);
    expect((await h.run(h.describe())).state).toBe('Empty');
  });

  it('treats an unknown group as having no members', async () => {
    const h = await new Harness().start();
    await expect(
      h.run(h.heartbeat({ memberId: 'm', generationId: 1, groupId: 'nope' })),
    ).rejects.toBeInstanceOf(UnknownMemberIdError);
    const left = await h.run(h.leave([{ memberId: 'm', groupInstanceId: null }], 'nope'));
    expect(left.members[0]!.error?.name).toBe('UnknownMemberIdError');
    expect(await h.run(h.describe('nope'))).toMatchObject({ state: 'Dead', members: [] });
    expect(GROUP).toBe('orders-app');
  });
});
