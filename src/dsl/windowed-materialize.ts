/**
 * The stores of windowed aggregations: a timestamped window store for time and sliding windows, a
 * session store for sessions. Retention defaults to the least that keeps every window until it
 * closes; a smaller explicit retention would silently lose windows that still accept records, so
 * it is refused. Repartitioning is as for unwindowed aggregations (materialize.ts).
 */
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { GraphBuilder } from './graph-builder.js';
import { type MaterializedAggregation, repartitionIfRequired } from './materialize.js';
import type { Materialized, StoreDefinition } from './store-definitions.js';
import type { GroupedInput } from './views.js';

/**
 * The store's shape: window size (window stores) and the least retention the windows need.
 *
 * @example
 * ```ts
 * const shape: WindowedStoreShape = { kind: 'window', windowSizeMs: 60_000, minRetentionMs: 70_000, why: 'size + grace' };
 * ```
 */
export interface WindowedStoreShape {
  readonly kind: 'window' | 'session';
  readonly windowSizeMs?: number;
  readonly minRetentionMs: number;
  /**
   * Added to the retention the store is built with (not to the least accepted): windows whose end
   * is inclusive stay open one millisecond past end + grace, and must still be in the store then.
   */
  readonly slackMs?: number;
  /** How minRetentionMs is made up, for the error message. */
  readonly why: string;
}

/**
 * Names the store (Kafka's `KSTREAM-AGGREGATE-STATE-STORE-` prefix unless `materialized.as`),
 * inserts a repartition when the input needs one, and adds the store.
 *
 * @example
 * ```ts
 * const { store, parent, keySerde } = materializeWindowed(graph, input, materialized, Serdes.int64(), shape);
 * ```
 * @throws TopologyError when the explicit retention is below the least, a serde is missing, or a
 * name is taken.
 */
export function materializeWindowed<K, V, VAgg>(
  graph: GraphBuilder,
  input: GroupedInput<K, V>,
  materialized: Materialized<K, VAgg> | undefined,
  aggSerde: Serde<VAgg> | undefined,
  shape: WindowedStoreShape,
): MaterializedAggregation<K> {
  const store = graph.name('KSTREAM-AGGREGATE-STATE-STORE-', materialized?.as);
  const given = materialized?.retentionMs;
  if (given !== undefined && !(Number.isSafeInteger(given) && given >= shape.minRetentionMs)) {
    throw new TopologyError(
      `Store '${store}': retentionMs ${given} is below ${shape.minRetentionMs} (${shape.why}); the store would drop windows that still accept records. Leave retentionMs out or raise it.`,
    );
  }
  const parent = repartitionIfRequired(graph, input, store);
  const where = `Store '${store}'`;
  const keySerde = graph.serde('key', materialized?.key ?? input.keySerde, where);
  const def: StoreDefinition = Object.freeze({
    name: store,
    kind: shape.kind,
    keySerde: keySerde as Serde<unknown>,
    valueSerde: graph.serde('value', materialized?.value ?? aggSerde, where) as Serde<unknown>,
    // Window aggregates keep the largest input timestamp per window (the output timestamp); a
    // session's output timestamp is its end, which the session key already holds.
    timestamped: shape.kind === 'window',
    persistent: materialized?.persistent ?? true,
    changelog: materialized?.logging ?? true,
    caching: materialized?.caching ?? true,
    retentionMs: Math.max(given ?? 0, shape.minRetentionMs + (shape.slackMs ?? 0), 1),
    ...(shape.windowSizeMs === undefined ? {} : { windowSizeMs: shape.windowSizeMs }),
  });
  graph.addStore(def);
  return { store, parent, keySerde };
}
