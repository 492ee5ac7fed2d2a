/**
 * The record shapes the DSL hands to user code: a key, a value, a timestamp and headers, as Kafka
 * Streams' `Record`. Headers are structurally the log's RecordHeader; the DSL declares its own so it
 * imports nothing below it (DESIGN.md §2).
 */

/**
 * One record header: a name and raw bytes (or null).
 *
 * @example
 * ```ts
 * const h: Header = { key: 'trace-id', value: new TextEncoder().encode('abc') };
 * ```
 */
export interface Header {
  readonly key: string;
  readonly value: Uint8Array | null;
}

/**
 * A record flowing through a topology; `pipe(...)` operators see and return these.
 *
 * @example
 * ```ts
 * stream.pipe(map((r: StreamRecord<string, number>) => ({ ...r, value: r.value * 2 })));
 * ```
 */
export interface StreamRecord<K, V> {
  readonly key: K;
  readonly value: V;
  /** Milliseconds since the epoch; stateless operators keep the input's. */
  readonly timestamp: number;
  readonly headers: readonly Header[];
}

/**
 * What a topic extractor learns about the record being written.
 *
 * @example
 * ```ts
 * stream.to((key, _value, ctx) => `${ctx.sourceTopic}-${key}`);
 * ```
 */
export interface TopicExtractorContext {
  /** The topic the record was read from. */
  readonly sourceTopic: string;
  readonly timestamp: number;
  readonly headers: readonly Header[];
}

/**
 * A key and a value, as `map` and `flatMap` return them.
 *
 * @example
 * ```ts
 * const kv: KeyValue<string, number> = { key: 'a', value: 1 };
 * ```
 */
export interface KeyValue<K, V> {
  readonly key: K;
  readonly value: V;
}

/**
 * A key and a value as a KeyValue.
 *
 * @example
 * ```ts
 * stream.map((k, v) => keyValue(v.userId, v));
 * ```
 * @throws nothing.
 */
export function keyValue<K, V>(key: K, value: V): KeyValue<K, V> {
  return { key, value };
}
