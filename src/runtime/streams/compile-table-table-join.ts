/**
 * Table-table joins on the primary key. Each side's update (a Change) looks up the other side's
 * current row and forwards Change(new joined, old joined) — the old one computed from the change's
 * old value and the other side's current value — with the later of the two sides' timestamps. An
 * update that leaves the join with no row before and after forwards nothing. The merge node is the
 * result table and keeps its store when materialized.
 */
import { type Change, change } from '../../dsl/change.js';
import type { JoinOp } from '../../dsl/join-ops.js';
import type {
  TimestampedKeyValueStore,
  ValueAndTimestamp,
} from '../../state-stores/timestamped-key-value-store.js';
import type { Forward } from './forward.js';
import { joinedRow } from './table-join-value.js';
import { lookupGetter } from './table-value-getter.js';
import type { TaskContext } from './task-context.js';

type Op = Extract<JoinOp, { kind: 'tableTableJoin' | 'tableJoinMerge' }>;
type Joiner = (left: unknown, right: unknown, key: unknown) => unknown;

/**
 * The Forward of one side of a table-table join, or of its merge node.
 *
 * @example
 * ```ts
 * const forward = compileTableTableJoin(op, 'KTABLE-JOINTHIS-0000000004', ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what the joiner and stores throw.
 */
export function compileTableTableJoin(op: Op, name: string, ctx: TaskContext, next: Forward): Forward {
  if (op.kind === 'tableJoinMerge') {
    if (op.store === null) return next;
    const store = ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
    return (k, v, t, h) => {
      const c = v as Change<unknown>;
      store.put(k, c.newValue === null ? null : { value: c.newValue, timestampMs: t });
      next(k, v, t, h);
    };
  }
  const other = lookupGetter(ctx, op.other);
  const joiner = op.joiner as Joiner;
  const isLeft = op.side === 'left';
  const row = (
    k: unknown,
    mine: ValueAndTimestamp<unknown> | undefined,
    theirs: ValueAndTimestamp<unknown> | undefined,
  ) =>
    isLeft
      ? joinedRow(op.joinType, joiner, k, mine, theirs)
      : joinedRow(op.joinType, joiner, k, theirs, mine);
  return (k, v, t, h) => {
    if (k === null || k === undefined) {
      ctx.dropRecord(name, 'null key');
      return;
    }
    const c = v as Change<unknown>;
    const found = other(k);
    const at = (x: unknown) => (x === null || x === undefined ? undefined : { value: x, timestampMs: t });
    const newRow = row(k, at(c.newValue), found);
    const oldRow = row(k, at(c.oldValue), found);
    if (newRow === undefined && oldRow === undefined) return;
    const ts = found === undefined ? t : Math.max(t, found.timestampMs);
    next(k, change(newRow?.value ?? null, oldRow?.value ?? null), ts, h);
  };
}
