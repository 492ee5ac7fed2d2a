/**
 * The stores of one streams task under the runtime: each restored from its changelog (from the
 * offset the local store committed, or from the log start when it is missing or corrupt), then built
 * as its definition says, with a changelogger when logged. The exactly-once commit runs in three
 * steps across every task of a thread: `prepareCommit` (changelog records into the open
 * transaction), the producer's commit, then `commit` (stores apply their writes with the changelog
 * offsets), or `abort` instead. A thread that processes on while the producer's commit runs calls
 * `seal` after `prepareCommit`: the stores commit as far as they can and take new writes, and
 * `commit` confirms the sealed writes once the producer's commit succeeded.
 */
import { join } from 'node:path';
import { IllegalStateError } from '../../common/errors.js';
import { plantedBugs } from '../../common/planted-bugs.js';
import type { StoreDefinition } from '../../dsl/store-definitions.js';
import type { ChangelogProducer } from '../../state-stores/changelog/changelog-producer.js';
import { changelogPartitionId, changelogTopicName } from '../../state-stores/changelog/changelog-topic.js';
import { StoreChangelogger } from '../../state-stores/changelog/store-changelogger.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import type { MemoryBudget } from '../../state-stores/memory-budget.js';
import type { ChangelogReader } from '../../state-stores/restore/changelog-reader.js';
import type { EngineSource } from '../../state-stores/restore/engine-source.js';
import { MemoryEngineSource } from '../../state-stores/restore/memory-engine-source.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import { RocksDbEngineSource } from '../../state-stores/restore/rocksdb-engine-source.js';
import { type RestoreResult, restoreStore } from '../../state-stores/restore/store-restorer.js';
import type { StateStore } from '../../state-stores/state-store.js';
import { TransactionalBytesStore } from '../../state-stores/transactional-bytes-store.js';
import type { Clock } from '../actor/clock.js';
import { buildStore } from './memory-store-factory.js';
import type { StoreFactory } from './task-context.js';

/**
 * Where and how a task's stores live.
 *
 * @example
 * ```ts
 * const stores = await TaskStores.open({ applicationId: 'app', taskId: '1_0', partition: 0, definitions, stateDir, reader: client, clock });
 * ```
 */
export interface TaskStoresOptions {
  readonly applicationId: string;
  readonly taskId: string;
  /** The task's partition: the changelog partition of each of its stores. */
  readonly partition: number;
  readonly definitions: readonly StoreDefinition[];
  /** The application's state directory; persistent stores live in `<stateDir>/<taskId>/<store>`. */
  readonly stateDir: string;
  readonly reader: ChangelogReader;
  readonly clock: Clock;
  readonly listener?: RestoreListener;
  readonly memoryBudget?: MemoryBudget;
  /**
   * Engines already open, by store name: a standby's state handed to the active task that
   * replaces it on the same thread. Restoring continues from their changelog offsets.
   */
  readonly engines?: ReadonlyMap<string, StoreEngine>;
  /**
   * Where persistent stores live: on disk in RocksDB (the default) or in memory, as a simulation
   * runs them (no disk, and the state dies with the instance, as a lost disk would).
   */
  readonly storeEngine?: 'rocksdb' | 'memory';
  /**
   * Records each store replays at most per restore or catch-up (a standby restores in slices, so
   * its thread keeps processing its active tasks); default: all of them.
   */
  readonly restoreBudget?: number;
}

/**
 * The sum of the changelog offsets `engines` (changelogged stores, by name) reflect, for task
 * partition `partition`: KIP-441's task offset sum. An engine that cannot say (closed or failed)
 * counts as 0: at worst the assignor thinks the state is further behind than it is.
 *
 * @example
 * ```ts
 * offsetSumOf('wordcount', 2, new Map([['counts', engine]])); // engine's offset of wordcount-counts-changelog-2
 * ```
 * @throws nothing.
 */
export function offsetSumOf(
  applicationId: string,
  partition: number,
  engines: ReadonlyMap<string, StoreEngine>,
): number {
  let sum = 0;
  for (const [name, engine] of engines) {
    const id = changelogPartitionId(changelogTopicName(applicationId, name), partition);
    try {
      sum += engine.changelogOffsets().get(id) ?? 0;
    } catch {
      // Closed or failed: nothing known.
    }
  }
  return sum;
}

