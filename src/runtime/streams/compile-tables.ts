/**
 * The table operators: sources that materialize topics, filter and mapValues over changes,
 * toStream, toTable and the regrouping of a table. Each forwards `Change` values; a record with a
 * null key cannot be a table row and is dropped (counted), as in Kafka Streams.
 */
import { type Change, change } from '../../dsl/change.js';
import type { StatefulOp } from '../../dsl/stateful-ops.js';
import type { KeyValue } from '../../dsl/stream-record.js';
import type { TimestampedKeyValueStore } from '../../state-stores/timestamped-key-value-store.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Fn2<R> = (a: unknown, b: unknown) => R;
type TableOp = Extract<
  StatefulOp,
  {
    kind:
      | 'tableSource'
      | 'globalTableSource'
      | 'streamToTable'
      | 'tableFilter'
      | 'tableMapValues'
      | 'tableToStream'
      | 'tableGroupBy';
  }
>;

/** Equal keys for regrouping: primitives by value, anything else by its JSON form. */
function sameKey(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * The Forward of one table operator.
 *
 * @example
 * ```ts
 * const forward = compileTableOp(op, 'KTABLE-SOURCE-0000000001', ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and stores throw.
 */
export function compileTableOp(op: TableOp, name: string, ctx: TaskContext, next: Forward): Forward {
  switch (op.kind) {
    case 'tableSource':
    case 'streamToTable':
    case 'globalTableSource': {
      const store = ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
      const forwards = op.kind !== 'globalTableSource';
      return (k, v, t, h) => {
        if (k === null || k === undefined) {
          ctx.dropRecord(name, 'null key');
          return;
        }
        const old = store.get(k);
        store.put(k, v === null || v === undefined ? null : { value: v, timestampMs: t });
        if (forwards) next(k, change(v ?? null, old?.value ?? null), t, h);
      };
    }
    case 'tableFilter': {
      const predicate = op.predicate as Fn2<boolean>;
      const keep = !op.negate;
      const store =
        op.store === null ? null : ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
      const pass = (k: unknown, v: unknown) => (v !== null && predicate(k, v) === keep ? v : null);
      return (k, v, t, h) => {
        const c = v as Change<unknown>;
        const newValue = pass(k, c.newValue);
        const oldValue = pass(k, c.oldValue);
        if (store !== null) store.put(k, newValue === null ? null : { value: newValue, timestampMs: t });
        if (newValue === null && oldValue === null) return;
        next(k, change(newValue, oldValue), t, h);
      };
    }
    case 'tableMapValues': {
      const mapper = op.mapper as Fn2<unknown>;
      const store =
        op.store === null ? null : ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
      return (k, v, t, h) => {
        const c = v as Change<unknown>;
        const newValue = c.newValue === null ? null : mapper(c.newValue, k);
        const oldValue = c.oldValue === null ? null : mapper(c.oldValue, k);
        if (store !== null) store.put(k, newValue === null ? null : { value: newValue, timestampMs: t });
        next(k, change(newValue, oldValue), t, h);
      };
    }
    case 'tableToStream': {
      const keyMapper = op.keyMapper as Fn2<unknown> | null;
      return (k, v, t, h) => {
        const value = (v as Change<unknown>).newValue;
        next(keyMapper === null ? k : keyMapper(k, value), value, t, h);
      };
    }
    case 'tableGroupBy': {
      const selector = op.selector as Fn2<KeyValue<unknown, unknown>>;
      return (k, v, t, h) => {
        const c = v as Change<unknown>;
        const oldPair = c.oldValue === null ? null : selector(k, c.oldValue);
        const newPair = c.newValue === null ? null : selector(k, c.newValue);
        // Same group: one record, so the aggregate subtracts then adds without showing the gap.
        if (oldPair !== null && newPair !== null && sameKey(oldPair.key, newPair.key)) {
          next(newPair.key, change(newPair.value, oldPair.value), t, h);
          return;
        }
        if (oldPair !== null) next(oldPair.key, change(null, oldPair.value), t, h);
        if (newPair !== null) next(newPair.key, change(newPair.value, null), t, h);
      };
    }
  }
}
