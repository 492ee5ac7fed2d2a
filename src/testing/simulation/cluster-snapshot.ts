/**
 * Reading back what a SimulatedCluster's run left: read_committed outputs and inputs, store
 * contents folded from their changelogs, and every partition's offsets (LSO, HW, the group's
 * committed offset and the records past it) — through the client, retrying through leader changes.
 */
import { Admin } from '../../log/client/admin.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { GroupDescription } from '../../log/coordinator/group-requests.js';
import type { Simulation } from '../../runtime/actor/index.js';
import type { ClusterParts } from './cluster-startup.js';
import type { ClusterSnapshot, PartitionOffsets, RenderedRecord } from './cluster-types.js';
import { readPartitionBytes, retrying } from './read-partition.js';
import { renderBytes } from './render.js';
import { settle } from './simulated-brokers.js';

/**
 * Reads a cluster's outputs, inputs, stores and offsets.
 *
 * @example
 * ```ts
 * const reader = new SnapshotReader(parts, 'app');
 * const { outputs, offsets } = await reader.snapshot();
 * ```
 */
export class SnapshotReader {
  private readonly sim: Simulation;
  private readonly client: EmbeddedLogClient;

  constructor(
    private readonly parts: ClusterParts,
    private readonly applicationId: string,
  ) {
    this.sim = parts.sim;
    this.client = parts.client;
  }

  /**
   * Partitions with an open transaction or unprocessed records, in words ([] when quiescent).
   *
   * @example
   * ```ts
   * if ((await reader.behind()).length === 0) console.log('quiesced');
   * ```
   */
  async behind(): Promise<string[]> {
    const out: string[] = [];
    for (const o of await this.offsets()) {
      if (o.lso !== o.hw) out.push(`${o.topic}-${o.partition}: LSO ${o.lso} < HW ${o.hw}`);
      if ((o.unprocessed ?? 0) > 0)
        out.push(`${o.topic}-${o.partition}: ${o.unprocessed} records past committed offset ${o.committed}`);
    }
    return out;
  }

  /**
   * Runs the simulation until `work` (the input's writes, clean shutdowns) is done and then until
   * nothing is behind, checking every second of virtual time.
   *
   * @example
   * ```ts
   * await reader.runUntilCaughtUp(loader.done, 360_000, () => describeThreads(instances));
   * ```
   * @throws an Error naming the partitions still behind, with `threads()`, after `maxMs`.
   */
  async runUntilCaughtUp(work: Promise<unknown>, maxMs: number, threads: () => string[]): Promise<void> {
    const deadline = this.sim.clock.nowMs() + maxMs;
    await settle(this.sim, work, maxMs);
    let behind: string[] = [];
    while (this.sim.clock.nowMs() < deadline) {
      await this.sim.runFor(1000);
      behind = await this.behind();
      if (behind.length === 0) return;
    }
    throw new Error(
      `the application did not catch up within ${maxMs} ms: ${behind.join('; ')}\nthreads:\n${threads().join('\n')}`,
    );
  }

  /**
   * LSO and HW of every partition; committed offset and unprocessed records of every consumed one.
   *
   * @example
   * ```ts
   * const offsets = await reader.offsets();
   * ```
   */
  async offsets(): Promise<PartitionOffsets[]> {
    const committed = new Map<string, number>();
    const lag = await settle(
      this.sim,
      retrying(this.sim, () => new Admin(this.client).groupLag(this.applicationId, this.parts.sourceTopics)),
    );
    for (const l of lag) committed.set(`${l.topic}-${l.partition}`, l.committedOffset);
    const out: PartitionOffsets[] = [];
    for (const [topic, partitions] of [...this.parts.topics].sort(([a], [b]) => a.localeCompare(b))) {
      for (let p = 0; p < partitions; p++) {
        const hw = await this.listOffset(topic, p, 'read_uncommitted');
        const lso = await this.listOffset(topic, p, 'read_committed');
        const c = committed.get(`${topic}-${p}`);
        if (c === undefined) {
          out.push({ topic, partition: p, lso, hw });
          continue;
        }
        // Control records (commit markers) may lie past the last processed record: count data only.
        const from = Math.max(0, c);
        const unprocessed =
          from >= lso
            ? 0
            : (await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed', from)).length;
        out.push({ topic, partition: p, lso, hw, committed: c, unprocessed });
      }
    }
    return out;
  }

  private async listOffset(
    topic: string,
    partition: number,
    isolationLevel: 'read_committed' | 'read_uncommitted',
  ): Promise<number> {
    const r = await settle(
      this.sim,
      retrying(this.sim, () => this.client.listOffset(topic, partition, -1, isolationLevel)),
    );
    return r.offset;
  }

  /**
   * read_committed records of `topic`, by `topic-partition`.
   *
   * @example
   * ```ts
   * const counts = await reader.read('word-counts'); // Map { 'word-counts-0' => [...] }
   * ```
   */
  async read(topic: string): Promise<Map<string, RenderedRecord[]>> {
    const out = new Map<string, RenderedRecord[]>();
    for (let p = 0; p < (this.parts.topics.get(topic) ?? 0); p++) {
      const records = await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed');
      out.set(
        `${topic}-${p}`,
        records.map((r) => ({
          key: renderBytes(r.key),
          value: renderBytes(r.value),
          timestamp: r.timestamp,
        })),
      );
    }
    return out;
  }

  /**
   * Every changelogged store's contents, folded from its read_committed changelog.
   *
   * @example
   * ```ts
   * const stores = await reader.stores(); // Map { 'counts/0' => Map { '"alpha"' => 'hex:…' } }
   * ```
   */
  async stores(): Promise<Map<string, Map<string, string>>> {
    const out = new Map<string, Map<string, string>>();
    for (const [store, topic] of this.parts.changelogs) {
      for (let p = 0; p < (this.parts.topics.get(topic) ?? 0); p++) {
        const contents = new Map<string, string>();
        for (const r of await readPartitionBytes(this.sim, this.client, topic, p, 'read_committed')) {
          const key = renderBytes(r.key);
          if (r.value === null) contents.delete(key);
          else contents.set(key, renderBytes(r.value));
        }
        out.set(`${store}/${p}`, new Map([...contents].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))));
      }
    }
    return out;
  }

  /**
   * The application's consumer group, as its coordinator describes it (state, generation, members).
   *
   * @example
   * ```ts
   * const { state, members } = await reader.group(); // 'Empty', [] once every instance left
   * ```
   */
  group(): Promise<GroupDescription> {
    return settle(
      this.sim,
      retrying(this.sim, () => new Admin(this.client).describeGroup(this.applicationId)),
    );
  }

  /**
   * Outputs, inputs, stores and offsets, for the checker (after quiescing).
   *
   * @example
   * ```ts
   * const snapshot = await reader.snapshot();
   * ```
   */
  async snapshot(): Promise<ClusterSnapshot> {
    const outputs = new Map<string, RenderedRecord[]>();
    for (const t of this.parts.outputTopics) for (const [k, v] of await this.read(t)) outputs.set(k, v);
    const inputs = new Map<string, RenderedRecord[]>();
    for (const t of this.parts.inputTopics) for (const [k, v] of await this.read(t)) inputs.set(k, v);
    return { outputs, inputs, stores: await this.stores(), offsets: await this.offsets() };
  }
}
