/**
 * Table-table joins (inner, left, outer) on the primary key. Each side's update looks up the other
 * side's current value, as Kafka Streams' KTable-KTable join does: a processor per side, meeting in
 * a merge node that is the result table (and keeps its store when materialized). KTable's methods
 * delegate here.
 */
import { addCopartitionGroup } from './copartition.js';
import { fkJoin } from './fk-join.js';
import type { JoinType } from './join-ops.js';
import type { KTable } from './ktable.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import type { Materialized } from './store-definitions.js';
import type { ValueJoiner } from './stream-joins.js';
import { tableLookup } from './table-lookup.js';

const PREFIX: Readonly<Record<JoinType, string>> = { inner: 'JOIN', left: 'LEFT', outer: 'OUTER' };

/**
 * Adds a table-table join of `self` (left) and `other` (right).
 *
 * @example
 * ```ts
 * const both = tableTableJoin(users, scores, (u, s) => ({ ...u, s }), 'left');
 * ```
 * @throws TopologyError when a table cannot be looked up, a store serde is missing or a name is taken.
 */
export function tableTableJoin<K, V, VO, VR>(
  self: KTable<K, V>,
  other: KTable<K, VO>,
  joiner: ValueJoiner<V, VO, VR, K>,
  joinType: JoinType,
  materialized?: Materialized<K, VR>,
  named?: Named,
): KTable<K, VR> {
  const graph = self.graph;
  const as = named?.as;
  const p = PREFIX[joinType];
  const thisName = graph.name(`KTABLE-${p}THIS-`, as === undefined ? undefined : `${as}-join-this`);
  const otherName = graph.name(`KTABLE-${p}OTHER-`, as === undefined ? undefined : `${as}-join-other`);
  const mergeName = graph.name('KTABLE-MERGE-', as);
  const left = tableLookup(graph, self.nodeName, self.queryableStoreName);
  const right = tableLookup(graph, other.nodeName, other.queryableStoreName);
  addCopartitionGroup(graph, [self.nodeName, other.nodeName]);
  const base = { kind: 'tableTableJoin', joinType, joiner } as const;
  graph.addProcessor(
    thisName,
    { ...base, side: 'left', other: right.lookup },
    [self.nodeName],
    false,
    right.stores,
  );
  graph.addProcessor(
    otherName,
    { ...base, side: 'right', other: left.lookup },
    [other.nodeName],
    false,
    left.stores,
  );
  let store: string | null = null;
  const keySerde = self.keySerde ?? other.keySerde;
  if (materialized !== undefined) {
    store = graph.name('KTABLE-STATE-STORE-', materialized.as);
    addMaterializedStore(graph, store, 'key-value', materialized, keySerde, materialized.value);
  }
  const merge = {
    kind: 'tableJoinMerge',
    joinType,
    joiner,
    left: left.lookup,
    right: right.lookup,
    store,
  } as const;
  graph.addProcessor(mergeName, merge, [thisName, otherName], false, store === null ? [] : [store]);
  return graph.views.table<K, VR>(mergeName, keySerde, materialized?.value, store);
}

/**
 * Dispatches KTable's join methods: `(other, joiner, materialized?, named?)` is a primary-key join,
 * `(other, foreignKeyExtractor, joiner, materialized?, named?)` a foreign-key join (see fk-join.ts).
 *
 * @example
 * ```ts
 * return tableJoin(this, 'left', [other, joiner, materialized]);
 * ```
 * @throws TopologyError as the join it dispatches to.
 */
export function tableJoin<K, V>(
  self: KTable<K, V>,
  joinType: JoinType,
  args: readonly unknown[],
): KTable<K, unknown> {
  type J = ValueJoiner<V, unknown, unknown, K>;
  if (typeof args[2] === 'function') {
    const [other, extractor, joiner, materialized, named] = args as [
      KTable<unknown, unknown>,
      (v: V) => unknown,
      J,
      Materialized<K, unknown>?,
      Named?,
    ];
    return fkJoin(self, other, extractor, joiner, joinType === 'left', materialized, named);
  }
  const [other, joiner, materialized, named] = args as [
    KTable<K, unknown>,
    J,
    Materialized<K, unknown>?,
    Named?,
  ];
  return tableTableJoin(self, other, joiner, joinType, materialized, named);
}
