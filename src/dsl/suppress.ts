/**
 * KTable.suppress as plain data: the suppress processor, the key-value store its buffer lives in
 * (`<name>-store`, so the runtime can changelog and restore it), and the serde of a buffered entry.
 * `untilWindowCloses` must know when a window closes, so the grace is looked up here from the
 * windowed aggregation upstream, through operators that keep keys (filter, mapValues, suppress).
 */
import { readInt64, writeInt64 } from '../common/bytes.js';
import { SerializationError, TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { StoreDefinition } from './store-definitions.js';
import type { Suppressed } from './windows/suppressed.js';

/**
 * One buffered key: its latest change, the value downstream last saw (`priorValue`, the old value
 * of the first change buffered), the latest record's timestamp, and the buffer time it is due by.
 *
 * @example
 * ```ts
 * const e: SuppressBufferEntry<number> = { newValue: 3, priorValue: null, timestampMs: 42, bufferTimeMs: 60_000 };
 * ```
 */
export interface SuppressBufferEntry<V> {
  readonly newValue: V | null;
  readonly priorValue: V | null;
  readonly timestampMs: number;
  readonly bufferTimeMs: number;
}

const HAS_NEW = 1;
const HAS_PRIOR = 2;

/**
 * The serde of buffer entries: flags (bit 0 new, bit 1 prior), timestamp and buffer time (int64
 * each), the new value's length (4 bytes) and bytes, then the prior value's bytes.
 *
 * @example
 * ```ts
 * const serde = suppressBufferEntrySerde(Serdes.int64());
 * ```
 * @throws SerializationError from deserialize on bytes this format cannot hold.
 */
export function suppressBufferEntrySerde<V>(inner: Serde<V>): Serde<SuppressBufferEntry<V>> {
  const name = `suppressBuffer(${inner.name})`;
  return Object.freeze({
    name,
    serialize(topic: string, e: SuppressBufferEntry<V>): Uint8Array {
      const n = e.newValue === null ? null : inner.serialize(topic, e.newValue);
      const p = e.priorValue === null ? null : inner.serialize(topic, e.priorValue);
      const nLen = n?.length ?? 0;
      const out = new Uint8Array(21 + nLen + (p?.length ?? 0));
      out[0] = (n === null ? 0 : HAS_NEW) | (p === null ? 0 : HAS_PRIOR);
      writeInt64(out, 1, e.timestampMs);
      writeInt64(out, 9, e.bufferTimeMs);
      new DataView(out.buffer).setUint32(17, nLen);
      if (n !== null) out.set(n, 21);
      if (p !== null) out.set(p, 21 + nLen);
      return out;
    },
    deserialize(topic: string, bytes: Uint8Array): SuppressBufferEntry<V> {
      const flags = bytes[0] ?? 0xff;
      if (bytes.length < 21 || (flags & ~(HAS_NEW | HAS_PRIOR)) !== 0) {
        throw new SerializationError(name, topic, 'not a suppression buffer entry');
      }
      const nLen = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(17);
      if (21 + nLen > bytes.length)
        throw new SerializationError(name, topic, 'new value runs past the entry');
      return {
        newValue: flags & HAS_NEW ? inner.deserialize(topic, bytes.subarray(21, 21 + nLen)) : null,
        priorValue: flags & HAS_PRIOR ? inner.deserialize(topic, bytes.subarray(21 + nLen)) : null,
        timestampMs: readInt64(bytes, 1),
        bufferTimeMs: readInt64(bytes, 9),
      };
    },
  });
}

/** Operators a windowed key passes unchanged, so the grace upstream still applies. */
const KEY_PRESERVING = new Set(['tableFilter', 'tableMapValues', 'suppress', 'passThrough']);

/**
 * How long after a window's end (the windowed key's endMs) its result becomes final: the grace of
 * the windowed aggregation that `node` descends from (plus 1 ms for windows that include their
 * end; for sessions also the gap, as a later record within it may still extend a session), or null
 * when `node` is not a windowed table.
 *
 * @example
 * ```ts
 * windowCloseDelay(graph, 'KSTREAM-AGGREGATE-0000000003'); // 10000 for TimeWindows.ofSizeAndGrace('1m', '10s')
 * ```
 */
export function windowCloseDelay(graph: GraphBuilder, node: string): number | null {
  for (let name: string | undefined = node; name !== undefined; ) {
    const n = graph.nodes.get(name);
    if (n?.type !== 'processor') return null;
    const op = n.op;
    // A key is due at window end + delay. Time windows exclude their end; sliding windows and
    // sessions include it, so they close one millisecond later.
    if (op.kind === 'timeWindowAggregate') return op.graceMs;
    if (op.kind === 'slidingWindowAggregate') return op.graceMs + 1;
    if (op.kind === 'sessionWindowAggregate') return op.gapMs + op.graceMs + 1;
    if (!KEY_PRESERVING.has(op.kind) || n.parents.length !== 1) return null;
    name = n.parents[0];
  }
  return null;
}

/**
 * Adds the suppress processor `name` after `parent` and its buffer store `<name>-store`.
 *
 * @example
 * ```ts
 * addSuppress(graph, 'KTABLE-SUPPRESS-0000000004', table.nodeName, keySerde, valueSerde, untilWindowCloses());
 * ```
 * @throws TopologyError for untilWindowCloses on a table that is not windowed, a missing serde, or
 * a name that is taken.
 */
export function addSuppress(
  graph: GraphBuilder,
  name: string,
  parent: string,
  keySerde: Serde<unknown> | undefined,
  valueSerde: Serde<unknown> | undefined,
  suppressed: Suppressed,
): void {
  let graceMs = 0;
  if (suppressed.kind === 'until-window-closes') {
    const delay = windowCloseDelay(graph, parent);
    if (delay === null) {
      throw new TopologyError(
        `suppress(untilWindowCloses) at '${name}' needs a windowed table (from windowedBy(…).count/reduce/aggregate, possibly through filter or mapValues): only windows close. For other tables use untilTimeLimit.`,
      );
    }
    graceMs = delay;
  }
  const store = `${name}-store`;
  const where = `The buffer store '${store}' of suppress`;
  const def: StoreDefinition = Object.freeze({
    name: store,
    kind: 'key-value',
    keySerde: graph.serde('key', keySerde, where),
    valueSerde: suppressBufferEntrySerde(graph.serde('value', valueSerde, where)) as Serde<unknown>,
    timestamped: false,
    persistent: true,
    changelog: true,
    // The buffer is read on every update and emits on its own; a cache in front would only delay it.
    caching: false,
  });
  graph.addStore(def);
  const buffer = suppressed.bufferConfig;
  graph.addProcessor(
    name,
    {
      kind: 'suppress',
      store,
      until: suppressed.kind === 'until-window-closes' ? 'window-closes' : 'time-limit',
      graceMs,
      waitMs: suppressed.timeToWaitForMoreEventsMs ?? 0,
      maxRecords: buffer.maxRecords,
      maxBytes: buffer.maxBytes,
      whenFull: buffer.bufferFullStrategy,
    },
    [parent],
    false,
    [store],
  );
}
