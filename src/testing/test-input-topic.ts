/** TestInputTopic: pipes records into a TopologyTestDriver's task. */
import type { Header, KeyValue } from '../dsl/stream-record.js';
import type { Serde } from '../serdes/serde.js';

/**
 * What an input topic needs from its driver.
 *
 * @example
 * ```ts
 * const sink: InputSink = driver; // TopologyTestDriver implements it
 * ```
 */
export interface InputSink {
  pipe(
    topic: string,
    key: Uint8Array | null,
    value: Uint8Array | null,
    timestamp: number | undefined,
    headers: readonly Header[],
  ): void;
}

/**
 * An input topic of a TopologyTestDriver; records are processed synchronously as they are piped.
 *
 * @example
 * ```ts
 * const input = driver.createInputTopic('in', Serdes.string(), Serdes.string());
 * input.pipeInput('k', 'v', 1000);
 * ```
 * @throws from `pipeInput`: what the serdes or the topology throw.
 */
export class TestInputTopic<K, V> {
  /** @internal */
  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly driver: InputSink,
  ) {}

  /** Pipes one record; the timestamp defaults to the driver's wall-clock time. */
  pipeInput(key: K | null, value: V | null, timestampMs?: number, headers: readonly Header[] = []): void {
    const k = key === null ? null : this.keySerde.serialize(this.name, key);
    const v = value === null ? null : this.valueSerde.serialize(this.name, value);
    this.driver.pipe(this.name, k, v, timestampMs, headers);
  }

  /** Pipes records in order, all at `timestampMs` (or the driver's wall-clock time). */
  pipeKeyValueList(records: readonly KeyValue<K | null, V | null>[], timestampMs?: number): void {
    for (const r of records) this.pipeInput(r.key, r.value, timestampMs);
  }
}
