/**
 * SessionWindowedKStream: a grouped stream cut into per-key sessions of activity. A record within
 * the inactivity gap of existing sessions (both ends inclusive) merges them into one; the merged
 * sessions are forwarded as deletes of their old windowed keys, then the new session. A session is
 * forwarded with its end as timestamp (its latest record).
 */
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KTable } from './ktable.js';
import type { Named } from './named.js';
import type { Materialized } from './store-definitions.js';
import { type AggregationParts, reduceAsAggregate } from './time-windowed-kstream.js';
import type { GroupedInput } from './views.js';
import { materializeWindowed } from './windowed-materialize.js';
import { EmitStrategy } from './windows/emit-strategy.js';
import type { SessionWindows } from './windows/session-windows.js';
import { type Windowed, WindowedSerdes } from './windows/windowed.js';

type Fn3 = (a: never, b: never, c: never) => unknown;

/**
 * A grouped stream windowed by SessionWindows.
 *
 * @example
 * ```ts
 * stream.groupByKey()
 *   .windowedBy(SessionWindows.ofInactivityGapAndGrace('30m', '1m'))
 *   .count({ as: 'visits' })
 *   .toStream()
 *   .to('visit-counts', { key: WindowedSerdes.sessionWindowed(Serdes.string()), value: Serdes.int64() });
 * ```
 * @throws TopologyError from an aggregation when a serde is missing, a name is taken or an explicit
 * retention is shorter than gap plus grace.
 */
export class SessionWindowedKStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly graph: GraphBuilder,
    /** @internal */ readonly input: GroupedInput<K, V>,
    /** The session definition. */
    readonly windows: SessionWindows,
    /** When results are forwarded. */
    readonly strategy: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  /**
   * The same sessions with an emit strategy: `onWindowClose()` forwards each session's final
   * result once, after stream time passes its end plus grace, and no merge deletes.
   *
   * @example
   * ```ts
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).emitStrategy(EmitStrategy.onWindowClose()).count();
   * ```
   */
  emitStrategy(strategy: EmitStrategy): SessionWindowedKStream<K, V> {
    return new SessionWindowedKStream(this.graph, this.input, this.windows, strategy);
  }

  private aggregation<VAgg>(
    parts: AggregationParts,
    merger: Fn3,
    reduce: boolean,
    materialized: Materialized<K, VAgg> | undefined,
    aggSerde: Serde<VAgg> | undefined,
    named: Named | undefined,
  ): KTable<Windowed<K>, VAgg> {
    const w = this.windows;
    const { store, parent, keySerde } = materializeWindowed(this.graph, this.input, materialized, aggSerde, {
      kind: 'session',
      minRetentionMs: w.gapMs + w.graceMs,
      // A record may bridge to a session up to two gaps before the newest one; keep such sessions.
      slackMs: w.gapMs + 1,
      why: 'inactivity gap + grace',
    });
    const name = this.graph.name(reduce ? 'KSTREAM-REDUCE-' : 'KSTREAM-AGGREGATE-', named?.as);
    this.graph.addProcessor(
      name,
      {
        kind: 'sessionWindowAggregate',
        store,
        initializer: parts.initializer,
        aggregator: parts.aggregator,
        merger,
        graceMs: w.graceMs,
        gapMs: w.gapMs,
        emitOnClose: this.strategy.kind === 'on-window-close',
      },
      [parent],
      false,
      [store],
    );
    const valueSerde = this.graph.stores.get(store)!.valueSerde as Serde<VAgg>;
    return this.graph.views.table<Windowed<K>, VAgg>(
      name,
      WindowedSerdes.sessionWindowed(keySerde),
      valueSerde,
      store,
    );
  }

  /**
   * The number of records per key and session.
   *
   * @example
   * ```ts
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).count();
   * ```
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    const parts = { initializer: () => 0, aggregator: ((_k: K, _v: V, n: number) => n + 1) as Fn3 };
    const merger = ((_k: K, a: number, b: number) => a + b) as Fn3;
    return this.aggregation(parts, merger, false, materialized, int64Serde, named);
  }

  /**
   * Combines each session's values with `reducer`; merging sessions reduces their aggregates.
   *
   * @example
   * ```ts
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m')).reduce((a, b) => a + b);
   * ```
   */
  reduce(
    reducer: (aggregate: V, value: V) => V,
    materialized?: Materialized<K, V>,
    named?: Named,
  ): KTable<Windowed<K>, V> {
    // The merge starts from the null initial aggregate, so it takes the first session as it is.
    const merger = ((_k: K, a: V | null, b: V) => (a === null ? b : reducer(a, b))) as Fn3;
    const parts = reduceAsAggregate(reducer);
    return this.aggregation(parts, merger, true, materialized, this.input.valueSerde, named);
  }

  /**
   * Folds each session's values into an aggregate from `initializer()`; `merger` combines the
   * aggregates of two sessions that a record joins.
   *
   * @example
   * ```ts
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace('5m'))
   *   .aggregate(() => 0, (_k, v, sum) => sum + v, (_k, a, b) => a + b, { value: Serdes.int64() });
   * ```
   */
  aggregate<VAgg>(
    initializer: () => VAgg,
    aggregator: (key: K, value: V, aggregate: VAgg) => VAgg,
    merger: (key: K, aggregate1: VAgg, aggregate2: VAgg) => VAgg,
    materialized?: Materialized<K, VAgg>,
    named?: Named,
  ): KTable<Windowed<K>, VAgg> {
    const parts = { initializer, aggregator: aggregator as Fn3 };
    return this.aggregation(parts, merger as Fn3, false, materialized, undefined, named);
  }
}
