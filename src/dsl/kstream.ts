/**
 * KStream: a typed, fluent view of one node of the graph under construction. Every operator adds a
 * node (plain data) and returns a new KStream; nothing runs here. Serdes are inherited down the
 * chain while the key or value type is unchanged, as in Kafka Streams.
 */
import type { OperatorFunction } from 'rxjs';
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import { BranchedKStream } from './branched-kstream.js';
import type { GraphBuilder } from './graph-builder.js';
import type { Named } from './named.js';
import type { KeyValue, StreamRecord } from './stream-record.js';
import { assertNoTimeBasedOperators } from './time-based-operator-guard.js';
import type { BranchDef, ProcessorOp, TopicExtractor } from './topology-nodes.js';

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
    private readonly graph: GraphBuilder,
    /** The name of the node this stream reads from. */
    readonly nodeName: string,
    private readonly keySerde: Serde<K> | undefined,
    private readonly valueSerde: Serde<V> | undefined,
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
    return new KStream<K2, V2>(this.graph, name, keySerde, valueSerde);
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
    return new KStream<K, V>(this.graph, name, this.keySerde, this.valueSerde);
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
    return new KStream<K, V>(this.graph, nodeName, this.keySerde, this.valueSerde);
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
    return new KStream(this.graph, name, undefined, undefined);
  }

  /**
   * Writes the stream to a topic, or to the topic `extractor` picks per record.
   *
   * @throws TopologyError when a serde is neither given nor inherited.
   */
  to(topic: string | TopicExtractor<K, V>, produced?: Produced<K, V>): void {
    const name = this.graph.name('KSTREAM-SINK-', produced?.as);
    const keySerde = produced?.key ?? this.keySerde;
    const valueSerde = produced?.value ?? this.valueSerde;
    const where = typeof topic === 'string' ? `topic '${topic}'` : 'a topic extractor';
    for (const [what, serde] of [
      ['key', keySerde],
      ['value', valueSerde],
    ] as const) {
      if (serde === undefined) {
        throw new TopologyError(
          `Sink '${name}' writing to ${where} has no ${what} serde: an operator upstream changed the ${what} type. Pass to(topic, { ${what}: Serdes… }).`,
        );
      }
    }
    this.graph.addSink({
      name,
      topic: topic as string | TopicExtractor<never, never>,
      keySerde: keySerde as Serde<unknown>,
      valueSerde: valueSerde as Serde<unknown>,
      parents: [this.nodeName],
    });
  }
}
