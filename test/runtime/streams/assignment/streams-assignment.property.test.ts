/**
 * Properties of the streams assignor over random groups: clients with 1–3 threads, random
 * previous owners (stale zombie claims included), random state on disk and changelog ends.
 *
 * A failure prints fast-check's seed and path; to replay the shrunk case, pass them back as
 * `{ seed, path }` in the failing fc.assert's options (or set STREAMS_ASSIGNOR_SEED and
 * STREAMS_ASSIGNOR_PATH). STREAMS_ASSIGNOR_RUNS sets the number of runs (default 300).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MemberSubscription } from '../../../../src/log/client/assignors/partition-assignor.js';
import {
  type StreamsAssignment,
  taskKey,
  topologyTasks,
} from '../../../../src/runtime/streams/assignment/index.js';
import {
  activeOf,
  nextRound,
  partitionCounts,
  run,
  standbyOf,
  TOPOLOGY,
  thread,
} from './streams-assignor-fixtures.js';

const RUNS = Number(process.env.STREAMS_ASSIGNOR_RUNS ?? 300);
const replay = {
  numRuns: RUNS,
  ...(process.env.STREAMS_ASSIGNOR_SEED === undefined
    ? {}
    : { seed: Number(process.env.STREAMS_ASSIGNOR_SEED), path: process.env.STREAMS_ASSIGNOR_PATH }),
};

const group = fc.record({
  threads: fc.array(fc.integer({ min: 1, max: 3 }), { minLength: 1, maxLength: 5 }),
  counts: fc.tuple(
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 8 }),
    fc.integer({ min: 0, max: 6 }),
  ),
  numStandbyReplicas: fc.integer({ min: 0, max: 3 }),
  rebalanceProtocol: fc.constantFrom('COOPERATIVE' as const, 'EAGER' as const),
  owners: fc.array(fc.nat(), { maxLength: 24 }),
  zombies: fc.array(fc.nat(), { maxLength: 24 }),
  generations: fc.array(fc.integer({ min: 1, max: 4 }), { minLength: 15, maxLength: 15 }),
  lags: fc.array(fc.option(fc.nat(30_000)), { maxLength: 120 }),
  end: fc.integer({ min: 0, max: 30_000 }),
  ownsPartitions: fc.boolean(),
});
type Group = typeof group extends fc.Arbitrary<infer G> ? G : never;

/** Builds the members: thread j of client i is `p{i}-t{j}`; task k's previous owner is owners[k]. */
function build(g: Group, caughtUp = false) {
  const ppt = partitionCounts(...g.counts);
  const tasks = topologyTasks(TOPOLOGY, ppt).tasks;
  const keys = [...tasks.keys()];
  const ids = g.threads.flatMap((n, i) => Array.from({ length: n }, (_, j) => `p${i}-t${j}`));
  const processOf = (id: string) => id.split('-')[0]!;
  const claims = new Map<string, string[]>(ids.map((id) => [id, []]));
  keys.forEach((k, i) => {
    for (const pick of [g.owners[i], g.zombies[i]]) {
      // Out of range: the owner left, or there was none.
      if (pick !== undefined && pick % (ids.length + 2) < ids.length)
        claims.get(ids[pick % (ids.length + 2)]!)!.push(k);
    }
  });
  let n = 0;
  const members: MemberSubscription[] = ids.map((id, i) => {
    const offsetSums: Record<string, number> = {};
    for (const k of keys.filter((key) => tasks.get(key)!.stateful)) {
      const lag = g.lags[n++ % Math.max(1, g.lags.length)] ?? null;
      if (lag !== null) offsetSums[k] = Math.max(0, g.end - lag);
    }
    const active = claims.get(id)!;
    const owned = g.ownsPartitions ? active.flatMap((k) => tasks.get(k)!.sourcePartitions) : [];
    return thread(id, processOf(id), { active, offsetSums, owned, generationId: g.generations[i % 15]! });
  });
  const config = {
    numStandbyReplicas: g.numStandbyReplicas,
    rebalanceProtocol: g.rebalanceProtocol,
    ...(caughtUp ? { acceptableRecoveryLag: Number.MAX_SAFE_INTEGER } : {}),
  };
  return { ppt, tasks, keys, members, processOf, options: { ppt, end: g.end, config } };
}

