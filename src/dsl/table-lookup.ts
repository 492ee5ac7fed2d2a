/**
 * How a join reads a table: a TableLookup (join-ops.ts) holds the nodes its runtime value getter
 * walks, from the table's node up to the first store. Built here, at build time, so a table that
 * cannot be looked up fails with a TopologyError rather than at the first record.
 */
import { TopologyError } from '../common/errors.js';
import type { GraphBuilder } from './graph-builder.js';
import type { TableLookup } from './join-ops.js';
import type { TopologyNode } from './topology-nodes.js';

/** The store an operator keeps, if any. */
function storeOf(node: TopologyNode | undefined): string | null {
  if (node?.type !== 'processor') return null;
  const op = node.op as { readonly store?: unknown };
  return typeof op.store === 'string' ? op.store : null;
}

/**
 * The lookup of the table forwarded by `nodeName` (kept in `store`, or computed when null), and
 * the stores it reads, which the joining processor connects to.
 *
 * @example
 * ```ts
 * const { lookup, stores } = tableLookup(graph, table.nodeName, table.queryableStoreName);
 * ```
 * @throws TopologyError when the table's values cannot be computed from a store.
 */
export function tableLookup(
  graph: GraphBuilder,
  nodeName: string,
  store: string | null,
): { lookup: TableLookup; stores: string[] } {
  const nodes = new Map<string, TopologyNode>();
  const stores = new Set<string>();
  const visit = (name: string, kept: string | null): void => {
    if (kept !== null) {
      stores.add(kept);
      return;
    }
    const node = graph.nodes.get(name);
    const op = node?.type === 'processor' ? node.op : undefined;
    if (op?.kind === 'tableFilter' || op?.kind === 'tableMapValues') {
      nodes.set(name, node!);
      const parent = node!.parents[0]!;
      const parentNode = graph.nodes.get(parent);
      // The runtime getter reads the parent's node to find its store.
      if (parentNode !== undefined) nodes.set(parent, parentNode);
      visit(parent, storeOf(parentNode));
      return;
    }
    if (op?.kind === 'tableJoinMerge') {
      nodes.set(name, node!);
      // The merge's own lookups hold their nodes; only their stores matter here.
      for (const side of [op.left, op.right]) {
        for (const s of tableLookupStores(side)) stores.add(s);
      }
      return;
    }
    const hint =
      op?.kind === 'fkResponseResolve'
        ? 'Materialize the foreign-key join result (pass Materialized with a value serde) to look it up.'
        : 'Materialize it first (pass Materialized to the operator that makes it).';
    throw new TopologyError(`The table of '${name}' cannot be looked up by a join. ${hint}`);
  };
  visit(nodeName, store);
  return { lookup: Object.freeze({ node: nodeName, store, nodes }), stores: [...stores] };
}

/**
 * The stores a lookup reads.
 *
 * @example
 * ```ts
 * tableLookupStores(op.left); // ['users-store']
 * ```
 */
export function tableLookupStores(lookup: TableLookup): string[] {
  if (lookup.store !== null) return [lookup.store];
  const node = lookup.nodes.get(lookup.node);
  const op = node?.type === 'processor' ? node.op : undefined;
  if (op?.kind === 'tableJoinMerge') return [...tableLookupStores(op.left), ...tableLookupStores(op.right)];
  if (node === undefined) return [];
  const parent = node.parents[0]!;
  return tableLookupStores({ node: parent, store: storeOf(lookup.nodes.get(parent)), nodes: lookup.nodes });
}
