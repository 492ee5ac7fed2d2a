/**
 * Joins of a KStream: windowed with another stream, with a table (by the record's key, so both
 * must be co-partitioned) and with a global table (by a key computed per record). KStream's methods
 * delegate here. A side whose keys may have changed is repartitioned first, as in Kafka Streams.
 */
import type { Serde } from '../serdes/serde.js';
import { addCopartitionGroup } from './copartition.js';
import type { GlobalKTable } from './global-ktable.js';
import type { GraphBuilder } from './graph-builder.js';
import type { JoinType } from './join-ops.js';
import { bytesListSerde, outerKeySerde } from './join-serdes.js';
import type { KStream } from './kstream.js';
import type { KTable } from './ktable.js';
import type { Named } from './named.js';
import { addRepartition } from './repartition.js';
import type { StoreDefinition } from './store-definitions.js';
import { tableLookup } from './table-lookup.js';
import type { JoinWindows } from './windows/join-windows.js';

/**
 * Combines a record with its join partner; the key comes third, read-only (Kafka's
 * ValueJoinerWithKey), so a plain `(a, b) => …` is a ValueJoiner. In left and outer joins the
 * missing side is null.
 *
 * @example
 * ```ts
 * const joiner: ValueJoiner<Order, Customer, Enriched, string> = (o, c, id) => ({ ...o, id, customer: c?.name });
 * ```
 */
export type ValueJoiner<V1, V2, VR, K = unknown> = (value1: V1, value2: V2, readOnlyKey: K) => VR;

/**
 * Options of a stream-stream join (Kafka's StreamJoined): serdes of the key and both values (else
 * inherited), and `as`, the base name of the join's processors (`<as>-this-join`, …), stores
 * (`<as>-this-join-store`, `<as>-other-join-store`, `<as>-outer-shared-join-store`) and
 * repartition topics (`<as>-left-repartition`, `<as>-right-repartition`).
 *
 * @example
 * ```ts
 * clicks.join(views, (c, v) => [c, v], JoinWindows.ofTimeDifferenceWithNoGrace('1m'), { as: 'click-view', otherValue: Serdes.json() });
 * ```
 */
export interface StreamJoined<K, V1, V2> extends Named {
  readonly key?: Serde<K>;
  readonly value?: Serde<V1>;
  readonly otherValue?: Serde<V2>;
  /** Names the stores only (`<storeName>-this-join-store`, …); defaults to `as`. */
  readonly storeName?: string;
}

/**
 * Options of a stream-table join (Kafka's Joined): serdes for a repartition of the stream side and
 * `as`, the join processor's name (and the repartition topic's base, `<as>-repartition`).
 *
 * @example
 * ```ts
 * orders.join(customers, (o, c) => ({ ...o, c }), { as: 'enrich', key: Serdes.string() });
 * ```
 */
export interface Joined<K, V> extends Named {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
}

function windowStore(
  name: string,
  key: Serde<unknown>,
  value: Serde<unknown>,
  w: JoinWindows,
): StoreDefinition {
  const windowSizeMs = Math.max(1, w.beforeMs + w.afterMs);
  // A stored record must outlive every record that may still join it: those not yet late (within
  // grace of stream time) reach back at most max(before, after) from their own time.
  const retentionMs = Math.max(windowSizeMs, Math.max(w.beforeMs, w.afterMs, 0) + w.graceMs + 1);
  return Object.freeze({
    name,
    kind: 'window',
    keySerde: key,
    valueSerde: value,
    timestamped: false,
    persistent: true,
    changelog: true,
    caching: false,
    windowSizeMs,
    retentionMs,
    retainDuplicates: true,
  });
}

/**
 * Adds a windowed stream-stream join of `self` (left) and `other` (right).
 *
 * @example
 * ```ts
 * const joined = streamStreamJoin(left, right, (a, b) => a + b, JoinWindows.ofTimeDifferenceWithNoGrace(10), 'inner');
 * ```
 * @throws TopologyError when a serde is missing or a name is taken.
 */
