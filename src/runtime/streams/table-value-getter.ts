/**
 * Value getters: how a join or lookup reads a KTable's current value for a key. A materialized
 * table reads its store; a filter or mapValues that kept no store computes from its parent's getter,
 * as Kafka Streams' KTableValueGetter does, so no store is added just to be joined against.
 */
import { TopologyError } from '../../common/errors.js';
import type { TableLookup } from '../../dsl/join-ops.js';
import type { Topology } from '../../dsl/topology.js';
import type {
  TimestampedKeyValueStore,
  ValueAndTimestamp,
} from '../../state-stores/timestamped-key-value-store.js';
import { joinedRow } from './table-join-value.js';
import type { TaskContext } from './task-context.js';

/**
 * The current value and timestamp of a key in a table, or undefined.
 *
 * @example
 * ```ts
 * const users = tableValueGetter(topology, ctx, table.nodeName, table.queryableStoreName);
 * users('alice')?.value;
 * ```
 */
export type ValueGetter = (key: unknown) => ValueAndTimestamp<unknown> | undefined;

type Fn2<R> = (a: unknown, b: unknown) => R;

/**
 * The getter of the table forwarded by `nodeName`, whose store (if any) is `store`.
 *
 * @example
 * ```ts
 * const get = tableValueGetter(topology, ctx, 'KTABLE-FILTER-0000000002', null);
 * ```
 * @throws TopologyError when the node is not a table.
 */
export function tableValueGetter(
  topology: Pick<Topology, 'nodes'>,
  ctx: TaskContext,
  nodeName: string,
  store: string | null,
): ValueGetter {
  if (store !== null) {
    const s = ctx.store<TimestampedKeyValueStore<unknown, unknown>>(store);
    return (key) => (key === null || key === undefined ? undefined : s.get(key));
  }
  const node = topology.nodes.get(nodeName);
  if (node?.type === 'processor') {
    const op = node.op;
    if (op.kind === 'tableFilter' && op.store === null) {
      const parent = parentGetter(topology, ctx, node.parents[0]!);
      const predicate = op.predicate as Fn2<boolean>;
      const keep = !op.negate;
      return (key) => {
        const found = parent(key);
        return found !== undefined && predicate(key, found.value) === keep ? found : undefined;
      };
    }
    if (op.kind === 'tableMapValues' && op.store === null) {
      const parent = parentGetter(topology, ctx, node.parents[0]!);
      const mapper = op.mapper as Fn2<unknown>;
      return (key) => {
        const found = parent(key);
        return found === undefined
          ? undefined
          : { value: mapper(found.value, key), timestampMs: found.timestampMs };
      };
    }
    if (op.kind === 'tableJoinMerge' && op.store === null) {
      // A join result kept in no store: join the two sides' current rows again.
      const left = lookupGetter(ctx, op.left);
      const right = lookupGetter(ctx, op.right);
      const joiner = op.joiner as (l: unknown, r: unknown, k: unknown) => unknown;
      return (key) => joinedRow(op.joinType, joiner, key, left(key), right(key));
    }
  }
  throw new TopologyError(`'${nodeName}' is not a table whose values can be looked up.`);
}

/** The getter of the table a node reads from: its store when its operator keeps one. */
function parentGetter(topology: Pick<Topology, 'nodes'>, ctx: TaskContext, parent: string): ValueGetter {
  const node = topology.nodes.get(parent);
  const op = node?.type === 'processor' ? node.op : undefined;
  const store = op !== undefined && 'store' in op && typeof op.store === 'string' ? op.store : null;
  return tableValueGetter(topology, ctx, parent, store);
}

/**
 * The getter of a join's table lookup (the lookup carries the nodes its chain needs).
 *
 * @example
 * ```ts
 * const customers = lookupGetter(ctx, op.table);
 * ```
 * @throws TopologyError when the lookup does not name a table.
 */
export function lookupGetter(ctx: TaskContext, lookup: TableLookup): ValueGetter {
  return tableValueGetter(lookup, ctx, lookup.node, lookup.store);
}
