/**
 * Tumbling and hopping window aggregations over a timestamped window store (Kafka Streams 4.x).
 * The processor keeps its own observed stream time (the largest timestamp it has seen, late records
 * included). A record updates each of its windows `[start, start + size)` whose end plus grace is
 * still after that stream time; a record no window accepts is dropped and counted as late. Each
 * update forwards Change(new, old) on the windowed key with the window's largest input timestamp;
 * with emit-on-window-close nothing is forwarded on update, and each window's final result is
 * forwarded once when stream time reaches its end plus grace.
 *
 * A task reopened from its last commit (a restart, a rebalance) recovers the observed stream time
 * from the store, so late records are dropped and final results emitted exactly as if the task had
 * never stopped: the window with the latest start holds the largest timestamp seen (every record
 * that advanced stream time was added to it), and every window that closed by then was emitted in
 * the same transaction that stored it.
 */
import type { Header } from '../../dsl/stream-record.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import type { WindowOp } from '../../dsl/window-ops.js';
import { NO_STREAM_TIME } from '../../state-stores/segmented-bytes-store.js';
import type { ValueAndTimestamp } from '../../state-stores/timestamped-key-value-store.js';
import type { WindowStore } from '../../state-stores/window/window-store.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;
type TimeOp = Extract<WindowOp, { kind: 'timeWindowAggregate' }>;
/** The store of a window aggregation: aggregates with the largest input timestamp. */
export type AggregateWindowStore = WindowStore<unknown, ValueAndTimestamp<unknown>>;

/** Outputs not caused by one input record (final results) carry no headers. */
export const NO_HEADERS: readonly Header[] = Object.freeze([]);

/**
 * The observed stream time a window aggregation had at its store's last commit: the largest input
 * timestamp among the windows starting within `lookbackMs` of the latest start (0 for time
 * windows, whose latest window holds the latest record; a sliding window's latest start may be up
 * to its size after that record's own window); -1 for an empty store.
 *
 * @example
 * ```ts
 * let observed = restoredObservedTime(store, 0);
 * ```
 * @throws what the store throws.
 */
export function restoredObservedTime(store: AggregateWindowStore, lookbackMs: number): number {
  const latest = store.streamTimeMs;
  if (latest === NO_STREAM_TIME) return -1;
  let max = -1;
  for (const { value } of store.backwardFetchAll(latest - lookbackMs, latest)) {
    if (value.timestampMs > max) max = value.timestampMs;
  }
  return max;
}

/**
 * Forwards, once, the final result of every window that closed since the last call: windows whose
 * start is in (last emitted start, stream time − grace − size] (one less for windows whose end is
 * inclusive: they close only when stream time is past end + grace). Emitting before the current
 * record is put keeps each closing window inside the store's retention.
 *
 * @example
 * ```ts
 * const emitClosed = closedWindowEmitter(store, 60_000, 10_000, false, next, restoredObservedTime(store, 0));
 * emitClosed(observedStreamTime);
 * ```
 * @throws what the store and children throw.
 */
export function closedWindowEmitter(
  store: AggregateWindowStore,
  sizeMs: number,
  graceMs: number,
  inclusiveEnd: boolean,
  next: Forward,
  /** The observed stream time restored with the store: windows closed by then were emitted. */
  restoredObservedMs = -1,
): (observedMs: number) => void {
  const closeStartAt = (observedMs: number) => observedMs - graceMs - sizeMs - (inclusiveEnd ? 1 : 0);
  let emittedUpToStart = restoredObservedMs < 0 ? -1 : Math.max(-1, closeStartAt(restoredObservedMs));
  return (observedMs) => {
    const closeStart = closeStartAt(observedMs);
    if (closeStart <= emittedUpToStart) return;
    for (const { key, value } of store.fetchAll(emittedUpToStart + 1, closeStart)) {
      const startMs = key.window.startMs;
      const w = { key: key.key, window: { startMs, endMs: startMs + sizeMs } };
      next(w, { newValue: value.value, oldValue: null }, value.timestampMs, NO_HEADERS);
    }
    emittedUpToStart = closeStart;
  };
}

/**
 * The Forward of a tumbling or hopping window aggregation.
 *
 * @example
 * ```ts
 * const forward = compileTimeWindowAggregate(op, node, ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and the store throw.
 */
export function compileTimeWindowAggregate(
  op: TimeOp,
  node: ProcessorNode,
  ctx: TaskContext,
  next: Forward,
): Forward {
  const name = node.name;
  const store = ctx.store<AggregateWindowStore>(op.store);
  const { sizeMs, advanceMs, graceMs, initializer } = op;
  const aggregator = op.aggregator as Fn3;
  const emitOnClose = op.emitOnClose;
  // Nothing downstream: skip building the windowed key and change (the benchmark's shape, and
  // a common one when only the store is queried).
  const forwarding = !emitOnClose && node.children.length > 0;
  let observed = restoredObservedTime(store, 0);
  const emitClosed = emitOnClose ? closedWindowEmitter(store, sizeMs, graceMs, false, next, observed) : null;

  /** Adds the record to the window at `start` unless it closed; true when it did. */
  const update = (k: unknown, v: unknown, t: number, h: readonly Header[], start: number): boolean => {
    const end = start + sizeMs;
    if (end + graceMs <= observed) return false;
    const old = store.fetch(k, start);
    const agg = aggregator(k, v, old === undefined ? initializer() : old.value);
    const ts = old === undefined || t > old.timestampMs ? t : old.timestampMs;
    store.put(k, { value: agg, timestampMs: ts }, start);
    if (forwarding) {
      next(
        { key: k, window: { startMs: start, endMs: end } },
        { newValue: agg, oldValue: old?.value ?? null },
        ts,
        h,
      );
    }
    return true;
  };

  return (k, v, t, h) => {
    if (k === null || k === undefined || v === null || v === undefined) {
      ctx.dropRecord(name, k === null || k === undefined ? 'null key' : 'null value');
      return;
    }
    if (t > observed) observed = t;
    emitClosed?.(observed);
    let accepted: boolean;
    if (advanceMs === sizeMs) {
      // Tumbling: exactly one window, found without building windowsFor's array.
      accepted = update(k, v, t, h, t - (t % sizeMs));
    } else {
      accepted = false;
      // The lowest start above t − size, rounded down to the advance (TimeWindows.windowsFor).
      let start = Math.max(0, t - sizeMs + advanceMs);
      start -= start % advanceMs;
      for (; start <= t; start += advanceMs) if (update(k, v, t, h, start)) accepted = true;
    }
    if (!accepted) ctx.dropRecord(name, 'late');
  };
}