export function streamStreamJoin<K, V, VO, VR>(
  self: KStream<K, V>,
  other: KStream<K, VO>,
  joiner: ValueJoiner<V, VO, VR, K>,
  windows: JoinWindows,
  joinType: JoinType,
  options: StreamJoined<K, V, VO> = {},
): KStream<K, VR> {
  const graph = self.graph;
  const as = options.as;
  const prefix = joinType === 'outer' ? 'KSTREAM-OUTER' : 'KSTREAM-JOIN';
  const thisName = graph.name(`${prefix}THIS-`, as === undefined ? undefined : `${as}-this-join`);
  const otherName = graph.name(`${prefix}OTHER-`, as === undefined ? undefined : `${as}-other-join`);
  const storeBase = options.storeName ?? as;
  const storeName = (side: string, processor: string) =>
    storeBase === undefined ? `${processor}-store` : `${storeBase}-${side}-join-store`;
  const thisStore = storeName('this', thisName);
  const otherStore = storeName('other', otherName);
  const where = (store: string) => `The stream-stream join store '${store}'`;
  const keySerde = graph.serde('key', options.key ?? self.keySerde ?? other.keySerde, where(thisStore));
  const thisValue = graph.serde('value', options.value ?? self.valueSerde, where(thisStore));
  const otherValue = graph.serde('value', options.otherValue ?? other.valueSerde, where(otherStore));
  const side = (s: KStream<K, unknown>, name: string, value: Serde<unknown>): string =>
    s.repartitionRequired
      ? addRepartition(
          graph,
          s.nodeName,
          as === undefined ? graph.name('KSTREAM-REPARTITION-', undefined) : `${as}-${name}`,
          keySerde as Serde<unknown>,
          value,
        )
      : s.nodeName;
  const leftParent = side(self as KStream<K, unknown>, 'left', thisValue as Serde<unknown>);
  const rightParent = side(other as KStream<K, unknown>, 'right', otherValue as Serde<unknown>);
  graph.addStore(windowStore(thisStore, keySerde as Serde<unknown>, thisValue as Serde<unknown>, windows));
  graph.addStore(windowStore(otherStore, keySerde as Serde<unknown>, otherValue as Serde<unknown>, windows));
  let outerStore: string | null = null;
  if (joinType !== 'inner') {
    outerStore =
      storeBase === undefined
        ? `${graph.name('KSTREAM-OUTERSHARED-', undefined)}-store`
        : `${storeBase}-outer-shared-join-store`;
    graph.addStore(
      Object.freeze({
        name: outerStore,
        kind: 'key-value',
        keySerde: outerKeySerde as Serde<unknown>,
        valueSerde: bytesListSerde as Serde<unknown>,
        timestamped: false,
        persistent: true,
        changelog: true,
        caching: false,
      }),
    );
  }
  addCopartitionGroup(graph, [leftParent, rightParent]);
  const common = {
    kind: 'streamStreamJoin',
    joinType,
    joiner,
    beforeMs: windows.beforeMs,
    afterMs: windows.afterMs,
    graceMs: windows.graceMs,
    outerStore,
  } as const;
  const stores = outerStore === null ? [thisStore, otherStore] : [thisStore, otherStore, outerStore];
  graph.addProcessor(
    thisName,
    { ...common, side: 'left', thisStore, otherStore },
    [leftParent],
    false,
    stores,
  );
  graph.addProcessor(
    otherName,
    { ...common, side: 'right', thisStore: otherStore, otherStore: thisStore },
    [rightParent],
    false,
    stores,
  );
  const merge = graph.name('KSTREAM-MERGE-', as === undefined ? undefined : `${as}-merge`);
  graph.addProcessor(merge, { kind: 'merge' }, [thisName, otherName]);
  return graph.views.stream<K, VR>(merge, keySerde, undefined, false);
}

/**
 * Adds a stream-table join: each stream record looks up the table's current value for its key.
 *
 * @example
 * ```ts
 * const enriched = streamTableJoin(orders, customers, (o, c) => ({ ...o, c }), false);
 * ```
 * @throws TopologyError when a serde for a needed repartition is missing or a name is taken.
 */
