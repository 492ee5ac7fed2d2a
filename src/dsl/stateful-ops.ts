/**
 * The stateful processor kinds of the DSL as plain data: tables, grouping and aggregation, and the
 * Processor API. The runtime (runtime/streams) interprets each; `store` names the StoreDefinition
 * the operator reads and writes. Table operators forward `Change` values (change.ts).
 */

import type { ProcessorSupplier } from './processor-api.js';
import type { KeyValue } from './stream-record.js';

/** Erased function types: the fluent API is typed, the stored graph is not. */
type Fn2<R> = (a: never, b: never) => R;
type Fn3<R> = (a: never, b: never, c: never) => R;

/**
 * Tables, aggregations and user processors.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind === 'aggregate') console.log(node.op.store);
 * ```
 */
export type StatefulOp =
  /** A user Processor; with fixedKey, forwarded records keep the input's key (processValues). */
  | {
      readonly kind: 'process';
      readonly supplier: ProcessorSupplier<never, never, unknown, unknown>;
      readonly fixedKey: boolean;
    }
  /** Materializes a topic as a table (tombstones delete) and forwards changes. */
  | { readonly kind: 'tableSource'; readonly store: string }
  /** Fills a global store from its topic; forwards nothing. */
  | { readonly kind: 'globalTableSource'; readonly store: string }
  /** KTable.filter / filterNot: a filtered-out key forwards as a delete. */
  | {
      readonly kind: 'tableFilter';
      readonly predicate: Fn2<boolean>;
      readonly negate: boolean;
      readonly store: string | null;
    }
  /** KTable.mapValues (mapper gets value, key). */
  | { readonly kind: 'tableMapValues'; readonly mapper: Fn2<unknown>; readonly store: string | null }
  /** KTable.toStream: the new values, tombstones as null values; an optional key mapper. */
  | { readonly kind: 'tableToStream'; readonly keyMapper: Fn2<unknown> | null }
  /** KStream.toTable: upserts into a store, forwards changes. */
  | { readonly kind: 'streamToTable'; readonly store: string }
  /** KTable.groupBy: each change becomes a subtraction at the old key and an addition at the new. */
  | { readonly kind: 'tableGroupBy'; readonly selector: Fn2<KeyValue<unknown, unknown>> }
  /** KGroupedStream.aggregate / count: null keys and values are skipped. */
  | {
      readonly kind: 'aggregate';
      readonly store: string;
      readonly initializer: () => unknown;
      readonly aggregator: Fn3<unknown>;
    }
  /** KGroupedStream.reduce. */
  | { readonly kind: 'reduce'; readonly store: string; readonly reducer: Fn2<unknown> }
  /** KGroupedTable.aggregate / count: subtract the old value, add the new. */
  | {
      readonly kind: 'tableAggregate';
      readonly store: string;
      readonly initializer: () => unknown;
      readonly adder: Fn3<unknown>;
      readonly subtractor: Fn3<unknown>;
    }
  /** KGroupedTable.reduce. */
  | {
      readonly kind: 'tableReduce';
      readonly store: string;
      readonly adder: Fn2<unknown>;
      readonly subtractor: Fn2<unknown>;
    };