/**
 * A task's restored stores and their changeloggers.
 *
 * @example
 * ```ts
 * const task = new StreamTask(topology, { …, storeFactory: stores.factory });
 * await stores.prepareCommit(producer);
 * await producer.commitTransaction();
 * stores.commit();
 * ```
 * @throws from `open`: ChangelogCorruptError and what the engines throw.
 */
export class TaskStores {
  /** Records replayed per store when the task started (0 when the local state was current). */
  readonly restored = new Map<string, RestoreResult>();
  private readonly engines = new Map<string, StoreEngine>();
  private readonly built: {
    store: StateStore;
    changelogger: StoreChangelogger | undefined;
    buffer: TransactionalBytesStore | undefined;
  }[] = [];
  /** `seal` ran: `commit` confirms the sealed writes. */
  private sealed = false;

  private constructor(private readonly options: TaskStoresOptions) {}

  /** Restores every store of the task. */
  static async open(options: TaskStoresOptions): Promise<TaskStores> {
    const stores = new TaskStores(options);
    try {
      for (const def of options.definitions)
        await stores.restore(def, options.listener, options.engines?.get(def.name));
    } catch (error) {
      // Engines already open would keep their locks and memory: the retry could never open them.
      const open = new Set([...stores.engines.values(), ...(options.engines?.values() ?? [])]);
      for (const engine of open) await engine.close().catch(() => undefined);
      throw error;
    }
    return stores;
  }

  private source(def: StoreDefinition): EngineSource {
    const o = this.options;
    if (!def.persistent || o.storeEngine === 'memory') return new MemoryEngineSource(def.name);
    return new RocksDbEngineSource({
      name: def.name,
      dir: join(o.stateDir, o.taskId, def.name),
      ...(o.memoryBudget === undefined ? {} : { memoryBudget: o.memoryBudget }),
    });
  }

  private async restore(
    def: StoreDefinition,
    listener: RestoreListener | undefined,
    given?: StoreEngine,
  ): Promise<RestoreResult> {
    const o = this.options;
    const source = this.source(def);
    const open = this.engines.get(def.name) ?? given;
    if (!def.changelog) {
      this.engines.set(def.name, open ?? (await source.open()));
      return { startOffset: 0, endOffset: 0, records: 0, wiped: undefined };
    }
    // If restoring fails, the restorer closes the engine: it must not be closed twice.
    this.engines.delete(def.name);
    const { engine, result } = await restoreStore({
      source,
      reader: o.reader,
      topic: changelogTopicName(o.applicationId, def.name),
      partition: o.partition,
      clock: o.clock,
      ...(listener === undefined ? {} : { listener }),
      ...(open === undefined ? {} : { engine: open }),
      ...(o.restoreBudget === undefined ? {} : { maxRecords: o.restoreBudget }),
    });
    this.engines.set(def.name, engine);
    this.restored.set(def.name, result);
    return result;
  }

  /**
   * Replays what the changelogs gained since the last restore or catch-up (a standby replica
   * keeping up with its active task); returns the records applied. Its events go to `listener`,
   * not the options' restore listener: a standby's updates are not restorations.
   *
   * @throws what restoring throws; the failed store's engine is closed then (reopen the task).
   */
  async catchUp(listener?: RestoreListener): Promise<number> {
    let records = 0;
    for (const def of this.options.definitions) {
      if (def.changelog) records += (await this.restore(def, listener)).records;
    }
    return records;
  }

  /**
   * The sum of the stores' changelog offsets: how far the local state has come (KIP-441's task
   * offset sum, from which the assignor computes lag). A store that cannot say (closed or failed)
   * counts as 0: at worst the assignor thinks the state is further behind than it is.
   */
  offsetSum(): number {
    this.applyDeferredQuietly();
    const logged = [...this.engines].filter(([name]) =>
      this.options.definitions.some((d) => d.name === name && d.changelog),
    );
    return offsetSumOf(this.options.applicationId, this.options.partition, new Map(logged));
  }

