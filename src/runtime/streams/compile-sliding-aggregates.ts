/**
 * Sliding window aggregations (KIP-450) over a timestamped window store. Windows `[start, start +
 * diff]` (both ends inclusive) exist only where records make them distinct: each record has a left
 * window ending at its timestamp, and a right window starting just after it when a later record
 * lies within diff. A record updates every stored window containing it, creates its left window
 * (seeded from the aggregate of the latest window that ends before it, which holds exactly the
 * records the left window shares), creates the previous record's right window when that is now
 * non-empty, and creates its own right window from the aggregate of later records. Records before
 * `diff` share one window `[0, diff]`, since windows cannot start before 0.
 *
 * Windows include both ends, so a window is closed once stream time is past end + grace. A record
 * all of whose windows are closed (t + diff + grace < observed stream time) is dropped and counted
 * as late; otherwise windows that closed are skipped one by one.
 */
import type { Header } from '../../dsl/stream-record.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import type { WindowOp } from '../../dsl/window-ops.js';
import type { ValueAndTimestamp } from '../../state-stores/timestamped-key-value-store.js';
import {
  type AggregateWindowStore,
  closedWindowEmitter,
  restoredObservedTime,
} from './compile-windowed-aggregates.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;
type SlidingOp = Extract<WindowOp, { kind: 'slidingWindowAggregate' }>;
type Agg = ValueAndTimestamp<unknown>;

/**
 * The Forward of a sliding window aggregation.
 *
 * @example
 * ```ts
 * const forward = compileSlidingWindowAggregate(op, node, ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and the store throw.
 */
export function compileSlidingWindowAggregate(
  op: SlidingOp,
  node: ProcessorNode,
  ctx: TaskContext,
  next: Forward,
): Forward {
  const name = node.name;
  const store = ctx.store<AggregateWindowStore>(op.store);
  const { timeDifferenceMs: diff, graceMs, initializer, emitOnClose } = op;
  const aggregator = op.aggregator as Fn3;
  // Restarted from a commit: the left window of the latest record starts at most `diff` before
  // the latest start (a right window), so that range holds the latest timestamp.
  let observed = restoredObservedTime(store, diff);
  const emitClosed = emitOnClose ? closedWindowEmitter(store, diff, graceMs, true, next, observed) : null;
  // The current record's headers, for the updates it causes (set per record, not per window).
  let h: readonly Header[] = [];

  /**
   * Adds the record to the window at `start`: `existing` is its stored aggregate (an update), or
   * `seed` the aggregate a new window starts from (null: the initializer's).
   */
  const add = (k: unknown, v: unknown, t: number, start: number, existing: Agg | null, seed: Agg | null) => {
    const end = start + diff;
    // Both ends are inclusive: the window still takes records at stream time end + grace.
    if (end + graceMs < observed) return;
    const base = existing ?? seed;
    const agg = aggregator(k, v, base === null ? initializer() : base.value);
    const ts = existing === null || t > existing.timestampMs ? t : existing.timestampMs;
    store.put(k, { value: agg, timestampMs: ts }, start);
    if (!emitOnClose) {
      const oldValue = existing === null ? null : existing.value;
      next({ key: k, window: { startMs: start, endMs: end } }, { newValue: agg, oldValue }, ts, h);
    }
  };

  /** Puts the record's right window `[t + 1, t + 1 + diff]` holding `agg` (the later records). */
  const putRightWindow = (k: unknown, t: number, agg: Agg) => {
    store.put(k, agg, t + 1);
    if (!emitOnClose) {
      const w = { key: k, window: { startMs: t + 1, endMs: t + 1 + diff } };
      next(w, { newValue: agg.value, oldValue: null }, agg.timestampMs, h);
    }
  };

  /** Creates the previous record's right window when it is missing and now holds this record. */
  const previousRightWindow = (
    k: unknown,
    v: unknown,
    t: number,
    prev: number | null,
    starts: Set<number>,
  ) => {
    if (prev === null) return;
    const start = prev + 1;
    if (!starts.has(start) && start + diff >= t) add(k, v, t, start, null, null);
  };

  const processEarly = (k: unknown, v: unknown, t: number) => {
    let combined: Agg | null = null;
    let rightAgg: Agg | null = null;
    let rightExists = false;
    let prev: number | null = null;
    const starts = new Set<number>();
    for (const { key: start, value } of store.fetchTimeRange(k, 0, t + 1)) {
      starts.add(start);
      if (start === 0) {
        combined = value;
        if (value.timestampMs < t) prev = value.timestampMs;
      } else if (start <= t) {
        rightAgg = value;
        add(k, v, t, start, value, null);
      } else if (start === t + 1) rightExists = true;
    }
    previousRightWindow(k, v, t, prev, starts);
    add(k, v, t, 0, combined, null);
    if (!rightExists && rightAgg !== null && rightAgg.timestampMs > t) putRightWindow(k, t, rightAgg);
  };

  const processInOrder = (k: unknown, v: unknown, t: number) => {
    let leftAgg: Agg | null = null;
    let rightAgg: Agg | null = null;
    let leftExists = false;
    let rightExists = false;
    let prev: number | null = null;
    const starts = new Set<number>();
    for (const { key: start, value } of store.fetchTimeRange(k, Math.max(0, t - 2 * diff), t + 1)) {
      starts.add(start);
      const end = start + diff;
      if (end < t) {
        leftAgg = value;
        prev = value.timestampMs;
      } else if (end === t) {
        leftExists = true;
        if (value.timestampMs < t) prev = value.timestampMs;
        add(k, v, t, start, value, null);
      } else if (start <= t) {
        rightAgg = value;
        add(k, v, t, start, value, null);
      } else if (start === t + 1) rightExists = true;
    }
    previousRightWindow(k, v, t, prev, starts);
    if (!leftExists) {
      // The latest window ending before t shares its records with the left window when the
      // previous record is within diff of t; otherwise the left window starts empty.
      const seed = prev !== null && t - diff <= prev ? leftAgg : null;
      add(k, v, t, t - diff, null, seed);
    }
    if (!rightExists && rightAgg !== null && rightAgg.timestampMs > t) putRightWindow(k, t, rightAgg);
  };

  return (k, v, t, headers) => {
    if (k === null || k === undefined || v === null || v === undefined) {
      ctx.dropRecord(name, k === null || k === undefined ? 'null key' : 'null value');
      return;
    }
    if (t > observed) observed = t;
    emitClosed?.(observed);
    if (t + diff + graceMs < observed) {
      ctx.dropRecord(name, 'late');
      return;
    }
    h = headers;
    if (t < diff) processEarly(k, v, t);
    else processInOrder(k, v, t);
  };
}
