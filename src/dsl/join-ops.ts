/**
 * The join processor kinds (stream-stream, stream-table, stream-globaltable, table-table,
 * foreign-key) as plain data; the runtime interprets each. Joiners are stored in one shape,
 * `(leftValue, rightValue, key)`, whichever side a processor serves, so the runtime never has to
 * tell a ValueJoiner from a ValueJoinerWithKey.
 */
import type { Serde } from '../serdes/serde.js';
import type { TopologyNode } from './topology-nodes.js';

/** Erased joiner: `(leftValue, rightValue, key) => joined`. */
type Joiner = (left: never, right: never, key: never) => unknown;

/**
 * Which records a join emits: both sides present, every left record, or every record of either side.
 *
 * @example
 * ```ts
 * const type: JoinType = 'left';
 * ```
 */
export type JoinType = 'inner' | 'left' | 'outer';

/**
 * How a processor reads a table's current values: the table's node, its store (null when the
 * table is computed from an upstream table), and the nodes of the chain from it up to the first
 * store. The compiled processors do not see the Topology, so a join carries the part of the graph
 * its value getter walks.
 *
 * @example
 * ```ts
 * const lookup: TableLookup = { node: 'KTABLE-SOURCE-0000000002', store: 'users-store', nodes: new Map() };
 * ```
 */
export interface TableLookup {
  readonly node: string;
  readonly store: string | null;
  readonly nodes: ReadonlyMap<string, TopologyNode>;
}

/**
 * Joins.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind === 'streamStreamJoin') console.log(node.op.thisStore);
 * ```
 */
export type JoinOp =
  /** One side of a windowed stream-stream join; both sides share the time and the outer store. */
  | {
      readonly kind: 'streamStreamJoin';
      readonly side: 'left' | 'right';
      readonly joinType: JoinType;
      readonly joiner: Joiner;
      readonly beforeMs: number;
      readonly afterMs: number;
      readonly graceMs: number;
      /** This side's window store (retainDuplicates); the key and value serdes come from it. */
      readonly thisStore: string;
      readonly otherStore: string;
      /** Left/outer joins: the unmatched records waiting for their window to close (KIP-633). */
      readonly outerStore: string | null;
    }
  /** A stream looking up a table's current value by the record's key. */
  | {
      readonly kind: 'streamTableJoin';
      readonly leftJoin: boolean;
      readonly joiner: Joiner;
      readonly table: TableLookup;
    }
  /** A stream looking up a global table by a key computed per record. */
  | {
      readonly kind: 'streamGlobalTableJoin';
      readonly leftJoin: boolean;
      readonly keySelector: (key: never, value: never) => unknown;
      readonly joiner: Joiner;
      readonly store: string;
    }
  /** One side of a table-table join: an update looks up the other side. */
  | {
      readonly kind: 'tableTableJoin';
      readonly side: 'left' | 'right';
      readonly joinType: JoinType;
      readonly joiner: Joiner;
      readonly other: TableLookup;
    }
  /** Where both sides of a table-table join meet: the result table (materialized when store is set). */
  | {
      readonly kind: 'tableJoinMerge';
      readonly joinType: JoinType;
      readonly joiner: Joiner;
      readonly left: TableLookup;
      readonly right: TableLookup;
      readonly store: string | null;
    }
  /** FK join, left side: subscribes each left row to its foreign key (registration topic). */
  | {
      readonly kind: 'fkSubscriptionSend';
      readonly extractor: (value: never) => unknown;
      /** The left value serde: the subscription carries a hash of the value's bytes. */
      readonly valueSerde: Serde<unknown>;
      /** The sink of the registration topic (keyed by foreign key). */
      readonly registrationSink: string;
      /** A sink of the response topic, for results that need no right value (null FK, delete). */
      readonly responseSink: string;
    }
  /** FK join, right side: keeps subscriptions and answers each with the right value. */
  | { readonly kind: 'fkSubscriptionReceive'; readonly store: string; readonly right: TableLookup }
  /** FK join, right side: a right-table change answers every primary key subscribed to it. */
  | {
      readonly kind: 'fkForeignUpdate';
      readonly store: string;
      /** The right table's key serde: the store is scanned by the foreign key's bytes. */
      readonly foreignKeySerde: Serde<unknown>;
    }
  /** FK join, left side: joins responses that still match the current left value. */
  | {
      readonly kind: 'fkResponseResolve';
      readonly leftJoin: boolean;
      readonly joiner: Joiner;
      readonly left: TableLookup;
      readonly valueSerde: Serde<unknown>;
      /** The result table's store, when materialized. */
      readonly store: string | null;
    };
