/**
 * Aggregations of grouped streams and regrouped tables, over timestamped key-value stores. The
 * result's timestamp is the largest of the inputs aggregated (Kafka's rule for aggregations); each
 * update forwards a Change of the new and old aggregate.
 */
import { type Change, change } from '../../dsl/change.js';
import type { StatefulOp } from '../../dsl/stateful-ops.js';
import type {
  TimestampedKeyValueStore,
  ValueAndTimestamp,
} from '../../state-stores/timestamped-key-value-store.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Fn2<R> = (a: unknown, b: unknown) => R;
type Fn3<R> = (a: unknown, b: unknown, c: unknown) => R;
type AggregateOp = Extract<StatefulOp, { kind: 'aggregate' | 'reduce' | 'tableAggregate' | 'tableReduce' }>;

/**
 * The Forward of one aggregation.
 *
 * @example
 * ```ts
 * const forward = compileAggregateOp(op, 'KSTREAM-AGGREGATE-0000000002', ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and stores throw.
 */
export function compileAggregateOp(op: AggregateOp, name: string, ctx: TaskContext, next: Forward): Forward {
  const store = ctx.store<TimestampedKeyValueStore<unknown, unknown>>(op.store);
  const isNull = (x: unknown) => x === null || x === undefined;
  /** Stores the new aggregate (null deletes) at the larger of the two timestamps and forwards the change. */
  const update = (
    k: unknown,
    agg: unknown,
    old: ValueAndTimestamp<unknown> | undefined,
    t: number,
    h: Parameters<Forward>[3],
  ): void => {
    const ts = old === undefined || t > old.timestampMs ? t : old.timestampMs;
    store.put(k, agg === null ? null : { value: agg, timestampMs: ts });
    next(k, change(agg, old?.value ?? null), ts, h);
  };
  switch (op.kind) {
    case 'aggregate':
    case 'reduce': {
      const initializer = op.kind === 'aggregate' ? op.initializer : null;
      const aggregator = op.kind === 'aggregate' ? (op.aggregator as Fn3<unknown>) : null;
      const reducer = op.kind === 'reduce' ? (op.reducer as Fn2<unknown>) : null;
      return (k, v, t, h) => {
        if (isNull(k) || isNull(v)) {
          ctx.dropRecord(name, isNull(k) ? 'null key' : 'null value');
          return;
        }
        const old = store.get(k);
        let agg: unknown;
        if (reducer !== null) agg = old === undefined ? v : reducer(old.value, v);
        else agg = aggregator!(k, v, old === undefined ? initializer!() : old.value);
        update(k, agg, old, t, h);
      };
    }
    case 'tableAggregate': {
      const adder = op.adder as Fn3<unknown>;
      const subtractor = op.subtractor as Fn3<unknown>;
      const initializer = op.initializer;
      return (k, v, t, h) => {
        if (isNull(k)) {
          ctx.dropRecord(name, 'null key');
          return;
        }
        const c = v as Change<unknown>;
        const old = store.get(k);
        let agg = old === undefined ? initializer() : old.value;
        if (c.oldValue !== null) agg = subtractor(k, c.oldValue, agg);
        if (c.newValue !== null) agg = adder(k, c.newValue, agg);
        update(k, agg, old, t, h);
      };
    }
    case 'tableReduce': {
      const adder = op.adder as Fn2<unknown>;
      const subtractor = op.subtractor as Fn2<unknown>;
      return (k, v, t, h) => {
        if (isNull(k)) {
          ctx.dropRecord(name, 'null key');
          return;
        }
        const c = v as Change<unknown>;
        const old = store.get(k);
        let agg: unknown = old === undefined ? null : old.value;
        if (c.oldValue !== null && agg !== null) agg = subtractor(agg, c.oldValue);
        if (c.newValue !== null) agg = agg === null ? c.newValue : adder(agg, c.newValue);
        update(k, agg, old, t, h);
      };
    }
  }
}
