/**
 * Stream-table and stream-globaltable joins: a stream record looks up the table's current value
 * (through the table's value getter) and the result keeps the stream record's timestamp; table
 * updates trigger nothing. Null values are dropped. A null key cannot be looked up: an inner
 * stream-table join drops it (counted), a left join passes it on with a null table value (KIP-962);
 * a global-table join computes its lookup key itself, so it lets the key selector see null keys.
 */
import type { JoinOp } from '../../dsl/join-ops.js';
import type { TimestampedKeyValueStore } from '../../state-stores/timestamped-key-value-store.js';
import type { Forward } from './forward.js';
import { lookupGetter } from './table-value-getter.js';
import type { TaskContext } from './task-context.js';

type Op = Extract<JoinOp, { kind: 'streamTableJoin' | 'streamGlobalTableJoin' }>;
type Joiner = (left: unknown, right: unknown, key: unknown) => unknown;

const isNull = (x: unknown) => x === null || x === undefined;

/**
 * The Forward of a stream-table or stream-globaltable join.
 *
 * @example
 * ```ts
 * const forward = compileStreamTableJoin(op, 'KSTREAM-JOIN-0000000004', ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and stores throw.
 */
export function compileStreamTableJoin(op: Op, name: string, ctx: TaskContext, next: Forward): Forward {
  const joiner = op.joiner as Joiner;
  if (op.kind === 'streamTableJoin') {
    const table = lookupGetter(ctx, op.table);
    return (k, v, t, h) => {
      if (isNull(v) || (isNull(k) && !op.leftJoin)) {
        ctx.dropRecord(name, isNull(v) ? 'null value' : 'null key');
        return;
      }
      const found = isNull(k) ? undefined : table(k);
      if (found !== undefined) next(k, joiner(v, found.value, k), t, h);
      else if (op.leftJoin) next(k, joiner(v, null, k), t, h);
    };
  }
  const store = ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
  const keySelector = op.keySelector as (k: unknown, v: unknown) => unknown;
  return (k, v, t, h) => {
    if (isNull(v)) {
      ctx.dropRecord(name, 'null value');
      return;
    }
    const lookupKey = keySelector(k, v);
    const found = isNull(lookupKey) ? undefined : store.get(lookupKey);
    if (found !== undefined) next(k, joiner(v, found.value, k), t, h);
    else if (op.leftJoin) next(k, joiner(v, null, k), t, h);
  };
}
