import { describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../../src/common/errors.js';
import { Simulation } from '../../../src/runtime/actor/index.js';
import { collector, pinger, ponger } from './test-machines.js';

type Ctx = {
  received: number;
  sent: number;
  seen: number[];
  events: { type: string; [k: string]: unknown }[];
};
const ctx = (sim: Simulation, id: string) => sim.system.get(id)!.getSnapshot().context as Ctx;

describe('ActorSystem', () => {
  it('delivers events between actors on different nodes, with XState timers on the virtual clock', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.spawn({ id: 'b/ponger', logic: ponger });
    sim.system.spawn({ id: 'a/pinger', logic: pinger, input: { peer: 'b/ponger', everyMs: 10 } });
    await sim.runFor(1000);
    const p = ctx(sim, 'a/pinger');
    expect(p.sent).toBe(100);
    // Replies take 2..10 ms round trip, so all but the last one or two have come back.
    expect(p.received).toBeGreaterThanOrEqual(98);
    expect(ctx(sim, 'b/ponger').seen).toEqual(
      Array.from({ length: p.sent }, (_, i) => i).slice(0, ctx(sim, 'b/ponger').seen.length),
    );
  });

  it('refuses a duplicate id and an unknown parent with IllegalStateError', () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.spawn({ id: 'a/x', logic: ponger });
    expect(() => sim.system.spawn({ id: 'a/x', logic: ponger })).toThrow(IllegalStateError);
    expect(() => sim.system.spawn({ id: 'a/y', logic: ponger, parent: 'a/nobody' })).toThrow(
      /parent a\/nobody/,
    );
  });

  it('records a dead letter for an event to an actor that does not exist', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.send(undefined, 'a/ghost', { type: 'hello' });
    await sim.runFor(10);
    expect(sim.trace.text()).toContain('"kind":"dead-letter"');
  });

  it('stops children with their parent, and every actor of a crashed node', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.spawn({ id: 'a/parent', logic: collector });
    sim.system.spawn({ id: 'a/child', logic: ponger, parent: 'a/parent' });
    sim.system.spawn({ id: 'a/grandchild', logic: ponger, parent: 'a/child' });
    sim.system.spawn({ id: 'b/other', logic: ponger });
    sim.system.stop('a/parent');
    expect(sim.system.ids()).toEqual(['b/other']);
    sim.system.spawn({ id: 'a/again', logic: ponger });
    sim.crashNode('b');
    expect(sim.system.ids()).toEqual(['a/again']);
  });
});

describe('supervision', () => {
  it('reports a failure to the parent and restarts the child with backoff on the clock', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.spawn({ id: 'a/sup', logic: collector });
    sim.system.spawn({
      id: 'a/worker',
      logic: ponger,
      parent: 'a/sup',
      supervision: { initialBackoffMs: 100, maxBackoffMs: 1000, maxRestarts: 3, windowMs: 60_000 },
    });
    const failedAt = sim.clock.nowMs();
    sim.system.send(undefined, 'a/worker', { type: 'boom' });
    await sim.runFor(50);
    expect(sim.system.get('a/worker')).toBeUndefined();
    expect(ctx(sim, 'a/sup').events.map((e) => e.type)).toEqual(['actor.failed']);
    expect(ctx(sim, 'a/sup').events[0]!.restartAtMs).toBe(failedAt + 100);
    await sim.runFor(50);
    expect(sim.system.get('a/worker')?.getSnapshot().status).toBe('active');
    expect(ctx(sim, 'a/sup').events.map((e) => e.type)).toEqual(['actor.failed', 'actor.restarted']);
  });

  it('doubles the backoff and gives up after maxRestarts within the window', async () => {
    const sim = new Simulation({ seed: 1 });
    sim.system.spawn({ id: 'a/sup', logic: collector });
    sim.system.spawn({
      id: 'a/worker',
      logic: ponger,
      parent: 'a/sup',
      supervision: { initialBackoffMs: 100, maxBackoffMs: 1000, maxRestarts: 2, windowMs: 60_000 },
    });
    const restartDelays: number[] = [];
    for (let i = 0; i < 3; i++) {
      sim.system.send(undefined, 'a/worker', { type: 'boom' });
      await sim.runUntil(() => sim.system.get('a/worker') === undefined, 10_000);
      const failedAt = sim.clock.nowMs();
      if (!sim.system.has('a/worker')) break;
      await sim.runUntil(() => sim.system.get('a/worker') !== undefined, 10_000);
      restartDelays.push(sim.clock.nowMs() - failedAt);
    }
    expect(restartDelays).toEqual([100, 200]);
    expect(sim.system.has('a/worker')).toBe(false);
    expect(ctx(sim, 'a/sup').events.map((e) => e.type)).toEqual([
      'actor.failed',
      'actor.restarted',
      'actor.failed',
      'actor.restarted',
      'actor.failed',
      'actor.gaveUp',
    ]);
  });

  it('tells the system about an unsupervised actor it gives up on', async () => {
    const failures: string[] = [];
    const sim = new Simulation({ seed: 1, onFailure: (id) => failures.push(id) });
    sim.system.spawn({ id: 'a/lonely', logic: ponger, supervision: { restart: 'never' } });
    sim.system.send(undefined, 'a/lonely', { type: 'boom' });
    await sim.runFor(10);
    expect(failures).toEqual(['a/lonely']);
  });
});
