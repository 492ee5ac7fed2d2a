/**
 * StreamTask: the synchronous execution of a Topology for one task (DESIGN.md §3). Sources
 * deserialize and pick timestamps, processors run as compiled closures, sinks serialize into a
 * callback. No Promise per record; the async boundaries (fetch, produce, commit) live around it.
 */
import type { Header } from '../../dsl/stream-record.js';
import type { Topology } from '../../dsl/topology.js';
import type { SourceNode } from '../../dsl/topology-nodes.js';
import type { Clock } from '../actor/clock.js';
import { compileProcessor } from './compile-processor.js';
import { DeserializationError } from './deserialization-error.js';
import {
  deadLetterHeaders,
  type ErrorHandlerPolicy,
  isRecordError,
  ProcessingError,
} from './error-handling.js';
import type { Forward } from './forward.js';
import { InvalidTimestampError } from './invalid-timestamp-error.js';
import { memoryStoreFactory } from './memory-store-factory.js';
import { isProductionRecordError, ProductionError } from './production-error.js';
import { type StoreFactory, TaskContext } from './task-context.js';
import type { TaskMetadata } from './task-metadata.js';
import { compileSink, type ObjectSinkCallback, type SinkCallback } from './task-sinks.js';

export type { ObjectSinkCallback, SinkCallback } from './task-sinks.js';

/**
 * A task's collaborators and policies.
 *
 * @example
 * ```ts
 * const options: StreamTaskOptions = { clock, sink, deserializationErrorHandler: 'log-and-continue' };
 * ```
 */
export interface StreamTaskOptions {
  /** Wall-clock time for the wall-clock timestamp extractor. */
  readonly clock: Clock;
  /** Where serialized output goes. */
  readonly sink: SinkCallback;
  /** When given, sinks hand records here unserialized instead of to `sink`. */
  readonly objectSink?: ObjectSinkCallback;
  /**
   * `fail` (default) throws a DeserializationError; `log-and-continue` drops and counts;
   * `{ deadLetterTopic }` also writes the record's bytes there with error headers.
   */
  readonly deserializationErrorHandler?: ErrorHandlerPolicy;
  /** Told of every record dropped by a deserialization handler that does not fail. */
  readonly onDeserializationError?: (error: DeserializationError) => void;
  /**
   * For a user function (or a store's serde) that throws: `fail` (default) throws a
   * ProcessingError; `log-and-continue` drops the record (outputs already forwarded stay);
   * `{ deadLetterTopic }` also writes the input record's bytes there with error headers.
   */
  readonly processingErrorHandler?: ErrorHandlerPolicy;
  /** Told of every record dropped by a processing handler that does not fail. */
  readonly onProcessingError?: (error: ProcessingError) => void;
  /**
   * For an output the serializer or the producer refuses (too large): `fail` (default) throws a
   * ProductionError; `log-and-continue` drops that output; `{ deadLetterTopic }` also writes the
   * input record's bytes there with error headers (outside a record, in a punctuation, it drops).
   */
  readonly productionErrorHandler?: ErrorHandlerPolicy;
  /** Told of every output dropped by a production handler that does not fail. */
  readonly onProductionError?: (error: ProductionError) => void;
  /** `fail` (default) throws an InvalidTimestampError for a negative timestamp; `log-and-skip` drops it. */
  readonly invalidTimestampHandler?: 'fail' | 'log-and-skip';
  /** Builds the task's stores; in memory unless given. */
  readonly storeFactory?: StoreFactory;
  /** The application id processors see; `millrace-app` unless given. */
  readonly applicationId?: string;
  /** The task's id, `<sub-topology>_<partition>`; `0_0` unless given. */
  readonly taskId?: string;
  /** Run only this sub-topology (a streams task); every source when omitted (the test driver). */
  readonly subTopology?: number;
  /** Prefix of internal (repartition) topics on the log, `<applicationId>-`; none when omitted. */
  readonly internalTopicPrefix?: string;
  /** What the task's last commit recorded (stream time, processors' times), when reopened from one. */
  readonly restored?: TaskMetadata;
}

/**
 * Runs a topology's records synchronously.
 *
 * @example
 * ```ts
 * const task = new StreamTask(topology, { clock, sink: (topic, k, v) => out.push({ topic, k, v }) });
 * task.process('in', 0, 0, keyBytes, valueBytes, 1000, []);
 * ```
 * @throws DeserializationError from `process` (handler `fail`); whatever user functions throw.
 */
