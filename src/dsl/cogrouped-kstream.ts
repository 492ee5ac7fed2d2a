/**
 * CogroupedKStream: several grouped streams folded into one table, each input with its own
 * aggregator over one shared aggregate per key (Kafka's KIP-150). Each input gets an aggregation
 * processor on the shared store; a merge node joins their changes into the table.
 */
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import type { KGroupedStream } from './kgrouped-stream.js';
import type { KTable } from './ktable.js';
import { addMaterializedStore } from './materialize.js';
import type { Named } from './named.js';
import { addRepartition } from './repartition.js';
import type { Materialized } from './store-definitions.js';

interface CogroupInput<K, VAgg> {
  readonly grouped: KGroupedStream<K, unknown>;
  readonly aggregator: (key: K, value: never, agg: VAgg) => VAgg;
}

/**
 * Grouped streams being cogrouped. Start one with `KGroupedStream.cogroup`.
 *
 * @example
 * ```ts
 * const totals = clicks.groupByKey().cogroup<number>((_, c, agg) => agg + 1)
 *   .cogroup(purchases.groupByKey(), (_, p, agg) => agg + p.amount)
 *   .aggregate(() => 0, { as: 'activity', value: Serdes.double() });
 * ```
 * @throws TopologyError from `cogroup` when a stream is added twice; from `aggregate` when a serde is missing.
 */
export class CogroupedKStream<K, VAgg> {
  private readonly inputs: CogroupInput<K, VAgg>[];

  /** @internal */
  constructor(
    private readonly graph: GraphBuilder,
    first: CogroupInput<K, VAgg>,
  ) {
    this.inputs = [first];
  }

  /** Adds another grouped stream with its aggregator. */
  cogroup<V>(grouped: KGroupedStream<K, V>, aggregator: (key: K, value: V, aggregate: VAgg) => VAgg): this {
    if (this.inputs.some((i) => i.grouped === (grouped as KGroupedStream<K, unknown>))) {
      throw new TopologyError('This grouped stream is already part of the cogroup; add each stream once.');
    }
    this.inputs.push({
      grouped: grouped as KGroupedStream<K, unknown>,
      aggregator: aggregator as (key: K, value: never, agg: VAgg) => VAgg,
    });
    return this;
  }

  /** Folds every input into one aggregate per key, starting from `initializer()`. */
  aggregate(initializer: () => VAgg, materialized?: Materialized<K, VAgg>, named?: Named): KTable<K, VAgg> {
    const g = this.graph;
    const store = g.name('COGROUPKSTREAM-AGGREGATE-STATE-STORE-', materialized?.as);
    const keySerde = this.inputs.map((i) => i.grouped.input.keySerde).find((s) => s !== undefined);
    const def = addMaterializedStore(g, store, 'key-value', materialized, keySerde, undefined);
    const aggregators = this.inputs.map(({ grouped, aggregator }, index) => {
      const input = grouped.input;
      let parent = input.node;
      if (input.repartitionRequired) {
        const where = `The repartition topic of cogroup input ${index} before store '${store}'`;
        parent = addRepartition(
          g,
          input.node,
          input.repartitionName ?? `${store}-${index}`,
          g.serde('key', input.keySerde ?? (def.keySerde as Serde<K>), where),
          g.serde('value', input.valueSerde, where),
        );
      }
      const name = g.name(
        'COGROUPKSTREAM-AGGREGATE-',
        named?.as === undefined ? undefined : `${named.as}-cogroup-agg-${index}`,
      );
      g.addProcessor(name, { kind: 'aggregate', store, initializer, aggregator }, [parent], false, [store]);
      return name;
    });
    const merge = g.name(
      'COGROUPKSTREAM-MERGE-',
      named?.as === undefined ? undefined : `${named.as}-cogroup-merge`,
    );
    g.addProcessor(merge, { kind: 'merge' }, aggregators);
    return g.views.table<K, VAgg>(merge, def.keySerde as never, def.valueSerde as never, store);
  }
}
