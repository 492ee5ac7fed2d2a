/**
 * What a task's compiled processors share: its stores (built on first use from the topology's
 * definitions), stream time, the record being processed, punctuation, and the counts of records
 * dropped on purpose (late, null keys) that Kafka reports as the dropped-records metric.
 */
import { TopologyError } from '../../common/errors.js';
import type { RecordMetadata } from '../../dsl/processor-api.js';
import type { StoreDefinition } from '../../dsl/store-definitions.js';
import type { StateStore } from '../../state-stores/state-store.js';
import type { Clock } from '../actor/clock.js';
import { Punctuation } from './punctuation.js';
import type { TaskMetadata } from './task-metadata.js';

/**
 * Builds the store a definition describes, for one task.
 *
 * @example
 * ```ts
 * const factory: StoreFactory = (def) => memoryStore(def);
 * ```
 */
export type StoreFactory = (definition: StoreDefinition, taskId: string) => StateStore;

/**
 * The per-task state behind compiled processors.
 *
 * @example
 * ```ts
 * const ctx = new TaskContext('0_0', 'app', clock, topology.stores, memoryStoreFactory);
 * const counts = ctx.store<KeyValueStore<string, number>>('counts');
 * ```
 * @throws TopologyError from `store` for a name the topology does not define.
 */
export class TaskContext {
  readonly punctuation = new Punctuation();
  /** The largest timestamp processed, -1 before the first record. */
  streamTimeMs = -1;
  /** The record being processed (fields reused, so no object per record); see `inRecord`. */
  topic = '';
  partition = 0;
  offset = -1;
  /** False inside a punctuator: there is no current record. */
  inRecord = false;
  /** Set when a processor asked for a commit. */
  commitRequested = false;
  private readonly stores = new Map<string, StateStore>();
  private readonly dropped = new Map<string, number>();
  private readonly closers: (() => void)[] = [];
  /** Processors' times committed with the offsets (task-metadata.ts), read at commit. */
  private readonly tracked = new Map<string, () => number>();

  constructor(
    readonly taskId: string,
    readonly applicationId: string,
    readonly clock: Clock,
    private readonly definitions: ReadonlyMap<string, StoreDefinition>,
    private readonly factory: StoreFactory,
    /** What the task's last commit recorded, when it is reopened from one. */
    private readonly restored?: TaskMetadata,
  ) {
    if (restored !== undefined) this.streamTimeMs = restored.streamTimeMs;
  }

  /**
   * The time processor `name` committed last (undefined for a new task), and from now on `read`
   * gives the one to commit: a processor whose decisions depend on the stream time it observed
   * (a suppression buffer) continues after a restart exactly where it stood.
   */
  trackTime(name: string, read: () => number): number | undefined {
    this.tracked.set(name, read);
    return this.restored?.processors.get(name);
  }

  /** What a commit records beside the task's offsets. */
  metadata(): TaskMetadata {
    const processors = new Map<string, number>();
    for (const [name, read] of this.tracked) processors.set(name, read());
    return { streamTimeMs: this.streamTimeMs, processors };
  }

  /** The store named `name`, built on first use. */
  store<S>(name: string): S {
    let store = this.stores.get(name);
    if (store === undefined) {
      const def = this.definitions.get(name);
      if (def === undefined) throw new TopologyError(`The topology has no store named '${name}'.`);
      store = this.factory(def, this.taskId);
      this.stores.set(name, store);
    }
    return store as S;
  }

  /** The stores built so far. */
  openStores(): IterableIterator<StateStore> {
    return this.stores.values();
  }

  /** The definition of store `name`. */
  definition(name: string): StoreDefinition {
    const def = this.definitions.get(name);
    if (def === undefined) throw new TopologyError(`The topology has no store named '${name}'.`);
    return def;
  }

  /** Counts one record `processor` dropped on purpose, for `reason` (late, null key, …). */
  dropRecord(processor: string, reason: string): void {
    const key = `${processor}: ${reason}`;
    this.dropped.set(key, (this.dropped.get(key) ?? 0) + 1);
  }

  /** Dropped records per `<processor>: <reason>`. */
  droppedRecords(): ReadonlyMap<string, number> {
    return this.dropped;
  }

  /** The current record's origin, or null in a punctuator. */
  recordMetadata(): RecordMetadata | null {
    return this.inRecord ? { topic: this.topic, partition: this.partition, offset: this.offset } : null;
  }

  /** Registers a function to run when the task closes (a processor's close). */
  onClose(close: () => void): void {
    this.closers.push(close);
  }

  /** Runs the registered closers, then closes the stores. */
  async close(): Promise<void> {
    for (const close of this.closers) close();
    for (const store of this.stores.values()) await store.close();
  }
}
