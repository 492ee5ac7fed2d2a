/**
 * The windowed processor kinds (windowed aggregations, suppress) as plain data; the runtime
 * interprets each.
 */

/**
 * Windowed aggregations and suppression.
 *
 * @example
 * ```ts
 * if (node.type === 'processor' && node.op.kind === 'suppress') console.log(node.op.kind);
 * ```
 */
export type WindowOp = never;
