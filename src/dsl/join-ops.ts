/**
 * The join processor kinds (stream-stream, stream-table, stream-globaltable, table-table,
 * foreign-key) as plain data; the runtime interprets each.
 */

/**
 * Joins.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind.startsWith('join')) console.log(node.name);
 * ```
 */
export type JoinOp = never;
