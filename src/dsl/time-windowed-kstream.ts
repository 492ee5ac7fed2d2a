/**
 * TimeWindowedKStream: a grouped stream cut into time windows (tumbling, hopping or sliding),
 * ready to aggregate into a windowed KTable. Each record updates every window that contains it
 * and is still open (its end plus grace is after the aggregation's stream time); a record too late
 * for all of its windows is dropped and counted. Output timestamps are the largest input timestamp
 * of each window.
 */
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KTable } from './ktable.js';
import type { Named } from './named.js';
import type { Materialized } from './store-definitions.js';
import type { GroupedInput } from './views.js';
import type { WindowOp } from './window-ops.js';
import { materializeWindowed, type WindowedStoreShape } from './windowed-materialize.js';
import { EmitStrategy } from './windows/emit-strategy.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';
import { type Windowed, WindowedSerdes } from './windows/windowed.js';

type Fn3 = (a: never, b: never, c: never) => unknown;

/**
 * The shared part of the windowed aggregation ops: what the fluent methods fill in.
 *
 * @example
 * ```ts
 * const parts: AggregationParts = { initializer: () => 0, aggregator: (_k, _v, n: number) => n + 1 };
 * ```
 */
export interface AggregationParts {
  readonly initializer: () => unknown;
  readonly aggregator: Fn3;
}

/**
 * Wraps a reducer as an aggregator whose initial aggregate is null: the first value is taken as it
 * is, as Kafka's reduce does.
 *
 * @example
 * ```ts
 * const { initializer, aggregator } = reduceAsAggregate((a: number, b: number) => a + b);
 * ```
 */
export function reduceAsAggregate<V>(reducer: (aggregate: V, value: V) => V): AggregationParts {
  return {
    initializer: () => null,
    aggregator: ((_k: unknown, v: V, agg: V | null) => (agg === null ? v : reducer(agg, v))) as Fn3,
  };
}

/**
 * A grouped stream windowed by TimeWindows or SlidingWindows.
 *
 * @example
 * ```ts
 * stream.groupByKey()
 *   .windowedBy(TimeWindows.ofSizeAndGrace('1m', '10s'))
 *   .count({ as: 'views-per-minute' })
 *   .toStream()
 *   .to('counts', { key: WindowedSerdes.timeWindowed(Serdes.string(), 60_000), value: Serdes.int64() });
 * ```
 * @throws TopologyError from an aggregation when a serde is missing, a name is taken or an explicit
 * retention is shorter than the windows need.
 */
export class TimeWindowedKStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly graph: GraphBuilder,
    /** @internal */ readonly input: GroupedInput<K, V>,
    /** The window definition. */
    readonly windows: TimeWindows | SlidingWindows,
    /** When results are forwarded. */
    readonly strategy: EmitStrategy = EmitStrategy.onWindowUpdate(),
  ) {}

  /**
   * The same windowed stream with an emit strategy: `onWindowClose()` forwards each window's final
   * result once, after stream time passes its end plus grace (KIP-825).
   *
   * @example
   * ```ts
   * grouped.windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).emitStrategy(EmitStrategy.onWindowClose()).count();
   * ```
   */
  emitStrategy(strategy: EmitStrategy): TimeWindowedKStream<K, V> {
    return new TimeWindowedKStream(this.graph, this.input, this.windows, strategy);
  }

  private aggregation<VAgg>(
    parts: AggregationParts,
    reduce: boolean,
    materialized: Materialized<K, VAgg> | undefined,
    aggSerde: Serde<VAgg> | undefined,
    named: Named | undefined,
  ): KTable<Windowed<K>, VAgg> {
    const w = this.windows;
    const sizeMs = w.kind === 'time' ? w.sizeMs : w.timeDifferenceMs;
    const shape: WindowedStoreShape =
      w.kind === 'time'
        ? {
            kind: 'window',
            windowSizeMs: sizeMs,
            minRetentionMs: sizeMs + w.graceMs,
            why: 'window size + grace',
          }
        : {
            kind: 'window',
            // Window stores need a size of at least 1; the runtime computes sliding ends itself.
            windowSizeMs: Math.max(1, sizeMs),
            minRetentionMs: Math.max(1, 2 * sizeMs + w.graceMs),
            slackMs: 1,
            why: '2 × time difference + grace: a record reads windows up to two time differences back',
          };
    const { store, parent, keySerde } = materializeWindowed(
      this.graph,
      this.input,
      materialized,
      aggSerde,
      shape,
    );
    const common = {
      store,
      initializer: parts.initializer,
      aggregator: parts.aggregator,
      graceMs: w.graceMs,
      emitOnClose: this.strategy.kind === 'on-window-close',
    };
    const op: WindowOp =
      w.kind === 'time'
        ? { kind: 'timeWindowAggregate', ...common, sizeMs: w.sizeMs, advanceMs: w.advanceMs }
        : { kind: 'slidingWindowAggregate', ...common, timeDifferenceMs: w.timeDifferenceMs };
    const name = this.graph.name(reduce ? 'KSTREAM-REDUCE-' : 'KSTREAM-AGGREGATE-', named?.as);
    this.graph.addProcessor(name, op, [parent], false, [store]);
    const valueSerde = this.graph.stores.get(store)!.valueSerde as Serde<VAgg>;
    return this.graph.views.table<Windowed<K>, VAgg>(
      name,
      WindowedSerdes.timeWindowed(keySerde, sizeMs),
      valueSerde,
      store,
    );
  }

  /**
   * The number of records per key and window.
   *
   * @example
   * ```ts
   * grouped.windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).count({ as: 'per-minute' });
   * ```
   */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<Windowed<K>, number> {
    const parts = { initializer: () => 0, aggregator: ((_k: K, _v: V, n: number) => n + 1) as Fn3 };
    return this.aggregation(parts, false, materialized, int64Serde, named);
  }

  /**
   * Combines each key's values per window with `reducer`; a window's first value is its initial
   * aggregate.
   *
   * @example
   * ```ts
   * grouped.windowedBy(TimeWindows.ofSizeWithNoGrace('1m')).reduce((a, b) => a + b);
   * ```
   */
  reduce(
    reducer: (aggregate: V, value: V) => V,
    materialized?: Materialized<K, V>,
    named?: Named,
  ): KTable<Windowed<K>, V> {
    return this.aggregation(reduceAsAggregate(reducer), true, materialized, this.input.valueSerde, named);
  }

  /**
   * Folds each key's values per window into an aggregate starting from `initializer()`.
   *
   * @example
   * ```ts
   * grouped.windowedBy(SlidingWindows.ofTimeDifferenceWithNoGrace('10s'))
   *   .aggregate(() => 0, (_k, v, sum) => sum + v, { value: Serdes.int64() });
   * ```
   */
  aggregate<VAgg>(
    initializer: () => VAgg,
    aggregator: (key: K, value: V, aggregate: VAgg) => VAgg,
    materialized?: Materialized<K, VAgg>,
    named?: Named,
  ): KTable<Windowed<K>, VAgg> {
    const parts = { initializer, aggregator: aggregator as Fn3 };
    return this.aggregation(parts, false, materialized, undefined, named);
  }
}