export class StreamTask {
  /** Stores, stream time, punctuation and dropped-record counts shared by the compiled processors. */
  readonly context: TaskContext;
  private readonly sources = new Map<string, { node: SourceNode; forward: Forward }>();
  private readonly compiled = new Map<string, Forward>();
  private sourceTopic = '';
  private dropped = 0;
  /** The bytes of the record being processed, for a dead-letter topic (reused, no allocation). */
  private readonly raw: {
    key: Uint8Array | null;
    value: Uint8Array | null;
    timestamp: number;
    headers: readonly Header[];
  } = { key: null, value: null, timestamp: 0, headers: [] };
  private readonly internal: ReadonlySet<string>;
  /** The log's name of a topology topic: internal topics carry the application's prefix. */
  private readonly physical: (topic: string) => string;

  constructor(
    readonly topology: Topology,
    private readonly options: StreamTaskOptions,
  ) {
    this.context = new TaskContext(
      options.taskId ?? '0_0',
      options.applicationId ?? 'millrace-app',
      options.clock,
      topology.stores,
      options.storeFactory ?? memoryStoreFactory,
      options.restored,
    );
    const prefix = options.internalTopicPrefix ?? '';
    this.internal = new Set(topology.internalTopics.map((t) => t.name));
    this.physical = (topic) => (prefix !== '' && this.internal.has(topic) ? `${prefix}${topic}` : topic);
    const sub = options.subTopology === undefined ? undefined : topology.subTopologies[options.subTopology];
    if (options.subTopology !== undefined && sub === undefined) {
      throw new RangeError(`The topology has no sub-topology ${options.subTopology}.`);
    }
    for (const topic of sub?.sourceTopics ?? topology.sourceTopics()) {
      const node = topology.sourceForTopic(topic)!;
      this.sources.set(this.physical(topic), { node, forward: this.compile(node.name) });
    }
  }

  /** The topics this task reads, as named on the log (internal ones with the application prefix). */
  sourceTopics(): string[] {
    return [...this.sources.keys()];
  }

  /** Records dropped by the `log-and-continue` deserialization and `log-and-skip` timestamp handlers. */
  get droppedRecords(): number {
    return this.dropped;
  }

  /** The largest timestamp processed so far, or -1 before the first record. */
  get streamTimeMs(): number {
    return this.context.streamTimeMs;
  }

  /** The store named `name` (built on first use). */
  store<S>(name: string): S {
    return this.context.store<S>(name);
  }

  /** Fires the wall-clock punctuators that are due at the clock's time; returns how many fired. */
  punctuateWallClock(): number {
    return this.punctuate('wall-clock-time', this.options.clock.nowMs());
  }

  private punctuate(type: 'stream-time' | 'wall-clock-time', timeMs: number): number {
    const ctx = this.context;
    if (!ctx.punctuation.has(type)) return 0;
    const inRecord = ctx.inRecord;
    ctx.inRecord = false;
    try {
      return ctx.punctuation.punctuate(type, timeMs);
    } finally {
      ctx.inRecord = inRecord;
    }
  }

  /** True when a processor asked for a commit or a store's open transaction is large. */
  get commitNeeded(): boolean {
    if (this.context.commitRequested) return true;
    for (const store of this.context.openStores()) if (store.commitNeeded) return true;
    return false;
  }

  /** A commit of the task's progress started: a processor's request for one is answered. */
  commitStarted(): void {
    this.context.commitRequested = false;
  }

  /** Flushes and commits every store of the task. */
  commit(): void {
    for (const store of this.context.openStores()) store.flush();
    for (const store of this.context.openStores()) store.commit();
    this.context.commitRequested = false;
  }

  /** Closes processors and stores; uncommitted store writes are dropped. */
  close(): Promise<void> {
    return this.context.close();
  }

  private compile(name: string): Forward {
    const done = this.compiled.get(name);
    if (done !== undefined) return done;
    const node = this.topology.nodes.get(name)!;
    let forward: Forward;
    if (node.type === 'sink') {
      forward = compileSink(
        node,
        this.physical,
        this.options.sink,
        this.options.objectSink,
        () => this.sourceTopic,
        (cause, topic) => this.onProductionFailure(cause, topic),
      );
    } else if (node.type === 'source') {
      const children = node.children.map((c) => this.compile(c));
      forward = (k, v, t, h) => {
        for (const c of children) c(k, v, t, h);
      };
    } else forward = compileProcessor(node, this.context, (c) => this.compile(c));
    this.compiled.set(name, forward);
    return forward;
  }

  private source(topic: string): { node: SourceNode; forward: Forward } {
    const source = this.sources.get(topic);
    if (source === undefined) throw new RangeError(`No source of this topology reads topic '${topic}'.`);
    return source;
  }

