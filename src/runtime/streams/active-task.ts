/**
 * An active task under the streams runtime: one sub-topology on one partition number, its
 * StreamTask and restored stores, and the input offsets it has processed since the last commit.
 */
import type { StoreDefinition } from '../../dsl/store-definitions.js';
import type { Topology } from '../../dsl/topology.js';
import { type TopicPartition, tpKey } from '../../log/client/consumer/consumer-record.js';
import type { StoreEngine } from '../../state-stores/engine.js';
import type { ChangelogReader } from '../../state-stores/restore/changelog-reader.js';
import type { RestoreListener } from '../../state-stores/restore/restore-events.js';
import type { Clock } from '../actor/clock.js';
import type { Lifecycle } from '../actor/lifecycle.js';
import { StreamTask, type StreamTaskOptions } from './stream-task.js';
import { restoringTaskLifecycle, type StreamTaskEvent, type StreamTaskState } from './stream-task-machine.js';
import type { TaskMetadata } from './task-metadata.js';
import { TaskStores, type TaskStoresOptions } from './task-stores.js';

/**
 * What a task needs from its thread.
 *
 * @example
 * ```ts
 * const options: ActiveTaskOptions = { topology, applicationId: 'app', subTopology: 0, partition: 2, stateDir, reader: client, clock, sink };
 * ```
 */
export interface ActiveTaskOptions {
  readonly topology: Topology;
  readonly applicationId: string;
  readonly subTopology: number;
  readonly partition: number;
  readonly stateDir: string;
  readonly reader: ChangelogReader;
  readonly clock: Clock;
  readonly sink: StreamTaskOptions['sink'];
  readonly deserializationErrorHandler?: StreamTaskOptions['deserializationErrorHandler'];
  readonly processingErrorHandler?: StreamTaskOptions['processingErrorHandler'];
  readonly productionErrorHandler?: StreamTaskOptions['productionErrorHandler'];
  /** Told of every record a handler dropped (and maybe dead-lettered). */
  readonly onRecordDropped?: (error: Error) => void;
  readonly restoreListener?: RestoreListener;
  /** A standby's open engines, by store name, when this thread kept the task as a standby. */
  readonly engines?: ReadonlyMap<string, StoreEngine>;
  /** What the task's last commit recorded beside its offsets. */
  readonly restored?: TaskMetadata;
  /** Persistent stores in memory, for a simulated cluster (see TaskStoresOptions). */
  readonly storeEngine?: TaskStoresOptions['storeEngine'];
}

/**
 * The stores a sub-topology uses (every store connected to one of its processors).
 *
 * @example
 * ```ts
 * storesOfSubTopology(topology, 1); // ['counts']
 * ```
 * @throws nothing.
 */
export function storesOfSubTopology(topology: Topology, subTopology: number): string[] {
  const names = new Set<string>();
  for (const n of topology.subTopologies[subTopology]?.nodes ?? []) {
    const node = topology.nodes.get(n);
    if (node?.type === 'processor') for (const s of node.stores) names.add(s);
  }
  return [...names];
}

/**
 * The definitions of a sub-topology's own stores (not global ones: every task reads those).
 *
 * @example
 * ```ts
 * taskStoreDefinitions(topology, 1).map((d) => d.name); // ['counts']
 * ```
 */
export function taskStoreDefinitions(topology: Topology, subTopology: number): StoreDefinition[] {
  return storesOfSubTopology(topology, subTopology)
    .map((s) => topology.stores.get(s)!)
    .filter((d) => d.global !== true);
}

/**
 * A running task.
 *
 * @example
 * ```ts
 * const task = await ActiveTask.open(options);
 * task.task.process(topic, partition, offset, key, value, timestamp, headers);
 * ```
 * @throws from `open`: what restoring the stores throws.
 */
export class ActiveTask {
  /** Next offset to commit per input partition (`topic-partition`), since the last commit. */
  readonly consumed = new Map<string, { tp: TopicPartition; offset: number }>();

  private constructor(
    readonly id: string,
    readonly partition: number,
    readonly task: StreamTask,
    readonly stores: TaskStores,
    private readonly life: Lifecycle<StreamTaskState, StreamTaskEvent>,
  ) {}

  /** Where the task is in its lifecycle (stream-task-machine.ts). */
  get state(): StreamTaskState {
    return this.life.state;
  }

  /** Restores the task's stores and compiles its sub-topology. */
  static async open(o: ActiveTaskOptions): Promise<ActiveTask> {
    const id = `${o.subTopology}_${o.partition}`;
    const life = restoringTaskLifecycle(`active task ${id}`);
    const definitions = taskStoreDefinitions(o.topology, o.subTopology);
    const stores = await TaskStores.open({
      applicationId: o.applicationId,
      taskId: id,
      partition: o.partition,
      definitions,
      stateDir: o.stateDir,
      reader: o.reader,
      clock: o.clock,
      ...(o.restoreListener === undefined ? {} : { listener: o.restoreListener }),
      ...(o.engines === undefined ? {} : { engines: o.engines }),
      ...(o.storeEngine === undefined ? {} : { storeEngine: o.storeEngine }),
    });
    const task = new StreamTask(o.topology, {
      clock: o.clock,
      sink: o.sink,
      applicationId: o.applicationId,
      taskId: id,
      subTopology: o.subTopology,
      internalTopicPrefix: `${o.applicationId}-`,
      ...(o.restored === undefined ? {} : { restored: o.restored }),
      storeFactory: stores.factory,
      ...(o.deserializationErrorHandler === undefined
        ? {}
        : { deserializationErrorHandler: o.deserializationErrorHandler }),
      ...(o.processingErrorHandler === undefined ? {} : { processingErrorHandler: o.processingErrorHandler }),
      ...(o.productionErrorHandler === undefined ? {} : { productionErrorHandler: o.productionErrorHandler }),
      ...(o.onRecordDropped === undefined
        ? {}
        : {
            onDeserializationError: o.onRecordDropped,
            onProcessingError: o.onRecordDropped,
            onProductionError: o.onRecordDropped,
          }),
    });
    life.send({ type: 'RESTORED' });
    return new ActiveTask(id, o.partition, task, stores, life);
  }

  /** Records a processed input offset (the next one to commit is offset + 1). */
  processed(record: TopicPartition & { readonly offset: number }): void {
    const key = tpKey(record);
    const entry = this.consumed.get(key);
    if (entry !== undefined) {
      entry.offset = record.offset + 1;
      return;
    }
    // A fresh partition object: keeping the record would keep its key and value bytes alive.
    const tp = { topic: record.topic, partition: record.partition };
    this.consumed.set(key, { tp, offset: record.offset + 1 });
  }

  /** Closes the task's processors and stores (uncommitted writes are dropped). */
  async close(): Promise<void> {
    this.life.send({ type: 'SUSPEND' });
    await this.task.close();
    await this.stores.closeUnbuilt();
    this.life.send({ type: 'CLOSE' });
  }
}
