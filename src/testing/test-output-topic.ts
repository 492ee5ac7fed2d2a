/** TestOutputTopic: reads what a TopologyTestDriver's sinks wrote to one topic. */
import { IllegalStateError } from '../common/errors.js';
import type { KeyValue } from '../dsl/stream-record.js';
import type { Serde } from '../serdes/serde.js';
import type { RawTestRecord, TestRecord } from './test-record.js';

/**
 * An output topic of a TopologyTestDriver: reads consume records in the order they were written.
 *
 * @example
 * ```ts
 * const out = driver.createOutputTopic('out', Serdes.string(), Serdes.string());
 * expect(out.readKeyValue()).toEqual({ key: 'k', value: 'V' });
 * ```
 * @throws IllegalStateError from the single-record reads when the topic is empty.
 */
export class TestOutputTopic<K, V> {
  /** @internal */
  constructor(
    readonly name: string,
    private readonly keySerde: Serde<K>,
    private readonly valueSerde: Serde<V>,
    private readonly queue: RawTestRecord[],
  ) {}

  /** True when every written record has been read. */
  isEmpty(): boolean {
    return this.queue.length === 0;
  }

  /** The next record, deserialized. */
  readRecord(): TestRecord<K, V> {
    const raw = this.queue.shift();
    if (raw === undefined) throw new IllegalStateError(`Output topic '${this.name}' has no record to read.`);
    return {
      key: raw.key === null ? null : this.keySerde.deserialize(this.name, raw.key),
      value: raw.value === null ? null : this.valueSerde.deserialize(this.name, raw.value),
      timestamp: raw.timestamp,
      headers: raw.headers,
    };
  }

  /** The next record's key and value. */
  readKeyValue(): KeyValue<K | null, V | null> {
    const r = this.readRecord();
    return { key: r.key, value: r.value };
  }

  /** The next record's value. */
  readValue(): V | null {
    return this.readRecord().value;
  }

  /** Every unread record. */
  readRecordsToList(): TestRecord<K, V>[] {
    const out: TestRecord<K, V>[] = [];
    while (!this.isEmpty()) out.push(this.readRecord());
    return out;
  }

  /** Every unread record's value. */
  readValuesToList(): (V | null)[] {
    return this.readRecordsToList().map((r) => r.value);
  }

  /** Every unread record's key and value. */
  readKeyValuesToList(): KeyValue<K | null, V | null>[] {
    return this.readRecordsToList().map((r) => ({ key: r.key, value: r.value }));
  }
}