  /** True when every store can seal a commit (see `seal`): all of them have a transaction buffer. */
  canSeal(): boolean {
    return this.built.every((b) => b.buffer !== undefined);
  }

  /** True when the stores' state outlives the task: every changelogged store is on disk. */
  durable(): boolean {
    if (this.options.storeEngine === 'memory') return false;
    return this.options.definitions.every((d) => !d.changelog || d.persistent);
  }

  /** False once the engines were given away. */
  holdsEngines(): boolean {
    return this.engines.size > 0;
  }

  /** Gives the open engines away (to the task that takes this state over); none are closed. */
  release(): Map<string, StoreEngine> {
    this.applyDeferredQuietly();
    const engines = new Map(this.engines);
    this.engines.clear();
    return engines;
  }

  /** Builds each store over its restored engine, with its changelogger. */
  readonly factory: StoreFactory = (def) => {
    const engine = this.engines.get(def.name);
    if (engine === undefined)
      throw new RangeError(`Store '${def.name}' is not one of task ${this.options.taskId}'s.`);
    const store = buildStore(def, engine);
    // The thread writes each commit to the engines while it waits on the next one (applyDeferred).
    const buffer = TransactionalBytesStore.over(engine);
    buffer?.deferEngineWrites();
    const changelogger = def.changelog
      ? new StoreChangelogger({
          store,
          engine,
          topic: changelogTopicName(this.options.applicationId, def.name),
          partition: this.options.partition,
        })
      : undefined;
    this.built.push({ store, changelogger, buffer });
    return store;
  };

  /** Sends every logged store's pending writes into the producer's open transaction. */
  async prepareCommit(producer: ChangelogProducer): Promise<number> {
    let sent = 0;
    for (const { store, changelogger } of this.built) {
      if (changelogger === undefined) store.flush();
      else sent += await changelogger.prepareCommit(producer);
    }
    return sent;
  }

  /**
   * Writes the last commit's store writes to the engines (they were deferred: readable, committed
   * in the changelog, not yet in the engine). A stream thread calls it while its next commit's
   * round trips run.
   */
  applyDeferred(): void {
    for (const engine of this.engines.values()) TransactionalBytesStore.over(engine)?.applyDeferred();
  }

  /** applyDeferred where a failed engine is someone else's to report (it restores what it lacks). */
  private applyDeferredQuietly(): void {
    try {
      this.applyDeferred();
    } catch {
      // The writes are in the changelog: the store restores them when it opens again.
    }
  }

  /**
   * After `prepareCommit`, before the producer's commit ends: every store commits as far as it can
   * and seals the writes the commit covers, so the task may process on; `commit` confirms them.
   *
   * @throws IllegalStateError when a store cannot seal (see canSeal) or was written since
   *   prepareCommit.
   */
  seal(): void {
    for (const { store, changelogger, buffer } of this.built) {
      if (changelogger !== undefined) {
        changelogger.seal();
        continue;
      }
      if (buffer === undefined)
        throw new IllegalStateError(`store ${JSON.stringify(store.name)} has no transaction buffer to seal`);
      buffer.sealThrough(() => store.commit());
    }
    this.sealed = true;
  }

  /** Applies every store's writes, or confirms the sealed ones (after the producer's commit succeeded). */
  commit(): void {
    const sealed = this.sealed;
    this.sealed = false;
    for (const { store, changelogger, buffer } of this.built) {
      if (changelogger !== undefined) changelogger.commit();
      else if (sealed) buffer!.confirmSealed();
      else store.commit();
    }
  }

  /** Drops every store's open transaction (after the producer aborted). */
  abort(): void {
    // Negative-control switch (common/planted-bugs.ts): the aborted writes stay, as if applied early.
    if (plantedBugs.applyStoreWritesBeforeCommit) this.commit();
    this.sealed = false;
    for (const { store, changelogger } of this.built) {
      if (changelogger === undefined) store.abort();
      else changelogger.abort();
    }
  }

  /** Closes engines that no store was built over (stores close with their task). */
  async closeUnbuilt(): Promise<void> {
    const used = new Set(this.built.map((b) => b.store.name));
    for (const [name, engine] of this.engines) if (!used.has(name)) await engine.close();
  }
}
