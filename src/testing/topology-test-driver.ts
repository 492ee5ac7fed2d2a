/**
 * TopologyTestDriver: runs a Topology as one synchronous task with no broker, as Kafka Streams'
 * driver does. Input is processed when piped; sinks' output waits in per-topic queues.
 */
import { IllegalStateError, TopologyError } from '../common/errors.js';
import type { StoreDefinition } from '../dsl/store-definitions.js';
import type { Header } from '../dsl/stream-record.js';
import type { Topology } from '../dsl/topology.js';
import { SimulatedClock } from '../runtime/actor/simulated-clock.js';
import { StreamTask, type StreamTaskOptions } from '../runtime/streams/stream-task.js';
import type { Serde } from '../serdes/serde.js';
import type { KeyValueStore, ReadOnlyKeyValueStore } from '../state-stores/key-value-store.js';
import type { ReadOnlySessionStore } from '../state-stores/session/session-store.js';
import type { ValueAndTimestamp } from '../state-stores/timestamped-key-value-store.js';
import type { ReadOnlyWindowStore, WindowStore } from '../state-stores/window/window-store.js';
import { plainKeyValueView, plainWindowView } from './plain-value-views.js';
import { type InputSink, TestInputTopic } from './test-input-topic.js';
import { TestOutputTopic } from './test-output-topic.js';
import type { RawTestRecord } from './test-record.js';

/**
 * Options of a TopologyTestDriver.
 *
 * @example
 * ```ts
 * new TopologyTestDriver(topology, { clock: new SimulatedClock(1_000), deserializationErrorHandler: 'log-and-continue' });
 * ```
 */
export interface TopologyTestDriverOptions {
  /** Wall-clock time; a SimulatedClock at 0 by default. */
  readonly clock?: SimulatedClock;
  readonly deserializationErrorHandler?: StreamTaskOptions['deserializationErrorHandler'];
  readonly invalidTimestampHandler?: StreamTaskOptions['invalidTimestampHandler'];
  readonly processingErrorHandler?: StreamTaskOptions['processingErrorHandler'];
  /** For outputs the serializer refuses: fail (default), skip, or dead-letter the input record. */
  readonly productionErrorHandler?: StreamTaskOptions['productionErrorHandler'];
  /** The application id processors see; `test-app` unless given. */
  readonly applicationId?: string;
}

/**
 * Tests a topology synchronously.
 *
 * @example
 * ```ts
 * const driver = new TopologyTestDriver(builder.build());
 * driver.createInputTopic('in', Serdes.string(), Serdes.string()).pipeInput('k', 'v', 5);
 * driver.createOutputTopic('out', Serdes.string(), Serdes.string()).readKeyValue();
 * driver.close();
 * ```
 * @throws TopologyError from `createInputTopic` when no source reads the topic; IllegalStateError
 * after `close()`.
 */
export class TopologyTestDriver implements InputSink {
  /** The task the driver runs; benchmarks and advanced tests may drive it directly. */
  readonly task: StreamTask;
  readonly clock: SimulatedClock;
  private readonly outputs = new Map<string, RawTestRecord[]>();
  private readonly offsets = new Map<string, number>();
  private readonly internalTopics: ReadonlySet<string>;
  private readonly produced = new Set<string>();
  /** Records written to repartition topics, read back after the current record (FIFO). */
  private readonly repartitioned: { topic: string; record: RawTestRecord }[] = [];
  private closed = false;

  constructor(topology: Topology, options: TopologyTestDriverOptions = {}) {
    this.clock = options.clock ?? new SimulatedClock(0);
    this.internalTopics = new Set(topology.internalTopics.map((t) => t.name));
    this.task = new StreamTask(topology, {
      clock: this.clock,
      applicationId: options.applicationId ?? 'test-app',
      deserializationErrorHandler: options.deserializationErrorHandler,
      invalidTimestampHandler: options.invalidTimestampHandler,
      processingErrorHandler: options.processingErrorHandler,
      productionErrorHandler: options.productionErrorHandler,
      sink: (topic, key, value, timestamp, headers) => {
        const record = { key, value, timestamp, headers };
        if (this.internalTopics.has(topic)) this.repartitioned.push({ topic, record });
        else {
          this.produced.add(topic);
          this.queue(topic).push(record);
        }
      },
    });
  }

  /** Processes what repartition topics received, then commits the stores (as Kafka's driver does). */
  private settle(): void {
    for (let r = this.repartitioned.shift(); r !== undefined; r = this.repartitioned.shift()) {
      this.process(r.topic, r.record.key, r.record.value, r.record.timestamp, r.record.headers);
    }
    this.task.commit();
  }

  private process(
    topic: string,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.task.process(topic, 0, offset, key, value, timestamp, headers);
  }

