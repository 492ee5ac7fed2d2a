/**
 * Deterministic simulation (DESIGN.md §4): an actor system whose clock is virtual, whose
 * randomness is seeded, and whose network is simulated. The caller drives time: each step fires
 * the next timer (a delivery, an XState `after`, a flush timer …) and then lets the promise
 * callbacks it caused run to completion, so the whole run is a function of the seed. Code under
 * simulation must do no real I/O (use MemoryStorageFs).
 */
import type { ActorId, NodeId } from './actor-event.js';
import { ActorSystem } from './actor-system.js';
import { TraceRecorder } from './inspection.js';
import { SeededRandom } from './seeded-random.js';
import { SimulatedClock } from './simulated-clock.js';
import { type NetworkFaults, SimulatedNetwork } from './simulated-network.js';

/** Options of a Simulation. */
export interface SimulationOptions {
  seed: number;
  /** Virtual start time; a fixed default keeps traces comparable. */
  startMs?: number;
  network?: Partial<NetworkFaults>;
  /** Extra listener of inspection events (the trace records them all anyway). */
  onFailure?: (id: ActorId, error: unknown) => void;
}

/** Lets every pending promise callback run: a macrotask turn runs only after the microtask queue drains. */
function settle(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * A seeded, single-threaded run of actors on virtual time.
 *
 * @example
 * ```ts
 * const sim = new Simulation({ seed: 42, network: { dropRate: 0.01 } });
 * sim.system.spawn({ id: 'broker-1/controller', logic: controllerMachine });
 * await sim.runFor(10_000);
 * console.log(sim.trace.hash());
 * ```
 */
export class Simulation {
  readonly seed: number;
  readonly clock: SimulatedClock;
  readonly random: SeededRandom;
  readonly network: SimulatedNetwork;
  readonly system: ActorSystem;
  readonly trace: TraceRecorder;

  constructor(options: SimulationOptions) {
    this.seed = options.seed;
    this.clock = new SimulatedClock(options.startMs ?? 1_700_000_000_000);
    this.random = new SeededRandom(options.seed);
    this.trace = new TraceRecorder();
    this.network = new SimulatedNetwork(this.clock, this.random.fork(), options.network);
    this.network.inspect = this.trace.inspector;
    const onFailure = options.onFailure;
    this.system = new ActorSystem({
      clock: this.clock,
      random: this.random.fork(),
      transport: this.network,
      inspect: this.trace.inspector,
      ...(onFailure === undefined ? {} : { onUnsupervisedFailure: onFailure }),
    });
  }

  /** Fires the next timer and settles what it caused; false when nothing is scheduled. */
  async step(): Promise<boolean> {
    await settle();
    const fired = this.clock.runNext();
    await settle();
    return fired;
  }

  /** Runs every timer due within the next `ms` of virtual time, then moves the clock to the end. */
  async runFor(ms: number): Promise<void> {
    const end = this.clock.nowMs() + ms;
    await settle();
    for (;;) {
      const next = this.clock.nextTimerMs();
      if (next === undefined || next > end) break;
      await this.step();
    }
    this.clock.advanceTo(end);
    await settle();
  }

  /**
   * Steps until `done()` is true; fails if it is still false after `maxMs` of virtual time, or if
   * nothing is left to run.
   */
  async runUntil(done: () => boolean, maxMs: number): Promise<void> {
    const end = this.clock.nowMs() + maxMs;
    await settle();
    while (!done()) {
      const next = this.clock.nextTimerMs();
      if (next === undefined)
        throw new Error(`simulation (seed ${this.seed}) went idle before the condition held`);
      if (next > end)
        throw new Error(`simulation (seed ${this.seed}) did not reach the condition within ${maxMs} ms`);
      await this.step();
    }
  }

  /** Crashes a node: every actor on it stops at once, and its links are left as they are. */
  crashNode(node: NodeId): void {
    this.system.stopNode(node);
  }
}