  /**
   * Deserializes one record and pushes it through the topology.
   *
   * @throws DeserializationError when a serde rejects the bytes and the handler is `fail`;
   * RangeError when no source reads `topic`.
   */
  process(
    topic: string,
    partition: number,
    offset: number,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const { node, forward } = this.source(topic);
    let k: unknown = null;
    let v: unknown = null;
    let part: 'key' | 'value' = 'key';
    try {
      if (key !== null) k = node.keySerde.deserialize(topic, key);
      part = 'value';
      if (value !== null) v = node.valueSerde.deserialize(topic, value);
    } catch (cause) {
      const error = new DeserializationError(topic, partition, offset, part, cause);
      const policy = this.options.deserializationErrorHandler ?? 'fail';
      if (policy === 'fail') throw error;
      this.dropped++;
      if (policy !== 'log-and-continue') {
        const dlqHeaders = deadLetterHeaders(error, topic, partition, offset, headers);
        this.options.sink(policy.deadLetterTopic, key, value, timestamp, dlqHeaders);
      }
      this.options.onDeserializationError?.(error);
      return;
    }
    this.raw.key = key;
    this.raw.value = value;
    this.run(topic, partition, offset, node, forward, k, v, timestamp, headers);
  }

  /** Pushes an already-deserialized record through the topology (no source serdes). */
  processDeserialized(
    topic: string,
    key: unknown,
    value: unknown,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const { node, forward } = this.source(topic);
    // No input bytes here: a dead-letter policy can only log and continue.
    this.raw.key = null;
    this.raw.value = null;
    this.run(topic, 0, -1, node, forward, key, value, timestamp, headers);
  }

  private run(
    topic: string,
    partition: number,
    offset: number,
    node: SourceNode,
    forward: Forward,
    key: unknown,
    value: unknown,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const extractor = node.timestampExtractor;
    const ts =
      extractor.kind === 'record'
        ? timestamp
        : extractor.kind === 'wall-clock'
          ? this.options.clock.nowMs()
          : extractor.extract({ key, value, timestamp }, this.context.streamTimeMs);
    if (ts < 0) {
      if (this.options.invalidTimestampHandler !== 'log-and-skip') {
        throw new InvalidTimestampError(topic, partition, offset, ts);
      }
      this.dropped++;
      return;
    }
    const ctx = this.context;
    const advanced = ts > ctx.streamTimeMs;
    if (advanced) ctx.streamTimeMs = ts;
    this.sourceTopic = topic;
    this.raw.timestamp = timestamp;
    this.raw.headers = headers;
    ctx.topic = topic;
    ctx.partition = partition;
    ctx.offset = offset;
    ctx.inRecord = true;
    try {
      forward(key, value, ts, headers);
    } catch (cause) {
      this.onProcessingFailure(cause, topic, partition, offset, timestamp, headers);
    } finally {
      ctx.inRecord = false;
    }
    if (advanced) this.punctuate('stream-time', ts);
  }

  /** Applies the production handler to an output that could not be serialized or produced. */
  private onProductionFailure(cause: unknown, outputTopic: string): void {
    if (!isProductionRecordError(cause)) throw cause;
    const ctx = this.context;
    const inRecord = ctx.inRecord;
    const error = inRecord
      ? new ProductionError(outputTopic, ctx.topic, ctx.partition, ctx.offset, cause)
      : new ProductionError(outputTopic, '', -1, -1, cause);
    const policy = this.options.productionErrorHandler ?? 'fail';
    if (policy === 'fail') throw error;
    this.dropped++;
    if (policy !== 'log-and-continue' && inRecord && ctx.offset >= 0) {
      const { key, value, timestamp, headers } = this.raw;
      const dlqHeaders = deadLetterHeaders(error, ctx.topic, ctx.partition, ctx.offset, headers);
      this.options.sink(policy.deadLetterTopic, key, value, timestamp, dlqHeaders);
    }
    this.options.onProductionError?.(error);
  }

  /** Applies the processing handler to a record whose processing threw. */
  private onProcessingFailure(
    cause: unknown,
    topic: string,
    partition: number,
    offset: number,
    timestamp: number,
    headers: readonly Header[],
  ): void {
    const policy = this.options.processingErrorHandler ?? 'fail';
    if (!isRecordError(cause)) throw cause;
    const error = new ProcessingError(topic, partition, offset, cause);
    if (policy === 'fail') throw error;
    this.dropped++;
    if (policy !== 'log-and-continue' && this.options.objectSink === undefined) {
      const dlqHeaders = deadLetterHeaders(error, topic, partition, offset, headers);
      this.options.sink(policy.deadLetterTopic, this.raw.key, this.raw.value, timestamp, dlqHeaders);
    }
    this.options.onProcessingError?.(error);
  }
}
