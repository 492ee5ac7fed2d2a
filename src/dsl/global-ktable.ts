/**
 * GlobalKTable: a table every task can read in full, filled from every partition of its topic on
 * every instance (no co-partitioning needed). Streams join it by a key they compute per record.
 */
import type { Serde } from '../serdes/serde.js';

/**
 * A global table. Build one with `StreamsBuilder.globalTable`.
 *
 * @example
 * ```ts
 * const countries = builder.globalTable('countries', { key: Serdes.string(), value: Serdes.json<Country>() });
 * orders.join(countries, (_, o) => o.countryCode, (o, c) => ({ ...o, country: c.name }));
 * ```
 */
export class GlobalKTable<K, V> {
  /** @internal */
  constructor(
    /** The node that fills the store. */
    readonly nodeName: string,
    /** @internal */ readonly keySerde: Serde<K>,
    /** @internal */ readonly valueSerde: Serde<V>,
    /** The global store's name. */
    readonly queryableStoreName: string,
  ) {}
}
