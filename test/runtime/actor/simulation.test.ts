import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { setup } from 'xstate';
import { ConfigError } from '../../../src/common/errors.js';
import { type ActorInput, type NetworkFaults, Simulation } from '../../../src/runtime/actor/index.js';
import { gossip } from './test-machines.js';

const NODES = ['n1', 'n2', 'n3', 'n4'];

/** Four gossiping nodes on a faulty network, with a partition, a crash and a restart on the way. */
async function chattyRun(seed: number): Promise<Simulation> {
  const sim = new Simulation({
    seed,
    network: { minDelayMs: 1, maxDelayMs: 30, dropRate: 0.05, duplicateRate: 0.05, reorder: true },
  });
  const ids = NODES.map((n) => `${n}/gossip`);
  for (const id of ids)
    sim.system.spawn({ id, logic: gossip, input: { peers: ids.filter((p) => p !== id) } });
  await sim.runFor(500);
  sim.network.partition(['n1'], ['n2', 'n3', 'n4']);
  await sim.runFor(300);
  sim.crashNode('n2');
  sim.network.heal();
  await sim.runFor(200);
  sim.system.spawn({
    id: 'n2/gossip',
    logic: gossip,
    input: { peers: ids.filter((p) => p !== 'n2/gossip') },
  });
  await sim.runFor(500);
  return sim;
}

describe('deterministic simulation', () => {
  it('gives the same event trace for the same seed (compared by hash) and a different one for another seed', async () => {
    for (const seed of [1, 2, 3, 12345]) {
      const a = await chattyRun(seed);
      const b = await chattyRun(seed);
      expect(a.trace.size).toBeGreaterThan(500);
      expect(b.trace.hash(), `seed ${seed}`).toBe(a.trace.hash());
      expect(b.trace.text()).toBe(a.trace.text());
    }
    const hashes = new Set<string>();
    for (const seed of [1, 2, 3, 12345]) hashes.add((await chattyRun(seed)).trace.hash());
    expect(hashes.size).toBe(4);
  });
});

/** Records the sequence numbers of `msg` events in arrival order. */
const sink = setup({
  types: {
    input: {} as ActorInput<unknown>,
    context: {} as { got: number[] },
    events: {} as { type: 'msg'; seq: number },
  },
}).createMachine({
  context: () => ({ got: [] }),
  on: { msg: { actions: ({ context, event }) => context.got.push(event.seq) } },
});

async function sendThrough(faults: Partial<NetworkFaults>, seed: number, count: number): Promise<number[]> {
  const sim = new Simulation({ seed, network: faults });
  sim.system.spawn({ id: 'src/a', logic: sink });
  sim.system.spawn({ id: 'dst/b', logic: sink });
  for (let i = 0; i < count; i++) sim.system.send('src/a', 'dst/b', { type: 'msg', seq: i });
  await sim.runFor(10_000);
  return (sim.system.get('dst/b')!.getSnapshot().context as { got: number[] }).got;
}

describe('the simulated network', () => {
  it('keeps each link in order when reordering is off, whatever the delays', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer(), fc.integer({ min: 0, max: 50 }), async (seed, maxDelayMs) => {
        const got = await sendThrough({ minDelayMs: 0, maxDelayMs, reorder: false }, seed, 50);
        expect(got).toEqual(Array.from({ length: 50 }, (_, i) => i));
      }),
      { numRuns: 30 },
    );
  });

  it('reorders, drops and duplicates messages when told to', async () => {
    const got = await sendThrough(
      { minDelayMs: 1, maxDelayMs: 100, reorder: true, dropRate: 0.2, duplicateRate: 0.2 },
      7,
      1000,
    );
    const sorted = [...got].sort((x, y) => x - y);
    expect(got).not.toEqual(sorted);
    const distinct = new Set(got);
    expect(distinct.size).toBeLessThan(1000); // some were lost
    expect(got.length).toBeGreaterThan(distinct.size); // some arrived twice
    expect(distinct.size).toBeGreaterThan(700);
  });

  it('loses messages across a partition, including ones in flight when it began', async () => {
    const sim = new Simulation({ seed: 3, network: { minDelayMs: 10, maxDelayMs: 10 } });
    sim.system.spawn({ id: 'src/a', logic: sink });
    sim.system.spawn({ id: 'dst/b', logic: sink });
    sim.system.send('src/a', 'dst/b', { type: 'msg', seq: 0 });
    await sim.runFor(5);
    sim.network.partition(['src'], ['dst']);
    sim.system.send('src/a', 'dst/b', { type: 'msg', seq: 1 });
    await sim.runFor(20);
    sim.network.heal();
    sim.system.send('src/a', 'dst/b', { type: 'msg', seq: 2 });
    await sim.runFor(20);
    expect((sim.system.get('dst/b')!.getSnapshot().context as { got: number[] }).got).toEqual([2]);
  });

  it('refuses impossible fault settings with ConfigError', () => {
    expect(() => new Simulation({ seed: 1, network: { dropRate: 2 } })).toThrow(ConfigError);
    expect(() => new Simulation({ seed: 1, network: { minDelayMs: 10, maxDelayMs: 5 } })).toThrow(
      ConfigError,
    );
  });
});
