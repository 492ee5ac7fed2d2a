/**
 * Standby and warmup replicas (KIP-441) on StreamThreads over a simulated broker, with the word
 * count (its counts store in memory, changelogged):
 * - with numStandbyReplicas 1, each stateful task has a standby on the other instance, kept up to
 *   date from the changelog; when the active instance dies, the survivor takes its tasks over from
 *   the standbys — no store is restored from scratch — and the output stays exactly-once. Without
 *   standbys the same failover restores from scratch (the check can fail).
 * - an instance that joins with no state gets warmups, not the stateful tasks (they stay where the
 *   state is); after a probing rebalance the caught-up warmups take tasks over, again without a
 *   restore from scratch, exactly once.
 */
import { describe, expect, it } from 'vitest';
import type { StandbyUpdateEvent } from '../../../src/runtime/streams/standby-events.js';
import { settle } from '../../log/broker/cluster-fixtures.js';
import {
  expected,
  lines,
  output,
  PARTITIONS,
  setUp,
  thread,
  wordCount,
} from './fixtures/word-count-simulation.js';

const STATEFUL = Array.from({ length: PARTITIONS }, (_, p) => `1_${p}`);
const seeds = (defaults: number[]) =>
  process.env.SEED === undefined ? defaults : [Number(process.env.SEED)];

/** Two instances, one killed once both have committed and standbys have caught up. */
async function failover(seed: number, numStandbyReplicas: number) {
  const topology = wordCount();
  const input = lines(seed, 2000);
  const { sim, client, loading } = await setUp(seed, topology, input, 0.2);
  const assignor = { numStandbyReplicas, acceptableRecoveryLag: 0 };
  const events: StandbyUpdateEvent[] = [];
  const a = thread(sim, topology, 'app-a', seed, 'exactly_once_v2', { processId: 'pa', assignor });
  const b = thread(sim, topology, 'app-b', seed + 1, 'exactly_once_v2', {
    processId: 'pb',
    assignor,
    standbyListener: (e) => events.push(e),
  });
  for (let i = 0; i < 300 && (a.thread.metrics.commits === 0 || b.thread.metrics.commits === 0); i++)
    await sim.runFor(100);
  await sim.runFor(3000);
  const standbys = { a: a.thread.standbyTaskIds(), b: b.thread.standbyTaskIds() };
  const active = { a: a.thread.activeTaskIds(), b: b.thread.activeTaskIds() };
  const standbyRecords = b.thread.metrics.standbyRecords ?? 0;
  a.thread.shutdown();
  sim.system.stopNode('app-a');
  void a.done.catch(() => undefined);
  await settle(sim, loading, 120_000);
  await sim.runFor(40_000);
  const survivor = b.thread.activeTaskIds();
  b.thread.shutdown();
  await settle(sim, b.done);
  return {
    standbys,
    active,
    standbyRecords,
    events,
    survivor,
    fromScratch: b.thread.metrics.restoresFromScratch ?? 0,
    got: await output(sim, client),
    want: expected(topology, input),
  };
}

describe('standby replicas', () => {
  it('keep a copy of each stateful task on the other instance and take over without a full restore', async () => {
    for (const seed of seeds([21, 22])) {
      const r = await failover(seed, 1);
      const at = `seed ${seed}: replay with SEED=${seed}`;
      // Every stateful task: active on one instance, standby on the other.
      for (const task of STATEFUL) {
        const owner = r.active.a.includes(task) ? 'a' : 'b';
        const other = owner === 'a' ? 'b' : 'a';
        expect(r.active[owner], at).toContain(task);
        expect(r.standbys[other], at).toContain(task);
        expect(r.standbys[owner], at).not.toContain(task);
      }
      expect(r.standbyRecords, at).toBeGreaterThan(0);
      // b's standbys report their progress, then their promotion when a dies.
      const ofTask = (type: StandbyUpdateEvent['type']) =>
        [...new Set(r.events.filter((e) => e.type === type).map((e) => e.taskId))].sort();
      expect(ofTask('standbyUpdateStarted'), at).toEqual(r.standbys.b);
      expect(ofTask('standbyUpdateSuspended'), at).toEqual(r.standbys.b);
      for (const e of r.events) {
        if (e.type === 'standbyBatchLoaded')
          expect(e.batchEndOffset, at).toBeLessThanOrEqual(e.currentEndOffset);
        if (e.type === 'standbyUpdateSuspended') expect(e.reason, at).toBe('promoted');
      }
      const loaded = r.events.filter((e) => e.type === 'standbyBatchLoaded');
      expect(loaded.length, at).toBeGreaterThan(0);
      expect(r.survivor, at).toEqual([...STATEFUL.map((t) => t.replace('1_', '0_')), ...STATEFUL].sort());
      expect(r.fromScratch, at).toBe(0);
      expect(r.got, at).toEqual(r.want);
    }
  });

  it('negative control: without standbys the same failover restores from scratch', async () => {
    const r = await failover(21, 0);
    expect(r.standbys).toEqual({ a: [], b: [] });
    expect(r.fromScratch).toBeGreaterThan(0);
    expect(r.got).toEqual(r.want);
  });
});

describe('warmup replicas', () => {
  it('a new instance warms up before it takes stateful tasks, then takes them without a full restore', async () => {
    for (const seed of seeds([31, 32])) {
      const at = `seed ${seed}: replay with SEED=${seed}`;
      const topology = wordCount();
      const input = lines(seed, 3000);
      const { sim, client, loading } = await setUp(seed, topology, input, 0.2);
      // Eight words make a small changelog (a few records and a commit marker per partition and
      // commit): the acceptable lag is set below what 20 commits leave in it.
      const assignor = { acceptableRecoveryLag: 10, probingRebalanceIntervalMs: 2000, maxWarmupReplicas: 3 };
      const a = thread(sim, topology, 'app-a', seed, 'exactly_once_v2', { processId: 'pa', assignor });
      for (let i = 0; i < 300 && a.thread.metrics.commits < 20; i++) await sim.runFor(100);
      const b = thread(sim, topology, 'app-b', seed + 1, 'exactly_once_v2', { processId: 'pb', assignor });
      let warmedUp = false;
      for (let i = 0; i < 100 && !warmedUp; i++) {
        await sim.runFor(100);
        warmedUp = b.thread.standbyTaskIds().length > 0;
      }
      expect(warmedUp, `${at}: b got warmups`).toBe(true);
      // While warming up, the stateful tasks stay where their state is.
      expect(
        b.thread.activeTaskIds().filter((t) => STATEFUL.includes(t)),
        at,
      ).toEqual([]);
      let moved = false;
      for (let i = 0; i < 300 && !moved; i++) {
        await sim.runFor(100);
        moved = b.thread.activeTaskIds().some((t) => STATEFUL.includes(t));
      }
      expect(moved, `${at}: a stateful task moved to b after a probing rebalance`).toBe(true);
      await settle(sim, loading, 120_000);
      await sim.runFor(20_000);
      for (const t of [a, b]) t.thread.shutdown();
      await settle(sim, Promise.all([a.done, b.done]));
      expect(b.thread.metrics.restoresFromScratch ?? 0, at).toBe(0);
      expect(await output(sim, client), at).toEqual(expected(topology, input));
    }
  });
});
