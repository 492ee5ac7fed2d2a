/**
 * SimulatedCluster itself: a run is a function of its seed and fault schedule (the same twice gives
 * the same trace hash; another seed another), crashes and restarts do what they say, and quiescing
 * leaves every partition without an open transaction and committed to its end.
 */
import { describe, expect, it } from 'vitest';
import { type ScheduledFault, SimulatedCluster } from '../../../src/testing/index.js';
import { wordCount } from './word-count-app.js';
import { fixedLines } from './word-count-inputs.js';

const SCHEDULE: ScheduledFault[] = [
  { atMs: 400, fault: { kind: 'crashInstance', instance: 0, restartAfterMs: 700 } },
  { atMs: 900, fault: { kind: 'addInstance' } },
  { atMs: 1500, fault: { kind: 'killBroker', broker: 0, loseUnflushed: false, restartAfterMs: 300 } },
  { atMs: 2000, fault: { kind: 'stallInstance', instance: 1, forMs: 500 } },
];

async function run(seed: number) {
  const cluster = await SimulatedCluster.start({ seed, topology: wordCount(), instances: 2 });
  cluster.produce(fixedLines(5, 20), 2000);
  await cluster.runSchedule(SCHEDULE, 3000);
  await cluster.quiesce();
  const snapshot = await cluster.snapshot();
  const result = {
    hash: cluster.traceHash(),
    log: [...cluster.log],
    snapshot,
    events: cluster.sim.trace.size,
  };
  cluster.stop();
  return result;
}

describe('SimulatedCluster', () => {
  it('is deterministic: one seed and schedule give one trace hash; another seed another', async () => {
    const a = await run(9);
    const b = await run(9);
    const c = await run(10);
    expect(b.hash, `seed 9 ran twice: replay with seed 9\n${a.log.join('\n')}`).toBe(a.hash);
    expect(b.log).toEqual(a.log);
    expect(a.events).toBeGreaterThan(1000);
    expect(c.hash).not.toBe(a.hash);
  }, 120_000);

  it('applies the schedule, restarts what is down when quiescing, and leaves nothing open or unprocessed', async () => {
    const { log, snapshot } = await run(9);
    expect(log.join('\n')).toMatch(/crash instance #0, back after 700 ms \(i\d\)/);
    expect(log.join('\n')).toMatch(/instance i\d restarts/);
    expect(log.join('\n')).toMatch(/broker 1 restarts/);
    expect(log.at(-1)).toMatch(/quiesced$/);
    for (const o of snapshot.offsets) {
      expect(o.lso, `${o.topic}-${o.partition}`).toBe(o.hw);
      expect(o.unprocessed ?? 0, `${o.topic}-${o.partition}`).toBe(0);
    }
    const lines = [...snapshot.inputs.values()].reduce((n, r) => n + r.length, 0);
    expect(lines).toBe(20);
    const counted = [...snapshot.stores.values()].reduce((n, s) => n + s.size, 0);
    expect(counted).toBeGreaterThan(0);
  }, 120_000);
});
