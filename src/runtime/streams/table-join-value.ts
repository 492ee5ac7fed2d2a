/**
 * The row a table-table join holds for a key, from the two sides' rows: both for an inner join,
 * the left one for a left join, either for an outer join. Its timestamp is the later of the two
 * sides' (Kafka's rule for join results). Shared by the join processors and the value getter.
 */
import type { JoinType } from '../../dsl/join-ops.js';
import type { ValueAndTimestamp } from '../../state-stores/timestamped-key-value-store.js';

type Joiner = (left: unknown, right: unknown, key: unknown) => unknown;

/**
 * The joined row, or undefined when the join has none.
 *
 * @example
 * ```ts
 * joinedRow('left', (a, b) => [a, b], 'k', { value: 1, timestampMs: 5 }, undefined); // { value: [1, null], timestampMs: 5 }
 * ```
 * @throws what the joiner throws.
 */
export function joinedRow(
  joinType: JoinType,
  joiner: Joiner,
  key: unknown,
  left: ValueAndTimestamp<unknown> | undefined,
  right: ValueAndTimestamp<unknown> | undefined,
): ValueAndTimestamp<unknown> | undefined {
  const has =
    joinType === 'inner'
      ? left !== undefined && right !== undefined
      : joinType === 'left'
        ? left !== undefined
        : left !== undefined || right !== undefined;
  if (!has) return undefined;
  const timestampMs = Math.max(left?.timestampMs ?? -Infinity, right?.timestampMs ?? -Infinity);
  return { value: joiner(left?.value ?? null, right?.value ?? null, key), timestampMs };
}