const clientsWith = (r: StreamsAssignment, task: string, pick: 'active' | 'standby' | 'warmup') =>
  [...r.clients].filter(([, t]) => t[pick].includes(task)).map(([pid]) => pid);
const spread = (loads: number[]) => Math.max(...loads) - Math.min(...loads);

describe('streams assignor properties', () => {
  it('gives every task exactly one active client, and at most one member (none only while withheld)', () => {
    fc.assert(
      fc.property(group, (g) => {
        const { keys, members, options, tasks } = build(g);
        const r = run(members, options);
        for (const k of keys) expect(clientsWith(r, k, 'active')).toHaveLength(1);
        const owners = new Map<string, number>();
        for (const m of r.members.values())
          for (const t of m.active) owners.set(taskKey(t), (owners.get(taskKey(t)) ?? 0) + 1);
        for (const k of keys) expect(owners.get(k) ?? 0).toBe(r.withheld.includes(k) ? 0 : 1);
        if (g.rebalanceProtocol === 'EAGER' || !g.ownsPartitions) expect(r.withheld).toEqual([]);
        for (const m of r.members.values()) {
          const want = m.active.flatMap((t) => tasks.get(taskKey(t))!.sourcePartitions);
          expect(m.partitions).toHaveLength(want.length);
          expect(m.info.activeTasks).toHaveLength(m.partitions.length);
        }
      }),
      replay,
    );
  });

  it('gives each stateful task min(numStandbyReplicas, clients − 1) standbys, never on its active client', () => {
    fc.assert(
      fc.property(group, (g) => {
        const { keys, members, options, tasks } = build(g);
        const r = run(members, options);
        const replicas = Math.min(g.numStandbyReplicas, g.threads.length - 1);
        let warmups = 0;
        for (const k of keys) {
          const standby = clientsWith(r, k, 'standby');
          const warmup = clientsWith(r, k, 'warmup');
          warmups += warmup.length;
          expect(standby).not.toContain(clientsWith(r, k, 'active')[0]);
          expect(standby.length - warmup.length).toBe(tasks.get(k)!.stateful ? replicas : 0);
        }
        expect(warmups).toBeLessThanOrEqual(2);
        if (warmups > 0) expect(r.probingRebalanceNeeded).toBe(true);
      }),
      replay,
    );
  });

  it('keeps clients within one task per thread of each other, and threads of a client within one', () => {
    fc.assert(
      fc.property(group, (g) => {
        const { members, options, processOf } = build(g, true);
        const r = run(members, options);
        expect(r.probingRebalanceNeeded).toBe(false);
        const perThread = g.threads.map((n, i) => r.clients.get(`p${i}`)!.active.length / n);
        // Loads are fractions (7/3 − 4/3 is 1.0000000000000002 in doubles): compare with a tolerance.
        expect(spread(perThread)).toBeLessThanOrEqual(1 + 1e-9);
        if (r.withheld.length > 0) return;
        for (let i = 0; i < g.threads.length; i++) {
          const own = [...r.members].filter(([id]) => processOf(id) === `p${i}`).map(([, m]) => m);
          expect(spread(own.map((m) => m.active.length))).toBeLessThanOrEqual(1);
          expect(spread(own.map((m) => m.standby.length))).toBeLessThanOrEqual(1);
        }
      }),
      replay,
    );
  });

  it('changes nothing when the same members rejoin with what they were given and no lag', () => {
    fc.assert(
      fc.property(group, (g) => {
        const { members, options, processOf } = build({ ...g, ownsPartitions: false }, true);
        const first = run(members, options);
        const second = run(nextRound(members, processOf, first, 9, g.end), options);
        expect(activeOf(second)).toEqual(activeOf(first));
        expect(standbyOf(second)).toEqual(standbyOf(first));
        expect(second.withheld).toEqual([]);
      }),
      replay,
    );
  });

  it('does not depend on the order the members come in', () => {
    fc.assert(
      fc.property(group, fc.nat(), (g, rotate) => {
        const { members, options } = build(g);
        const k = rotate % members.length;
        const shuffled = [...members.slice(k), ...members.slice(0, k)].reverse();
        const a = run(members, options);
        const b = run(shuffled, options);
        expect(activeOf(b)).toEqual(activeOf(a));
        expect(standbyOf(b)).toEqual(standbyOf(a));
      }),
      replay,
    );
  });
});
