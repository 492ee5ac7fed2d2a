/**
 * The Processor API (Kafka Streams' `api.Processor`): user code that sees each record, keeps state in
 * named stores, forwards any number of records to its children and schedules punctuators on stream
 * time or on wall-clock time (the injected clock). `KStream.process` adds one to a topology.
 */
import type { StreamRecord } from './stream-record.js';

/**
 * When a punctuator fires: as stream time (the largest record timestamp the task has seen)
 * advances, or as the task's injected wall clock advances.
 *
 * @example
 * ```ts
 * context.schedule(60_000, 'stream-time', (t) => emitUpTo(t));
 * ```
 */
export type PunctuationType = 'stream-time' | 'wall-clock-time';

/**
 * A scheduled punctuator's handle.
 *
 * @example
 * ```ts
 * const handle = context.schedule(1_000, 'wall-clock-time', flush);
 * handle.cancel();
 * ```
 */
export interface Cancellable {
  cancel(): void;
}

/**
 * Where the record being processed came from; null in a punctuator.
 *
 * @example
 * ```ts
 * const where = context.recordMetadata(); // { topic: 'orders', partition: 0, offset: 42 }
 * ```
 */
export interface RecordMetadata {
  readonly topic: string;
  readonly partition: number;
  readonly offset: number;
}

/**
 * What a processor can do besides compute.
 *
 * @example
 * ```ts
 * init(context: ProcessorContext<string, number>) {
 *   this.counts = context.getStateStore<KeyValueStore<string, number>>('counts');
 *   context.schedule(10_000, 'stream-time', (t) => this.emit(context, t));
 * }
 * ```
 */
export interface ProcessorContext<KOut, VOut> {
  /** The application's id (the driver's is `test-app` unless configured). */
  readonly applicationId: string;
  /** `<sub-topology>_<partition>`, as Kafka names tasks. */
  readonly taskId: string;
  /** Sends a record to every child, or to the child named `childName`. */
  forward(record: StreamRecord<KOut, VOut>, childName?: string): void;
  /**
   * A store connected to this processor (named in `process(…, { stores })`).
   *
   * @throws TopologyError when the store is not connected to this processor.
   */
  getStateStore<S>(name: string): S;
  /** Calls `punctuator` every `intervalMs` of stream time or wall-clock time. */
  schedule(intervalMs: number, type: PunctuationType, punctuator: (timestampMs: number) => void): Cancellable;
  /** The task's stream time: the largest timestamp processed, or -1 before any record. */
  currentStreamTimeMs(): number;
  /** The injected clock's time. */
  currentSystemTimeMs(): number;
  /** Where the current record came from; null inside a punctuator. */
  recordMetadata(): RecordMetadata | null;
  /** Asks the runtime to commit soon (after this record). */
  commit(): void;
}

/**
 * A processor of records with keys K, values V, forwarding KOut/VOut.
 *
 * @example
 * ```ts
 * class Dedup implements Processor<string, Event, string, Event> {
 *   private seen!: KeyValueStore<string, number>;
 *   private context!: ProcessorContext<string, Event>;
 *   init(context: ProcessorContext<string, Event>) {
 *     this.context = context;
 *     this.seen = context.getStateStore('seen');
 *   }
 *   process(record: StreamRecord<string, Event>) {
 *     if (this.seen.get(record.value.id) !== undefined) return;
 *     this.seen.put(record.value.id, record.timestamp);
 *     this.context.forward(record);
 *   }
 * }
 * ```
 */
export interface Processor<K, V, KOut, VOut> {
  /** Called once before the first record, with the processor's context. */
  init?(context: ProcessorContext<KOut, VOut>): void;
  /** Called per record. */
  process(record: StreamRecord<K, V>): void;
  /** Called once when the task closes. */
  close?(): void;
}

/**
 * Makes a new processor per task (processors hold per-task state, so they must not be shared).
 *
 * @example
 * ```ts
 * const supplier: ProcessorSupplier<string, Event, string, Event> = () => new Dedup();
 * ```
 */
export type ProcessorSupplier<K, V, KOut, VOut> = () => Processor<K, V, KOut, VOut>;