  private queue(topic: string): RawTestRecord[] {
    let q = this.outputs.get(topic);
    if (q === undefined) {
      q = [];
      this.outputs.set(topic, q);
    }
    return q;
  }

  private open(): void {
    if (this.closed) throw new IllegalStateError('This TopologyTestDriver is closed.');
  }

  /** An input topic; it must be one a source of the topology reads. */
  createInputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestInputTopic<K, V> {
    this.open();
    if (this.task.topology.sourceForTopic(name) === undefined) {
      const known = this.task.topology.sourceTopics().join(', ');
      throw new TopologyError(`No source of the topology reads topic '${name}'; the sources read: ${known}.`);
    }
    return new TestInputTopic(name, keySerde, valueSerde, this);
  }

  /** An output topic: what sinks wrote (and will write) to `name`. */
  createOutputTopic<K, V>(name: string, keySerde: Serde<K>, valueSerde: Serde<V>): TestOutputTopic<K, V> {
    this.open();
    return new TestOutputTopic(name, keySerde, valueSerde, this.queue(name));
  }

  /** @internal Used by TestInputTopic. */
  pipe(
    topic: string,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number | undefined,
    headers: readonly Header[],
  ): void {
    this.open();
    this.process(topic, key, value, timestamp ?? this.clock.nowMs(), headers);
    this.settle();
  }

  /**
   * Records dropped on purpose: by the `log-and-continue` deserialization and `log-and-skip`
   * timestamp handlers, and by processors (late records, null keys), as Kafka's
   * dropped-records-total.
   */
  get droppedRecords(): number {
    let n = this.task.droppedRecords;
    for (const count of this.task.context.droppedRecords().values()) n += count;
    return n;
  }

  /** Records dropped by processors, per `<processor>: <reason>`. */
  droppedRecordsByProcessor(): ReadonlyMap<string, number> {
    return this.task.context.droppedRecords();
  }

  /** Moves the wall clock forward by `ms` and fires the wall-clock punctuators that came due. */
  advanceWallClockTime(ms: number): void {
    this.open();
    this.clock.advance(ms);
    this.task.punctuateWallClock();
    this.settle();
  }

  /** Any store of the topology, as its interface (KeyValueStore, WindowStore, SessionStore, …). */
  getStateStore<S>(name: string): S {
    this.open();
    return this.task.store<S>(name);
  }

  /** A key-value store; for a timestamped one (the DSL's), a read-only view of its plain values. */
  getKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, V> {
    const def = this.definition(name, 'key-value');
    const store = this.getStateStore<KeyValueStore<K, unknown>>(name);
    return def.timestamped
      ? plainKeyValueView(store as KeyValueStore<K, ValueAndTimestamp<V>>)
      : (store as KeyValueStore<K, V>);
  }

  /** A timestamped key-value store: values with their timestamps. */
  getTimestampedKeyValueStore<K, V>(name: string): ReadOnlyKeyValueStore<K, ValueAndTimestamp<V>> {
    this.definition(name, 'key-value', true);
    return this.getStateStore(name);
  }

  /** A window store; for a timestamped one, a read-only view of its plain values. */
  getWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, V> {
    const def = this.definition(name, 'window');
    const store = this.getStateStore<WindowStore<K, unknown>>(name);
    return def.timestamped
      ? plainWindowView(store as WindowStore<K, ValueAndTimestamp<V>>)
      : (store as WindowStore<K, V>);
  }

  /** A timestamped window store: values with their timestamps. */
  getTimestampedWindowStore<K, V>(name: string): ReadOnlyWindowStore<K, ValueAndTimestamp<V>> {
    this.definition(name, 'window', true);
    return this.getStateStore(name);
  }

  /** A session store. */
  getSessionStore<K, V>(name: string): ReadOnlySessionStore<K, V> {
    this.definition(name, 'session');
    return this.getStateStore(name);
  }

  private definition(name: string, kind: StoreDefinition['kind'], timestamped?: boolean): StoreDefinition {
    const def = this.task.topology.stores.get(name);
    if (def === undefined) {
      const known = [...this.task.topology.stores.keys()].join(', ') || 'none';
      throw new TopologyError(`The topology has no store named '${name}'; its stores: ${known}.`);
    }
    if (def.kind !== kind || (timestamped === true && !def.timestamped)) {
      throw new TopologyError(
        `Store '${name}' is a ${def.timestamped ? 'timestamped ' : ''}${def.kind} store, not a ${timestamped === true ? 'timestamped ' : ''}${kind} store.`,
      );
    }
    return def;
  }

  /** The topics sinks have written to (not repartition topics). */
  producedTopicNames(): string[] {
    return [...this.produced];
  }

  /** Ends the driver: closes processors and stores; later calls throw. */
  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    this.closed = true;
    return this.task.close();
  }
}
