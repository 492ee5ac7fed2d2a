/**
 * KGroupedStream: a stream grouped by key, ready to aggregate into a KTable. Records with a null key
 * or a null value are skipped (counted as dropped), as in Kafka Streams. Output timestamps are the
 * largest timestamp of the inputs aggregated so far.
 */
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import type { CogroupedKStream } from './cogrouped-kstream.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KTable } from './ktable.js';
import { addAggregation } from './materialize.js';
import type { Named } from './named.js';
import { SessionWindowedKStream } from './session-windowed-kstream.js';
import type { StatefulOp } from './stateful-ops.js';
import type { Materialized } from './store-definitions.js';
import { TimeWindowedKStream } from './time-windowed-kstream.js';
import type { GroupedInput } from './views.js';
import type { SessionWindows } from './windows/session-windows.js';
import type { SlidingWindows } from './windows/sliding-windows.js';
import type { TimeWindows } from './windows/time-windows.js';

/**
 * How a grouping repartitions: `as` names the repartition topic (`<as>-repartition`); serdes for it.
 *
 * @example
 * ```ts
 * stream.groupBy((_, v) => v.page, { as: 'by-page', key: Serdes.string() });
 * ```
 */
export interface Grouped<K, V> extends Named {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
}

/**
 * A grouped stream.
 *
 * @example
 * ```ts
 * const counts: KTable<string, number> = stream.groupByKey().count({ as: 'counts' });
 * ```
 * @throws TopologyError from an aggregation when a serde is missing or a name is taken.
 */
export class KGroupedStream<K, V> {
  /** @internal */
  constructor(
    /** @internal */ readonly graph: GraphBuilder,
    /** @internal */ readonly input: GroupedInput<K, V>,
  ) {}

  private aggregation<VAgg>(
    op: (store: string) => StatefulOp,
    materialized: Materialized<K, VAgg> | undefined,
    aggSerde: Serde<VAgg> | undefined,
    named: Named | undefined,
    processorPrefix = 'KSTREAM-AGGREGATE-',
  ): KTable<K, VAgg> {
    const storePrefix = 'KSTREAM-AGGREGATE-STATE-STORE-';
    return addAggregation(
      this.graph,
      this.input,
      materialized,
      aggSerde,
      storePrefix,
      processorPrefix,
      op,
      named,
    );
  }

  /** The number of records per key. */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    const initializer = () => 0;
    const aggregator = (_k: K, _v: V, n: number) => n + 1;
    return this.aggregation(
      (store) => ({ kind: 'aggregate', store, initializer, aggregator }),
      materialized,
      int64Serde,
      named,
    );
  }

  /** Combines each key's values with `reducer`; the first value is the initial aggregate. */
  reduce(
    reducer: (aggregate: V, value: V) => V,
    materialized?: Materialized<K, V>,
    named?: Named,
  ): KTable<K, V> {
    return this.aggregation(
      (store) => ({ kind: 'reduce', store, reducer }),
      materialized,
      this.input.valueSerde,
      named,
      'KSTREAM-REDUCE-',
    );
  }

  /** Folds each key's values into an aggregate starting from `initializer()`. */
  aggregate<VAgg>(
    initializer: () => VAgg,
    aggregator: (key: K, value: V, aggregate: VAgg) => VAgg,
    materialized?: Materialized<K, VAgg>,
    named?: Named,
  ): KTable<K, VAgg> {
    return this.aggregation(
      (store) => ({ kind: 'aggregate', store, initializer, aggregator }),
      materialized,
      undefined,
      named,
    );
  }

  /**
   * Cuts the grouped stream into time windows (tumbling, hopping or sliding) to aggregate per key
   * and window, or into sessions of activity.
   *
   * @example
   * ```ts
   * grouped.windowedBy(TimeWindows.ofSizeAndGrace('1m', '10s')).count();
   * grouped.windowedBy(SessionWindows.ofInactivityGapWithNoGrace('30m')).count();
   * ```
   */
  windowedBy(windows: TimeWindows | SlidingWindows): TimeWindowedKStream<K, V>;
  windowedBy(windows: SessionWindows): SessionWindowedKStream<K, V>;
  windowedBy(
    windows: TimeWindows | SlidingWindows | SessionWindows,
  ): TimeWindowedKStream<K, V> | SessionWindowedKStream<K, V> {
    if (windows.kind === 'session') return new SessionWindowedKStream(this.graph, this.input, windows);
    return new TimeWindowedKStream(this.graph, this.input, windows);
  }

  /** Starts a cogroup: several grouped streams aggregated into one table, each with its aggregator. */
  cogroup<VAgg>(aggregator: (key: K, value: V, aggregate: VAgg) => VAgg): CogroupedKStream<K, VAgg> {
    return this.graph.views.cogrouped<K, VAgg>({
      grouped: this as KGroupedStream<K, unknown>,
      aggregator: aggregator as (key: K, value: never, agg: VAgg) => VAgg,
    });
  }
}
