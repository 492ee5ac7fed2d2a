import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cooperativeStickyAssignor as sticky } from '../../../../src/log/client/assignors/cooperative-sticky-assignor.js';
import {
  type MemberSubscription,
  partitionKey,
  partitionsOf,
  type TopicPartition,
} from '../../../../src/log/client/assignors/partition-assignor.js';
import {
  expectBalanced,
  expectCompleteAndExclusive,
  member,
  members,
  names,
  ownersOf,
  partitionCounts,
  runRound,
  TOPICS,
} from './assignor-fixtures.js';

const RUNS = Number(process.env.ASSIGNOR_RUNS ?? 300);
const tp = (topic: string, partition: number): TopicPartition => ({ topic, partition });

/**
 * A group's history: members, their subscriptions, and a previous assignment in which each
 * partition had at most one owner (some had none, and some owners may have left since).
 */
const scenario = fc
  .record({
    ppt: partitionCounts,
    ms: members,
    same: fc.boolean(),
    seedOwners: fc.array(fc.nat(), { maxLength: 40 }),
  })
  .map(({ ppt, ms, same, seedOwners }) => {
    const input = same ? ms.map((m) => ({ ...m, topics: [...TOPICS] })) : ms;
    const owned = new Map<string, TopicPartition[]>(input.map((m) => [m.memberId, []]));
    partitionsOf(ppt, TOPICS).forEach((p, i) => {
      // Owner index: a current member, a member that has left (out of range), or none.
      const pick = seedOwners[i % Math.max(1, seedOwners.length)] ?? 0;
      const owner = input[pick % (input.length + 2)];
      if (owner?.topics.includes(p.topic)) owned.get(owner.memberId)!.push(p);
    });
    return { ppt, ms: input, same, owned };
  });

/** Runs cooperative rounds until no member has anything revoked; checks each round. */
function converge(
  ppt: ReadonlyMap<string, number>,
  ms: readonly MemberSubscription[],
  start: ReadonlyMap<string, TopicPartition[]>,
  maxRounds: number,
) {
  let owned = new Map(start);
  for (let round = 1; round <= maxRounds; round++) {
    const assignment = runRound(sticky, ppt, ms, owned, round);
    const previousOwner = new Map<string, string>();
    for (const [id, list] of owned) for (const p of list) previousOwner.set(partitionKey(p), id);
    ownersOf(ppt, ms, assignment); // at most one member each, and only subscribers
    let revoked = 0;
    for (const [id, list] of assignment) {
      for (const p of list) {
        const prev = previousOwner.get(partitionKey(p));
        // Revoke first: nobody gets a partition that another member still owns.
        if (prev !== undefined && prev !== id)
          throw new Error(`${partitionKey(p)} given to ${id} while ${prev} owns it`);
      }
      const kept = new Set(list.map(partitionKey));
      revoked += (owned.get(id) ?? []).filter((p) => !kept.has(partitionKey(p))).length;
    }
    owned = assignment;
    if (revoked === 0) return { assignment, rounds: round };
  }
  throw new Error(`no fixpoint within ${maxRounds} rounds`);
}

