/**
 * TopologyTestDriver: runs a Topology as one synchronous task with no broker, as Kafka Streams'
 * driver does. Input is processed when piped; sinks' output waits in per-topic queues.
 */
import { IllegalStateError, TopologyError } from '../common/errors.js';
import type { Header } from '../dsl/stream-record.js';
import type { Topology } from '../dsl/topology.js';
import { SimulatedClock } from '../runtime/actor/simulated-clock.js';
import { StreamTask, type StreamTaskOptions } from '../runtime/streams/stream-task.js';
import type { Serde } from '../serdes/serde.js';
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
  private closed = false;

  constructor(topology: Topology, options: TopologyTestDriverOptions = {}) {
    this.clock = options.clock ?? new SimulatedClock(0);
    this.task = new StreamTask(topology, {
      clock: this.clock,
      deserializationErrorHandler: options.deserializationErrorHandler,
      sink: (topic, key, value, timestamp, headers) =>
        this.queue(topic).push({ key, value, timestamp, headers }),
    });
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
    const offset = this.offsets.get(topic) ?? 0;
    this.offsets.set(topic, offset + 1);
    this.task.process(topic, 0, offset, key, value, timestamp ?? this.clock.nowMs(), headers);
  }

  /** Records the task dropped on deserialization errors (`log-and-continue`). */
  get droppedRecords(): number {
    return this.task.droppedRecords;
  }

  /** Moves the wall clock forward by `ms`. */
  advanceWallClockTime(ms: number): void {
    this.open();
    this.clock.advance(ms);
  }

  /** Ends the driver; later calls throw. */
  close(): void {
    this.closed = true;
  }
}
