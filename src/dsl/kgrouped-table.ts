/**
 * KGroupedTable: a table regrouped by a new key, for re-aggregation. Each update of the source table
 * arrives as a subtraction of the old value (at its old group) and an addition of the new one (at
 * its new group); when both fall in one group they arrive together and the subtractor runs first,
 * so the aggregate never shows the intermediate state (Kafka's KIP-904).
 */
import { int64Serde } from '../serdes/number-serdes.js';
import type { Serde } from '../serdes/serde.js';
import { changeSerde } from './change.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KTable } from './ktable.js';
import { addAggregation } from './materialize.js';
import type { Named } from './named.js';
import type { StatefulOp } from './stateful-ops.js';
import type { Materialized } from './store-definitions.js';
import type { GroupedInput } from './views.js';

/**
 * A regrouped table.
 *
 * @example
 * ```ts
 * const usersPerRegion = users.groupBy((id, u) => keyValue(u.region, u)).count({ as: 'users-per-region' });
 * ```
 * @throws TopologyError from an aggregation when a serde is missing or a name is taken.
 */
export class KGroupedTable<K, V> {
  /** @internal */
  constructor(
    private readonly graph: GraphBuilder,
    private readonly input: GroupedInput<K, V>,
  ) {}

  private aggregation<VAgg>(
    op: (store: string) => StatefulOp,
    materialized: Materialized<K, VAgg> | undefined,
    aggSerde: Serde<VAgg> | undefined,
    named: Named | undefined,
  ): KTable<K, VAgg> {
    // Changes cross the repartition topic with both halves in one record.
    const valueSerde = this.graph.serde(
      'value',
      this.input.valueSerde,
      'The repartition topic of a KTable.groupBy',
    );
    const input = { ...this.input, valueSerde: changeSerde(valueSerde) };
    const prefix = op('').kind === 'tableReduce' ? 'KTABLE-REDUCE-' : 'KTABLE-AGGREGATE-';
    return addAggregation(
      this.graph,
      input,
      materialized,
      aggSerde,
      'KTABLE-AGGREGATE-STATE-STORE-',
      prefix,
      op,
      named,
    );
  }

  /** The number of source rows per group. */
  count(materialized?: Materialized<K, number>, named?: Named): KTable<K, number> {
    const initializer = () => 0;
    const adder = (_k: K, _v: V, n: number) => n + 1;
    const subtractor = (_k: K, _v: V, n: number) => n - 1;
    return this.aggregation(
      (store) => ({ kind: 'tableAggregate', store, initializer, adder, subtractor }),
      materialized,
      int64Serde,
      named,
    );
  }

  /** Combines values with `adder` and removes replaced ones with `subtractor`. */
  reduce(
    adder: (aggregate: V, value: V) => V,
    subtractor: (aggregate: V, value: V) => V,
    materialized?: Materialized<K, V>,
    named?: Named,
  ): KTable<K, V> {
    return this.aggregation(
      (store) => ({ kind: 'tableReduce', store, adder, subtractor }),
      materialized,
      this.input.valueSerde,
      named,
    );
  }

  /** Folds values into an aggregate from `initializer()`, subtracting replaced ones. */
  aggregate<VAgg>(
    initializer: () => VAgg,
    adder: (key: K, value: V, aggregate: VAgg) => VAgg,
    subtractor: (key: K, value: V, aggregate: VAgg) => VAgg,
    materialized?: Materialized<K, VAgg>,
    named?: Named,
  ): KTable<K, VAgg> {
    return this.aggregation(
      (store) => ({ kind: 'tableAggregate', store, initializer, adder, subtractor }),
      materialized,
      undefined,
      named,
    );
  }
}
