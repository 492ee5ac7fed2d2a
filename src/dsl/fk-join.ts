/**
 * Foreign-key table-table joins (KIP-213): the left table's rows join the right table's row whose
 * key their foreign key names, across partitions. The left side subscribes each row to its foreign
 * key through a registration topic keyed by foreign key; the right side keeps subscriptions in a
 * store (prefix-scannable by foreign key) and answers, through a response topic keyed by primary
 * key, with the right value and the hash of the left value the subscription carried; the left side
 * joins an answer only while that hash still matches its current value, so stale answers vanish.
 */
import type { Serde } from '../serdes/serde.js';
import { addCopartitionGroup } from './copartition.js';
import { fkJoinSerdes } from './join-serdes.js';
import type { KTable } from './ktable.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import type { Materialized } from './store-definitions.js';
import type { ValueJoiner } from './stream-joins.js';
import { tableLookup } from './table-lookup.js';

/**
 * Adds a foreign-key join of `self` (left, by primary key) with `other` (right, by foreign key).
 * Names derive from `named.as` or a generated `KTABLE-FK-JOIN-…` base: topics
 * `<base>-subscription-registration-topic` and `<base>-subscription-response-topic`, store
 * `<base>-subscription-store`. The result keeps a store only when `materialized` is given (without
 * one, updates carry no old value and an inner join's lost match emits a delete every time).
 *
 * @example
 * ```ts
 * const withCustomer = fkJoin(orders, customers, (o) => o.customerId, (o, c) => ({ ...o, c }), false);
 * ```
 * @throws TopologyError when a serde is missing or a name is taken.
 */
export function fkJoin<K, V, KO, VO, VR>(
  self: KTable<K, V>,
  other: KTable<KO, VO>,
  foreignKeyExtractor: (value: V) => KO,
  joiner: ValueJoiner<V, VO, VR, K>,
  leftJoin: boolean,
  materialized?: Materialized<K, VR>,
  named?: Named,
): KTable<K, VR> {
  const graph = self.graph;
  const base = named?.as ?? graph.name('KTABLE-FK-JOIN-', undefined);
  const where = `The foreign-key join '${base}'`;
  const pk = graph.serde('key', self.keySerde, `${where} (left table key)`) as Serde<unknown>;
  const fk = graph.serde('key', other.keySerde, `${where} (right table key)`) as Serde<unknown>;
  const leftValue = graph.serde('value', self.valueSerde, `${where} (left table value)`) as Serde<unknown>;
  const rightValue = graph.serde('value', other.valueSerde, `${where} (right table value)`) as Serde<unknown>;
  const s = fkJoinSerdes(pk, fk, rightValue);
  const registration = `${base}-subscription-registration-topic`;
  const response = `${base}-subscription-response-topic`;
  graph.addInternalTopic({ name: registration, purpose: 'repartition' });
  graph.addInternalTopic({ name: response, purpose: 'repartition' });
  const n = (suffix: string) => `${base}-${suffix}`;

  // Left side: subscribe (and answer directly what needs no right value).
  const send = n('subscription-send');
  const registrationSink = n('subscription-registration-sink');
  const directSink = n('subscription-response-direct-sink');
  graph.addProcessor(
    send,
    {
      kind: 'fkSubscriptionSend',
      extractor: foreignKeyExtractor,
      valueSerde: leftValue,
      registrationSink,
      responseSink: directSink,
    },
    [self.nodeName],
  );
  graph.addSink({
    name: registrationSink,
    topic: registration,
    keySerde: fk,
    valueSerde: s.subscription,
    parents: [send],
  });
  // A separate sink keeps the left side's sub-topology apart from the right side's.
  graph.addSink({ name: directSink, topic: response, keySerde: pk, valueSerde: s.response, parents: [send] });

  // Right side: keep subscriptions, answer them, re-answer on right changes.
  const store = n('subscription-store');
  graph.addStore(
    Object.freeze({
      name: store,
      kind: 'key-value',
      keySerde: s.subscriptionKey,
      valueSerde: s.hash,
      timestamped: true,
      persistent: true,
      changelog: true,
      caching: false,
    }),
  );
  const registrationSource = n('subscription-registration-source');
  const source = { timestampExtractor: { kind: 'record' }, internal: true } as const;
  graph.addSource({
    name: registrationSource,
    topics: [registration],
    keySerde: fk,
    valueSerde: s.subscription,
    ...source,
  });
  const right = tableLookup(graph, other.nodeName, other.queryableStoreName);
  const receive = n('subscription-receive');
  graph.addProcessor(
    receive,
    { kind: 'fkSubscriptionReceive', store, right: right.lookup },
    [registrationSource],
    false,
    [store, ...right.stores],
  );
  const foreignUpdate = n('foreign-table-update');
  graph.addProcessor(
    foreignUpdate,
    { kind: 'fkForeignUpdate', store, foreignKeySerde: fk },
    [other.nodeName],
    false,
    [store],
  );
  graph.addSink({
    name: n('subscription-response-sink'),
    topic: response,
    keySerde: pk,
    valueSerde: s.response,
    parents: [receive, foreignUpdate],
  });

  // Left side again: resolve answers against the current left value.
  const responseSource = n('subscription-response-source');
  graph.addSource({
    name: responseSource,
    topics: [response],
    keySerde: pk,
    valueSerde: s.response,
    ...source,
  });
  const left = tableLookup(graph, self.nodeName, self.queryableStoreName);
  let resultStore: string | null = null;
  if (materialized !== undefined) {
    resultStore = graph.name('KTABLE-FK-JOIN-OUTPUT-STATE-STORE-', materialized.as);
    addMaterializedStore(graph, resultStore, 'key-value', materialized, self.keySerde, materialized.value);
  }
  const resolve = n('result');
  graph.addProcessor(
    resolve,
    {
      kind: 'fkResponseResolve',
      leftJoin,
      joiner,
      left: left.lookup,
      valueSerde: leftValue,
      store: resultStore,
    },
    [responseSource],
    false,
    resultStore === null ? left.stores : [resultStore, ...left.stores],
  );
  addCopartitionGroup(graph, [registrationSource, other.nodeName]);
  addCopartitionGroup(graph, [responseSource, self.nodeName]);
  return graph.views.table<K, VR>(resolve, self.keySerde, materialized?.value, resultStore);
}
