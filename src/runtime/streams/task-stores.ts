/**
 * The stores of one streams task under the runtime: each restored from its changelog (from the
 * offset the local store committed, or from the log start when it is missing or corrupt), then built
 * as its definition says, with a changelogger when logged. The exactly-once commit runs in three
 * steps across every task of a thread: `prepareCommit` (changelog records into the open
 * transaction), the producer's commit, then `commit` (stores apply their writes with the changelog
 * offsets), or `abort` instead.
 */
import { join } from 'node:path';
import type { StoreDefinition } from '../../dsl/store-definitions.js';
import type { ChangelogProducer } from '../../state-stores/changelog/changelog-producer.js';
import { changelogTopicName } from '../../state-stores/changelog/changelog-topic.js';
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
  private readonly built: { store: StateStore; changelogger: StoreChangelogger | undefined }[] = [];

  private constructor(private readonly options: TaskStoresOptions) {}

  /** Restores every store of the task. */
  static async open(options: TaskStoresOptions): Promise<TaskStores> {
    const stores = new TaskStores(options);
    for (const def of options.definitions) await stores.restore(def);
    return stores;
  }

  private source(def: StoreDefinition): EngineSource {
    const o = this.options;
    if (!def.persistent) return new MemoryEngineSource(def.name);
    return new RocksDbEngineSource({
      name: def.name,
      dir: join(o.stateDir, o.taskId, def.name),
      ...(o.memoryBudget === undefined ? {} : { memoryBudget: o.memoryBudget }),
    });
  }

  private async restore(def: StoreDefinition): Promise<void> {
    const o = this.options;
    const source = this.source(def);
    if (!def.changelog) {
      this.engines.set(def.name, await source.open());
      return;
    }
    const { engine, result } = await restoreStore({
      source,
      reader: o.reader,
      topic: changelogTopicName(o.applicationId, def.name),
      partition: o.partition,
      clock: o.clock,
      ...(o.listener === undefined ? {} : { listener: o.listener }),
    });
    this.engines.set(def.name, engine);
    this.restored.set(def.name, result);
  }

  /** Builds each store over its restored engine, with its changelogger. */
  readonly factory: StoreFactory = (def) => {
    const engine = this.engines.get(def.name);
    if (engine === undefined)
      throw new RangeError(`Store '${def.name}' is not one of task ${this.options.taskId}'s.`);
    const store = buildStore(def, engine);
    const changelogger = def.changelog
      ? new StoreChangelogger({
          store,
          engine,
          topic: changelogTopicName(this.options.applicationId, def.name),
          partition: this.options.partition,
        })
      : undefined;
    this.built.push({ store, changelogger });
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

  /** Applies every store's writes (after the producer's commit succeeded). */
  commit(): void {
    for (const { store, changelogger } of this.built) {
      if (changelogger === undefined) store.commit();
      else changelogger.commit();
    }
  }

  /** Drops every store's open transaction (after the producer aborted). */
  abort(): void {
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