describe('the cooperative-sticky assignor', () => {
  it('assigns like Kafka’s sticky assignor in its documented example, and keeps it when a member leaves', () => {
    const ppt = new Map(TOPICS.map((t) => [t, 2]));
    const first = sticky.assign(
      ppt,
      ['C0', 'C1', 'C2'].map((id) => member(id, TOPICS)),
    );
    expect(names(first)).toEqual({
      C0: ['t0p0', 't1p1', 't3p0'],
      C1: ['t0p1', 't2p0', 't3p1'],
      C2: ['t1p0', 't2p1'],
    });
    // C1 leaves: its partitions had no other owner, so they are reassigned at once, the rest stay.
    const second = sticky.assign(ppt, [
      member('C0', TOPICS, first.get('C0')!, 1),
      member('C2', TOPICS, first.get('C2')!, 1),
    ]);
    expect(names(second)).toEqual({
      C0: ['t0p0', 't1p1', 't2p0', 't3p0'],
      C2: ['t0p1', 't1p0', 't2p1', 't3p1'],
    });
  });

  it('revokes what must move first and assigns it in the follow-up rebalance (KIP-429)', () => {
    const ppt = new Map([['t0', 4]]);
    const all = [tp('t0', 0), tp('t0', 1), tp('t0', 2), tp('t0', 3)];
    const revoking = sticky.assign(ppt, [member('C0', ['t0'], all, 5), member('C1', ['t0'], [], 5)]);
    expect(names(revoking)).toEqual({ C0: ['t0p0', 't0p1'], C1: [] });
    const followUp = sticky.assign(ppt, [
      member('C0', ['t0'], revoking.get('C0')!, 6),
      member('C1', ['t0'], [], 6),
    ]);
    expect(names(followUp)).toEqual({ C0: ['t0p0', 't0p1'], C1: ['t0p2', 't0p3'] });
  });

  it('ignores stale claims and gives a contested partition to nobody until both have let go', () => {
    const ppt = new Map([['t0', 2]]);
    const stale = sticky.assign(ppt, [
      member('A', ['t0'], [tp('t0', 0)], 3),
      member('B', ['t0'], [tp('t0', 0)], 4),
    ]);
    expect(names(stale)).toEqual({ A: ['t0p1'], B: ['t0p0'] });
    const contested = sticky.assign(ppt, [
      member('A', ['t0'], [tp('t0', 0)], 4),
      member('B', ['t0'], [tp('t0', 0)], 4),
    ]);
    expect(names(contested)).toEqual({ A: [], B: ['t0p1'] });
  });

  it('revokes partitions of topics a member no longer subscribes to before anyone else gets them', () => {
    const ppt = new Map([
      ['t0', 1],
      ['t1', 1],
    ]);
    const result = sticky.assign(ppt, [
      member('A', ['t1'], [tp('t0', 0), tp('t1', 0)], 2),
      member('B', ['t0'], [], 2),
    ]);
    expect(names(result)).toEqual({ A: ['t1p0'], B: [] });
  });

  it('never gives a partition to two members, and reaches a complete, balanced assignment', () => {
    fc.assert(
      fc.property(scenario, ({ ppt, ms, owned }) => {
        const { assignment, rounds } = converge(ppt, ms, owned, 4);
        expectCompleteAndExclusive(ppt, ms, assignment);
        expectBalanced(ms, assignment);
        expect(rounds).toBeLessThanOrEqual(ms.every((m) => m.topics.length === TOPICS.length) ? 2 : 4);
      }),
      { numRuns: RUNS },
    );
  });

  it('moves no more partitions than balance requires when members subscribe to the same topics', () => {
    fc.assert(
      fc.property(
        scenario.filter((s) => s.same),
        ({ ppt, ms, owned }) => {
          const assignment = runRound(sticky, ppt, ms, owned, 1);
          const total = partitionsOf(ppt, TOPICS).length;
          const floor = Math.floor(total / ms.length);
          const withExtra = total % ms.length;
          // The fewest moves: the members owning most keep floor + 1, the rest floor.
          const previous = ms.map((m) => owned.get(m.memberId)!.length).sort((a, b) => b - a);
          const fewest = previous.reduce(
            (sum, n, i) => sum + Math.max(0, n - floor - (i < withExtra ? 1 : 0)),
            0,
          );
          let moved = 0;
          for (const m of ms) {
            const kept = new Set(assignment.get(m.memberId)!.map(partitionKey));
            moved += owned.get(m.memberId)!.filter((p) => !kept.has(partitionKey(p))).length;
          }
          expect(moved).toBe(fewest);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('keeps a member’s partitions when the group changes elsewhere, and is the same for any member order', () => {
    fc.assert(
      fc.property(scenario, ({ ppt, ms, owned }) => {
        const once = converge(ppt, ms, owned, 4).assignment;
        // A new member with a topic nobody else has takes nothing from anyone.
        const newcomer = member('zz-new', ['unrelated']);
        const again = runRound(sticky, ppt, [...ms, newcomer], once, 9);
        for (const m of ms)
          expect(names(new Map([[m.memberId, again.get(m.memberId)!]]))).toEqual(
            names(new Map([[m.memberId, once.get(m.memberId)!]])),
          );
        const reversed = runRound(sticky, ppt, [...ms].reverse(), owned, 1);
        expect(names(reversed)).toEqual(names(runRound(sticky, ppt, ms, owned, 1)));
      }),
      { numRuns: RUNS },
    );
  });
});
