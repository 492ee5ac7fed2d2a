/** The record shape the TopologyTestDriver's output topics return. */
import type { Header } from '../dsl/stream-record.js';

/**
 * One output record, deserialized.
 *
 * @example
 * ```ts
 * const r: TestRecord<string, number> = out.readRecord();
 * ```
 */
export interface TestRecord<K, V> {
  readonly key: K | null;
  readonly value: V | null;
  readonly timestamp: number;
  readonly headers: readonly Header[];
}

/**
 * One output record as the sink wrote it.
 *
 * @example
 * ```ts
 * const raw: RawTestRecord = { key: null, value: bytes, timestamp: 0, headers: [] };
 * ```
 */
export interface RawTestRecord {
  readonly key: Uint8Array | null;
  readonly value: Uint8Array | null;
  readonly timestamp: number;
  readonly headers: readonly Header[];
}
