/**
 * Sinks of a task: serialize each output (null stays null: a tombstone or a null key) and hand it
 * to the task's callback, or hand it over unserialized to an object sink. The topic is fixed, or
 * picked per record by a topic extractor.
 */
import type { Header, TopicExtractorContext } from '../../dsl/stream-record.js';
import type { SinkNode, TopicExtractor } from '../../dsl/topology-nodes.js';
import type { Forward } from './forward.js';

/**
 * Receives each serialized output record.
 *
 * @example
 * ```ts
 * const sink: SinkCallback = (topic, key, value, timestamp) => batch.append(topic, key, value, timestamp);
 * ```
 */
export type SinkCallback = (
  topic: string,
  key: Uint8Array | null,
  value: Uint8Array | null,
  timestamp: number,
  headers: readonly Header[],
) => void;

/**
 * Receives each output record before serialization (in-process consumers, benchmarks).
 *
 * @example
 * ```ts
 * const objectSink: ObjectSinkCallback = (topic, key, value) => results.push({ topic, key, value });
 * ```
 */
export type ObjectSinkCallback = (
  topic: string,
  key: unknown,
  value: unknown,
  timestamp: number,
  headers: readonly Header[],
) => void;

/**
 * The Forward of a sink node.
 *
 * @example
 * ```ts
 * const forward = compileSink(node, (t) => t, sink, undefined, () => 'orders', (cause) => { throw cause; });
 * ```
 * @throws from the Forward: what a topic extractor throws; what `onProductionError` throws.
 */
export function compileSink(
  node: SinkNode,
  physical: (topic: string) => string,
  sink: SinkCallback,
  objectSink: ObjectSinkCallback | undefined,
  sourceTopic: () => string,
  /** Told of a record that could not be serialized or produced; throws to fail the task. */
  onProductionError: (cause: unknown, topic: string) => void,
): Forward {
  const fixed = typeof node.topic === 'string' ? physical(node.topic) : undefined;
  const extractor = node.topic as TopicExtractor<unknown, unknown>;
  const topicOf = (k: unknown, v: unknown, t: number, h: readonly Header[]): string => {
    if (fixed !== undefined) return fixed;
    const context: TopicExtractorContext = { sourceTopic: sourceTopic(), timestamp: t, headers: h };
    return extractor(k, v, context);
  };
  if (objectSink !== undefined) return (k, v, t, h) => objectSink(topicOf(k, v, t, h), k, v, t, h);
  const { keySerde, valueSerde } = node;
  return (k, v, t, h) => {
    const topic = topicOf(k, v, t, h);
    try {
      const keyBytes = k === null || k === undefined ? null : keySerde.serialize(topic, k);
      const valueBytes = v === null || v === undefined ? null : valueSerde.serialize(topic, v);
      sink(topic, keyBytes, valueBytes, t, h);
    } catch (cause) {
      onProductionError(cause, topic);
    }
  };
}
