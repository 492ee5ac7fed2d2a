/**
 * Shared helpers of the changelog tests: a simulated one-broker cluster with a changelog topic and
 * a transactional producer, a store changelogged through it, and a dump of an engine's contents.
 */
import { Producer } from '../../../src/log/client/producer/producer.js';
import { StoreChangelogger } from '../../../src/state-stores/changelog/store-changelogger.js';
import type { StoreEngine } from '../../../src/state-stores/engine.js';
import type { KeyValueBytesStore } from '../../../src/state-stores/key-value-bytes-store.js';
import type { RestoreEvent } from '../../../src/state-stores/restore/restore-events.js';
import { type RestoreOptions, restoreStore } from '../../../src/state-stores/restore/store-restorer.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../log/broker/cluster-fixtures.js';

export const TOPIC = 'app-store-changelog';

/** A cluster with the changelog topic (one partition) and an initialised transactional producer. */
export async function changelogCluster(seed: number, cleanupPolicy: 'compact' | 'delete' = 'compact') {
  const c = simulatedCluster(seed, 1);
  await c.sim.runFor(300);
  await createTopicAndSettle(c.sim, c.client, {
    name: TOPIC,
    partitions: 1,
    replicationFactor: 1,
    config: { cleanupPolicy },
  });
  const producer = new Producer(c.client, c.sim.clock, c.sim.random, {
    transactionalId: `app-0_0-${seed}`,
    requestTimeoutMs: 1000,
  });
  await settle(c.sim, producer.initTransactions());
  return { ...c, producer };
}

export type ChangelogCluster = Awaited<ReturnType<typeof changelogCluster>>;

/** One write of a test transaction. */
export interface TestWrite {
  key: string;
  value: string | null;
}

/**
 * Runs one transaction: writes, prepareCommit, then commitTransaction + commit, or
 * abortTransaction + abort. Resolves with the changelog records it sent.
 */
export async function runTransaction(
  c: ChangelogCluster,
  store: KeyValueBytesStore,
  changelogger: StoreChangelogger,
  writes: readonly TestWrite[],
  commit: boolean,
): Promise<number> {
  c.producer.beginTransaction();
  for (const w of writes) store.put(Buffer.from(w.key), w.value === null ? null : Buffer.from(w.value));
  const sent = await settle(c.sim, changelogger.prepareCommit(c.producer));
  if (commit) {
    await settle(c.sim, c.producer.commitTransaction());
    changelogger.commit();
  } else {
    // The aborted records reach the log first, as they would mid-transaction, so restoration has
    // aborted data to skip.
    await settle(c.sim, c.producer.flush());
    await settle(c.sim, c.producer.abortTransaction());
    changelogger.abort();
  }
  return sent;
}

/** Every entry of an engine as [key, value] text pairs, in byte order. */
export function dump(engine: StoreEngine): [string, string][] {
  const out: [string, string][] = [];
  for (const { key, value } of engine.iterator({ from: null, toExclusive: null, reverse: false })) {
    out.push([Buffer.from(key).toString(), Buffer.from(value).toString()]);
  }
  return out;
}

/** The model's entries as [key, value] pairs in byte order (keys are ASCII here). */
export function sortedModel(model: ReadonlyMap<string, string>): [string, string][] {
  return [...model.entries()].sort(([a], [b]) => Buffer.compare(Buffer.from(a), Buffer.from(b)));
}

/** Restores with the simulation running, collecting the events. */
export async function restoreInSim(
  c: ChangelogCluster,
  options: Omit<RestoreOptions, 'reader' | 'clock' | 'topic' | 'partition'> &
    Partial<Pick<RestoreOptions, 'reader' | 'topic' | 'partition'>>,
) {
  // A task restores after initTransactions, which returns only once the previous transaction's
  // markers are written; here the same producer goes on, so wait for them (LSO = HW) instead.
  const topic = options.topic ?? TOPIC;
  const partition = options.partition ?? 0;
  for (let i = 0; i < 100; i++) {
    const hw = await settle(c.sim, c.client.listOffset(topic, partition, -1));
    const lso = await settle(c.sim, c.client.listOffset(topic, partition, -1, 'read_committed'));
    if (lso.offset >= hw.offset) break;
    await c.sim.runFor(20);
  }
  const events: RestoreEvent[] = [];
  const restored = await settle(
    c.sim,
    restoreStore({
      reader: c.client,
      clock: c.sim.clock,
      topic: TOPIC,
      partition: 0,
      ...options,
      listener: (e) => events.push(e),
    }),
  );
  return { ...restored, events };
}

export { StoreChangelogger };