export function streamTableJoin<K, V, VT, VR>(
  self: KStream<K, V>,
  table: KTable<K, VT>,
  joiner: ValueJoiner<V, VT, VR, K>,
  leftJoin: boolean,
  joined: Joined<K, V> = {},
): KStream<K, VR> {
  const graph: GraphBuilder = self.graph;
  const name = graph.name(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-', joined.as);
  const keySerde = joined.key ?? self.keySerde ?? table.keySerde;
  let parent = self.nodeName;
  if (self.repartitionRequired) {
    const where = `The repartition topic before stream-table join '${name}'`;
    parent = addRepartition(
      graph,
      parent,
      joined.as ?? graph.name('KSTREAM-REPARTITION-', undefined),
      graph.serde('key', keySerde, where) as Serde<unknown>,
      graph.serde('value', joined.value ?? self.valueSerde, where) as Serde<unknown>,
    );
  }
  const { lookup, stores } = tableLookup(graph, table.nodeName, table.queryableStoreName);
  addCopartitionGroup(graph, [parent, table.nodeName]);
  graph.addProcessor(
    name,
    { kind: 'streamTableJoin', leftJoin, joiner, table: lookup },
    [parent],
    false,
    stores,
  );
  return graph.views.stream<K, VR>(name, keySerde, undefined, false);
}

/**
 * Adds a stream-globaltable join: each record looks up the global table by `keySelector(key, value)`
 * and keeps its own key; no co-partitioning is needed.
 *
 * @example
 * ```ts
 * streamGlobalTableJoin(orders, countries, (_, o) => o.country, (o, c) => ({ ...o, c }), false);
 * ```
 * @throws TopologyError when a name is taken.
 */
export function streamGlobalTableJoin<K, V, KG, VG, VR>(
  self: KStream<K, V>,
  globalTable: GlobalKTable<KG, VG>,
  keySelector: (key: K, value: V) => KG,
  joiner: ValueJoiner<V, VG, VR, K>,
  leftJoin: boolean,
  named?: Named,
): KStream<K, VR> {
  const graph = self.graph;
  const name = graph.name(leftJoin ? 'KSTREAM-LEFTJOIN-' : 'KSTREAM-JOIN-', named?.as);
  const store = globalTable.queryableStoreName;
  const op = { kind: 'streamGlobalTableJoin', leftJoin, keySelector, joiner, store } as const;
  graph.addProcessor(name, op, [self.nodeName], false, [store]);
  return graph.views.stream<K, VR>(name, self.keySerde, undefined, self.repartitionRequired);
}

/**
 * Dispatches KStream's join methods by what they join with: a KStream (windowed), a KTable or a
 * GlobalKTable (told apart by shape, since the views may not import each other's classes).
 *
 * @example
 * ```ts
 * return streamJoin(this, 'left', [table, joiner]);
 * ```
 * @throws TopologyError as the join it dispatches to.
 */
export function streamJoin<K, V>(
  self: KStream<K, V>,
  joinType: JoinType,
  args: readonly unknown[],
): KStream<K, unknown> {
  const other = args[0] as object;
  type J = ValueJoiner<V, unknown, unknown, K>;
  if (!('graph' in other)) {
    const [, keySelector, joiner, named] = args as [unknown, (k: K, v: V) => unknown, J, Named?];
    return streamGlobalTableJoin(
      self,
      other as GlobalKTable<unknown, unknown>,
      keySelector,
      joiner,
      joinType === 'left',
      named,
    );
  }
  if ('queryableStoreName' in other) {
    const [, joiner, joined] = args as [unknown, J, Joined<K, V>?];
    return streamTableJoin(self, other as KTable<K, unknown>, joiner, joinType === 'left', joined);
  }
  const [, joiner, windows, options] = args as [unknown, J, JoinWindows, StreamJoined<K, V, unknown>?];
  return streamStreamJoin(self, other as KStream<K, unknown>, joiner, windows, joinType, options);
}
