/**
 * State stores as plain data (DESIGN.md §6): what the runtime builds per task. `Stores` makes them
 * for the Processor API; the DSL makes them from `Materialized` options.
 */
import { TopologyError } from '../common/errors.js';
import type { Serde } from '../serdes/serde.js';
import type { Named } from './named.js';

/**
 * A named state store: its kind, serdes and how it is kept.
 *
 * @example
 * ```ts
 * const def = Stores.keyValue('counts', { key: Serdes.string(), value: Serdes.int64() });
 * def.kind; // 'key-value'
 * ```
 */
export interface StoreDefinition {
  readonly name: string;
  readonly kind: 'key-value' | 'window' | 'session' | 'versioned';
  readonly keySerde: Serde<unknown>;
  readonly valueSerde: Serde<unknown>;
  /** Values are stored with their record timestamps (the DSL's tables and aggregations). */
  readonly timestamped: boolean;
  /** RocksDB (true) or memory (false) under the streams runtime; the test driver keeps all in memory. */
  readonly persistent: boolean;
  /** Backed by a changelog topic `<applicationId>-<name>-changelog`. */
  readonly changelog: boolean;
  /** A record cache in front of the store. */
  readonly caching: boolean;
  /** Window stores: the size of each window. */
  readonly windowSizeMs?: number;
  /** Window, session and versioned stores: how long data is kept, by stream time. */
  readonly retentionMs?: number;
  /** Window stores: keep every put (stream-stream joins). */
  readonly retainDuplicates?: boolean;
  /** A global store: filled from its topic by every instance, read by every task. */
  readonly global?: boolean;
}

/**
 * How to keep a store: `Materialized` options without the serdes.
 *
 * @example
 * ```ts
 * Stores.keyValue('seen', { key: Serdes.string(), value: Serdes.int64(), persistent: false });
 * ```
 */
export interface StoreOptions<K, V> {
  readonly key: Serde<K>;
  readonly value: Serde<V>;
  /** Default true (RocksDB under the runtime). */
  readonly persistent?: boolean;
  /** Default true. */
  readonly logging?: boolean;
  /** Default true. */
  readonly caching?: boolean;
}

function checkName(name: string): string {
  if (!/^[A-Za-z0-9._-]+$/.test(name)) {
    throw new TopologyError(
      `Store name '${name}' is not a legal topic-name part; use letters, digits, '.', '_' and '-' (it names the changelog topic).`,
    );
  }
  return name;
}

function base<K, V>(name: string, kind: StoreDefinition['kind'], o: StoreOptions<K, V>) {
  return {
    name: checkName(name),
    kind,
    keySerde: o.key as Serde<unknown>,
    valueSerde: o.value as Serde<unknown>,
    timestamped: false,
    persistent: o.persistent ?? true,
    changelog: o.logging ?? true,
    caching: o.caching ?? true,
  };
}

function positive(what: string, ms: number): number {
  if (!Number.isSafeInteger(ms) || ms <= 0) {
    throw new TopologyError(`${what} must be a positive whole number of milliseconds, got ${ms}.`);
  }
  return ms;
}

/**
 * Store definitions for the Processor API, in Kafka Streams' vocabulary.
 *
 * @example
 * ```ts
 * builder.addStateStore(Stores.keyValue('seen', { key: Serdes.string(), value: Serdes.int64() }));
 * stream.process(() => new Dedup(), { stores: ['seen'] });
 * ```
 * @throws TopologyError for an illegal name or a non-positive size or retention.
 */
export const Stores = Object.freeze({
  /** A key-value store. */
  keyValue<K, V>(name: string, options: StoreOptions<K, V>): StoreDefinition {
    return Object.freeze(base(name, 'key-value', options));
  },
  /** A window store of windows `windowSizeMs` wide, kept `retentionMs` of stream time. */
  window<K, V>(
    name: string,
    options: StoreOptions<K, V> & { windowSizeMs: number; retentionMs: number; retainDuplicates?: boolean },
  ): StoreDefinition {
    const windowSizeMs = positive('windowSizeMs', options.windowSizeMs);
    const retentionMs = positive('retentionMs', options.retentionMs);
    if (retentionMs < windowSizeMs) {
      throw new TopologyError(
        `Window store '${name}': retentionMs (${retentionMs}) must be at least windowSizeMs (${windowSizeMs}).`,
      );
    }
    return Object.freeze({
      ...base(name, 'window', options),
      windowSizeMs,
      retentionMs,
      retainDuplicates: options.retainDuplicates ?? false,
    });
  },
  /** A versioned key-value store keeping each key's history for `historyRetentionMs` of stream time. */
  versioned<K, V>(
    name: string,
    options: Omit<StoreOptions<K, V>, 'caching'> & { historyRetentionMs: number },
  ): StoreDefinition {
    const retentionMs = positive('historyRetentionMs', options.historyRetentionMs);
    return Object.freeze({ ...base(name, 'versioned', options), caching: false, retentionMs });
  },
  /** A session store kept `retentionMs` of stream time. */
  session<K, V>(name: string, options: StoreOptions<K, V> & { retentionMs: number }): StoreDefinition {
    return Object.freeze({
      ...base(name, 'session', options),
      retentionMs: positive('retentionMs', options.retentionMs),
    });
  },
});

/**
 * How the DSL keeps an aggregation's or a table's store (Kafka's `Materialized`): `as` names the
 * store (generated otherwise); serdes default to the upstream ones.
 *
 * @example
 * ```ts
 * grouped.count({ as: 'clicks-per-page', persistent: false });
 * ```
 */
export interface Materialized<K, V> extends Named {
  readonly key?: Serde<K>;
  readonly value?: Serde<V>;
  readonly persistent?: boolean;
  readonly logging?: boolean;
  readonly caching?: boolean;
  /** Window and session stores: retention, at least the window size plus grace. */
  readonly retentionMs?: number;
}
