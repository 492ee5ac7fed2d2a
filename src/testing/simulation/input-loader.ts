/**
 * Writing a SimulatedCluster's input: records spread evenly over virtual time (so faults land
 * while input still arrives), through one idempotent producer, each call after the previous one.
 */
import type { Producer } from '../../log/client/producer/producer.js';
import type { Simulation } from '../../runtime/actor/index.js';
import type { InputRecord } from './cluster-types.js';

/**
 * Writes input records in the background; `done` settles when every write so far has.
 *
 * @example
 * ```ts
 * const loader = new InputLoader(sim, producer, (line) => log.push(line));
 * loader.produce([{ topic: 'lines', key: 'l0', value: 'to be' }], 3000);
 * await settle(sim, loader.done);
 * ```
 */
export class InputLoader {
  private loading: Promise<void> = Promise.resolve();

  constructor(
    private readonly sim: Simulation,
    private readonly producer: Producer,
    private readonly note: (line: string) => void,
  ) {}

  /**
   * The writes so far: resolves when they are done (failures are noted, never thrown).
   *
   * @example
   * ```ts
   * await settle(sim, loader.done);
   * ```
   */
  get done(): Promise<void> {
    return this.loading;
  }

  /**
   * Writes `records` to their topics, spread evenly over the next `spreadOverMs` of virtual time.
   * Returns at once; a record that cannot be written is noted.
   *
   * @example
   * ```ts
   * loader.produce(records, 3000);
   * ```
   */
  produce(records: readonly InputRecord[], spreadOverMs = 0): void {
    const previous = this.loading;
    this.loading = (async () => {
      await previous;
      const gapMs = records.length > 0 ? spreadOverMs / records.length : 0;
      let due = this.sim.clock.nowMs();
      for (const [i, r] of records.entries()) {
        due += gapMs;
        const wait = Math.round(due - this.sim.clock.nowMs());
        if (wait > 0) await new Promise<void>((resolve) => this.sim.clock.setTimer(wait, resolve));
        await this.producer.append(
          {
            topic: r.topic,
            key: bytes(r.key),
            value: bytes(r.value),
            timestamp: r.timestamp ?? i,
            ...(r.partition === undefined ? {} : { partition: r.partition }),
          },
          (error) => {
            if (error !== null)
              this.note(`input record ${i} to ${r.topic} was not written: ${error.message}`);
          },
        );
      }
      await this.producer.flush();
    })().catch((error: unknown) => this.note(`writing the input failed: ${String(error)}`));
  }
}

function bytes(v: string | Uint8Array | null): Uint8Array | null {
  return typeof v === 'string' ? Buffer.from(v) : v;
}
