/**
 * KStream: a typed, fluent view of one node of the graph under construction. Every operator adds a
 * node (plain data) and returns a new KStream; nothing runs here. Serdes are inherited down the
 * chain while the key or value type is unchanged, as in Kafka Streams.
 */
import type { OperatorFunction } from 'rxjs';
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import { BranchedKStream } from './branched-kstream.js';
import type { GlobalKTable } from './global-ktable.js';
import type { GraphBuilder } from './graph-builder.js';
import type { Grouped, KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import type { ProcessorSupplier } from './processor-api.js';
import { addRepartition } from './repartition.js';
import type { Materialized } from './store-definitions.js';
import { type Joined, type StreamJoined, streamJoin, type ValueJoiner } from './stream-joins.js';
import type { KeyValue, StreamRecord } from './stream-record.js';
import { assertNoTimeBasedOperators } from './time-based-operator-guard.js';
import type { BranchDef, ProcessorOp, TopicExtractor } from './topology-nodes.js';
import type { JoinWindows } from './windows/join-windows.js';

/**
 * Serdes for writing a stream; each defaults to the one inherited from upstream.
 *
 * @example
 * ```ts
 * stream.to('totals', { key: Serdes.string(), value: Serdes.double(), as: 'totals-sink' });
 * ```
 */
export interface Produced<K, V> extends Named {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
}

type Op<K, V, K2, V2> = OperatorFunction<StreamRecord<K, V>, StreamRecord<K2, V2>>;

/**
 * A record stream. Build one with `StreamsBuilder.stream`.
 *
 * @example
 * ```ts
 * builder.stream('in', { key: Serdes.string(), value: Serdes.json<Order>() })
 *   .filter((_, o) => o.total > 0)
 *   .mapValues((o) => o.total)
 *   .to('totals', { value: Serdes.double() });
 * ```
 * @throws TopologyError from an operator whose `{ as }` name is already taken.
 */
export class KStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly graph: GraphBuilder,
    /** The name of the node this stream reads from. */
    readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K> | undefined,
    /** @internal */ readonly valueSerde: Serde<V> | undefined,
    /** @internal True when an operator upstream may have changed the key since the last partitioning. */
    readonly repartitionRequired = false,
  ) {}

  private add<K2, V2>(
    prefix: string,
    op: ProcessorOp,
    named: Named | undefined,
    keySerde: Serde<K2> | undefined,
    valueSerde: Serde<V2> | undefined,
    keyChanging = false,
  ): KStream<K2, V2> {
    const name = this.graph.name(prefix, named?.as);
    this.graph.addProcessor(name, op, [this.nodeName], keyChanging);
    return new KStream<K2, V2>(
      this.graph,
      name,
      keySerde,
      valueSerde,
      keyChanging || this.repartitionRequired,
    );
  }

  /** Keeps the records for which `predicate` is true (called with nulls too). */
  filter(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const op = { kind: 'filter', predicate, negate: false } as const;
    return this.add('KSTREAM-FILTER-', op, named, this.keySerde, this.valueSerde);
  }

  /** Drops the records for which `predicate` is true. */
  filterNot(predicate: (key: K, value: V) => boolean, named?: Named): KStream<K, V> {
    const op = { kind: 'filter', predicate, negate: true } as const;
    return this.add('KSTREAM-FILTER-', op, named, this.keySerde, this.valueSerde);
  }

  /** A new key and value per record; the key may change, so serdes are not inherited. */
  map<K2, V2>(mapper: (key: K, value: V) => KeyValue<K2, V2>, named?: Named): KStream<K2, V2> {
    return this.add<K2, V2>('KSTREAM-MAP-', { kind: 'map', mapper }, named, undefined, undefined, true);
  }

  /** A new value per record; the mapper also sees the key, read-only. Keeps the key serde. */
  mapValues<V2>(mapper: (value: V, readOnlyKey: K) => V2, named?: Named): KStream<K, V2> {
    return this.add<K, V2>(
      'KSTREAM-MAPVALUES-',
      { kind: 'mapValues', mapper },
      named,
      this.keySerde,
      undefined,
    );
  }

  /** Zero or more key-value pairs per record, each with the input's timestamp and headers. */
  flatMap<K2, V2>(mapper: (key: K, value: V) => Iterable<KeyValue<K2, V2>>, named?: Named): KStream<K2, V2> {
    return this.add<K2, V2>(
      'KSTREAM-FLATMAP-',
      { kind: 'flatMap', mapper },
      named,
      undefined,
      undefined,
      true,
    );
  }

  /** Zero or more values per record, keeping the key. */
  flatMapValues<V2>(mapper: (value: V, readOnlyKey: K) => Iterable<V2>, named?: Named): KStream<K, V2> {
    const op = { kind: 'flatMapValues', mapper } as const;
    return this.add<K, V2>('KSTREAM-FLATMAPVALUES-', op, named, this.keySerde, undefined);
  }

  /** A new key per record (null allowed); the value is unchanged. */
  selectKey<K2>(mapper: (key: K, value: V) => K2, named?: Named): KStream<K2, V> {
    const op = { kind: 'selectKey', mapper } as const;
    return this.add<K2, V>('KSTREAM-KEY-SELECT-', op, named, undefined, this.valueSerde, true);
  }

  /** Calls `action` per record and passes the record on unchanged. */
  peek(action: (key: K, value: V) => void, named?: Named): KStream<K, V> {
    return this.add('KSTREAM-PEEK-', { kind: 'peek', action }, named, this.keySerde, this.valueSerde);
  }

  /** Calls `action` per record; terminal. */
  foreach(action: (key: K, value: V) => void, named?: Named): void {
    this.add('KSTREAM-FOREACH-', { kind: 'foreach', action }, named, undefined, undefined);
  }

  /** The records of both streams, in the order they arrive. */
  merge(other: KStream<K, V>, named?: Named): KStream<K, V> {
    const name = this.graph.name('KSTREAM-MERGE-', named?.as);
    this.graph.addProcessor(name, { kind: 'merge' }, [this.nodeName, other.nodeName]);
    const repartition = this.repartitionRequired || other.repartitionRequired;
    return new KStream<K, V>(this.graph, name, this.keySerde, this.valueSerde, repartition);
  }

  /** Splits the stream by predicates into named branches; see BranchedKStream. */
  split(named?: Named): BranchedKStream<K, V, KStream<K, V>> {
    const name = this.graph.name('KSTREAM-BRANCH-', named?.as);
    const branches: BranchDef[] = [];
    this.graph.addProcessor(name, { kind: 'branch', branches }, [this.nodeName]);
    return new BranchedKStream<K, V, KStream<K, V>>(this.graph, name, named?.as ?? name, branches, (n) =>
      this.child(n),
    );
  }

  private child(nodeName: string): KStream<K, V> {
    return new KStream<K, V>(this.graph, nodeName, this.keySerde, this.valueSerde, this.repartitionRequired);
  }

  /**
   * Runs synchronous RxJS operators over records. Time-based operators are refused: to detect
   * them, each operator is run once, alone, at build time on a probe record whose key and value are
   * null (see time-based-operator-guard.ts), so a side-effecting function may see that record.
   *
   * @example
   * ```ts
   * stream.pipe(filter((r) => r.value !== null), map((r) => ({ ...r, value: r.value.length })));
   * ```
   *
   * @throws TopologyError when an operator schedules time-based work (delay, debounceTime, …).
   */
  // Longest first, so a call's later operators are typed from the earlier ones.
  pipe<K2, V2, K3, V3, K4, V4, K5, V5>(
    op1: Op<K, V, K2, V2>,
    op2: Op<K2, V2, K3, V3>,
    op3: Op<K3, V3, K4, V4>,
    op4: Op<K4, V4, K5, V5>,
    named?: Named,
  ): KStream<K5, V5>;
  pipe<K2, V2, K3, V3, K4, V4>(
    op1: Op<K, V, K2, V2>,
    op2: Op<K2, V2, K3, V3>,
    op3: Op<K3, V3, K4, V4>,
    named?: Named,
  ): KStream<K4, V4>;
  pipe<K2, V2, K3, V3>(op1: Op<K, V, K2, V2>, op2: Op<K2, V2, K3, V3>, named?: Named): KStream<K3, V3>;
  pipe<K2, V2>(op1: Op<K, V, K2, V2>, named?: Named): KStream<K2, V2>;
  // biome-ignore lint/suspicious/noExplicitAny: the overloads above carry the types; this joins them.
  pipe(...args: unknown[]): KStream<any, any> {
    const last = args[args.length - 1];
    const named = typeof last === 'object' && last !== null ? (last as Named) : undefined;
    const operators = (named === undefined ? args : args.slice(0, -1)) as ((source: never) => unknown)[];
    if (operators.length === 0) throw new TopologyError('pipe(...) needs at least one RxJS operator.');
    const name = this.graph.name('KSTREAM-PIPE-', named?.as);
    assertNoTimeBasedOperators(name, operators);
    this.graph.addProcessor(name, { kind: 'pipe', operators }, [this.nodeName], true);
    return new KStream(this.graph, name, undefined, undefined, true);
  }

  /**
   * Runs a user Processor per record (Processor API). It may forward any keys and values, so the
   * result has no serdes and a later grouping repartitions.
   *
   * @throws TopologyError when a named store does not exist.
   */
  process<KOut, VOut>(
    supplier: ProcessorSupplier<K, V, KOut, VOut>,
    options?: Named & { readonly stores?: readonly string[] },
  ): KStream<KOut, VOut> {
    const name = this.graph.name('KSTREAM-PROCESSOR-', options?.as);
    const op = {
      kind: 'process',
      supplier: supplier as ProcessorSupplier<never, never, unknown, unknown>,
      fixedKey: false,
    } as const;
    this.graph.addProcessor(name, op, [this.nodeName], true, options?.stores ?? []);
    return new KStream<KOut, VOut>(this.graph, name, undefined, undefined, true);
  }

  /**
   * As `process`, but every forwarded record keeps the input record's key (Kafka's processValues),
   * so no repartition follows.
   *
   * @throws TopologyError when a named store does not exist.
   */
  processValues<VOut>(
    supplier: ProcessorSupplier<K, V, K, VOut>,
    options?: Named & { readonly stores?: readonly string[] },
  ): KStream<K, VOut> {
    const name = this.graph.name('KSTREAM-PROCESSVALUES-', options?.as);
    const op = {
      kind: 'process',
      supplier: supplier as ProcessorSupplier<never, never, unknown, unknown>,
      fixedKey: true,
    } as const;
    this.graph.addProcessor(name, op, [this.nodeName], false, options?.stores ?? []);
    return new KStream<K, VOut>(this.graph, name, this.keySerde, undefined, this.repartitionRequired);
  }

  /** Groups by the current key (repartitioning first when an upstream operator changed keys). */
  groupByKey(grouped?: Grouped<K, V>): KGroupedStream<K, V> {
    return this.graph.views.groupedStream<K, V>({
      node: this.nodeName,
      keySerde: grouped?.key ?? this.keySerde,
      valueSerde: grouped?.value ?? this.valueSerde,
      repartitionRequired: this.repartitionRequired,
      repartitionName: grouped?.as,
    });
  }

  /** Groups by a new key per record; always repartitions. */
  groupBy<K2>(selector: (key: K, value: V) => K2, grouped?: Grouped<K2, V>): KGroupedStream<K2, V> {
    const name = this.graph.name('KSTREAM-KEY-SELECT-', undefined);
    this.graph.addProcessor(name, { kind: 'selectKey', mapper: selector }, [this.nodeName], true);
    return this.graph.views.groupedStream<K2, V>({
      node: name,
      keySerde: grouped?.key,
      valueSerde: grouped?.value ?? this.valueSerde,
      repartitionRequired: true,
      repartitionName: grouped?.as,
    });
  }

  /**
   * Sends the stream through a repartition topic `<as>-repartition` (partitioned by the current key),
   * optionally with a fixed partition count.
   *
   * @throws TopologyError when a serde is missing or the name is taken.
   */
  repartition(options?: Named & Produced<K, V> & { readonly partitions?: number }): KStream<K, V> {
    const base = options?.as ?? this.graph.name('KSTREAM-REPARTITION-', undefined);
    const where = `The repartition topic '${base}-repartition'`;
    const keySerde = this.graph.serde('key', options?.key ?? this.keySerde, where);
    const valueSerde = this.graph.serde('value', options?.value ?? this.valueSerde, where);
    const source = addRepartition(
      this.graph,
      this.nodeName,
      base,
      keySerde as Serde<unknown>,
      valueSerde as Serde<unknown>,
      options?.partitions,
    );
    return new KStream<K, V>(this.graph, source, keySerde, valueSerde, false);
  }

  /**
   * Joins (see stream-joins.ts): with a stream inside `windows` (output time: the later record's),
   * with a table's current value by key, or with a global table by `keySelector`'s key.
   *
   * @example
   * ```ts
   * clicks.join(views, (c, v) => `${c}/${v}`, JoinWindows.ofTimeDifferenceWithNoGrace('1m'));
   * ```
   * @throws TopologyError when a serde is missing or a name is taken.
   */
  join<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO, VR, K>,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  join<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT, VR, K>,
    joined?: Joined<K, V>,
  ): KStream<K, VR>;
  join<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: ValueJoiner<V, VG, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  join(...args: unknown[]): KStream<K, unknown> {
    return streamJoin(this, 'inner', args);
  }

  /** As join, but every record of this stream yields a result: with null when nothing matches (after the window closes for streams). */
  leftJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V, VO | null, VR, K>,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR>;
  leftJoin<VT, VR>(
    table: KTable<K, VT>,
    joiner: ValueJoiner<V, VT | null, VR, K>,
    joined?: Joined<K, V>,
  ): KStream<K, VR>;
  leftJoin<KG, VG, VR>(
    table: GlobalKTable<KG, VG>,
    keySelector: (key: K, value: V) => KG,
    joiner: ValueJoiner<V, VG | null, VR, K>,
    named?: Named,
  ): KStream<K, VR>;
  leftJoin(...args: unknown[]): KStream<K, unknown> {
    return streamJoin(this, 'left', args);
  }

  /** A windowed join where unmatched records of either stream yield a result with null for the other side. */
  outerJoin<VO, VR>(
    other: KStream<K, VO>,
    joiner: ValueJoiner<V | null, VO | null, VR, K>,
    windows: JoinWindows,
    options?: StreamJoined<K, V, VO>,
  ): KStream<K, VR> {
    return streamJoin(this, 'outer', [other, joiner, windows, options]) as KStream<K, VR>;
  }

  /** The stream as a table: each record upserts its key (a null value deletes it). */
  toTable(materialized?: Materialized<K, V>, named?: Named): KTable<K, V> {
    let parent = this.nodeName;
    const store = this.graph.name('KSTREAM-TOTABLE-STATE-STORE-', materialized?.as);
    if (this.repartitionRequired) {
      const where = `The repartition topic before store '${store}'`;
      parent = addRepartition(
        this.graph,
        parent,
        store,
        this.graph.serde('key', materialized?.key ?? this.keySerde, where) as Serde<unknown>,
        this.graph.serde('value', materialized?.value ?? this.valueSerde, where) as Serde<unknown>,
      );
    }
    const def = addMaterializedStore(
      this.graph,
      store,
      'key-value',
      materialized,
      this.keySerde,
      this.valueSerde,
    );
    const name = this.graph.name('KSTREAM-TOTABLE-', named?.as);
    this.graph.addProcessor(name, { kind: 'streamToTable', store }, [parent], false, [store]);
    return this.graph.views.table<K, V>(name, def.keySerde as Serde<K>, def.valueSerde as Serde<V>, store);
  }

  /**
   * Writes the stream to a topic, or to the topic `extractor` picks per record.
   *
   * @throws TopologyError when a serde is neither given nor inherited.
   */
  to(topic: string | TopicExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = this.graph.name('KSTREAM-SINK-', produced?.as);
    const where = `Sink '${name}' writing to ${typeof topic === 'string' ? `topic '${topic}'` : 'a topic extractor'}`;
    const keySerde = this.graph.serde('key', produced?.key ?? this.keySerde, where);
    const valueSerde = this.graph.serde('value', produced?.value ?? this.valueSerde, where);
    this.graph.addSink({
      name,
      topic: topic as string | TopicExtractor<never, never>,
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      parents: [this.nodeName],
    });
  }
}
