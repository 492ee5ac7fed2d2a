/**
 * Session window aggregations over a session store (Kafka Streams 4.x). A record at t joins every
 * session of its key that ends at or after t − gap and starts at or before t + gap (both ends
 * inclusive): their aggregates are merged with the merger, the record is added, and the merged
 * session `[min start, max end]` replaces them. Merged-away sessions are deleted and forwarded as
 * Change(null, old) on their old windowed keys, then the new session as Change(new, old) — old is
 * the previous aggregate when the session kept its window (a record inside it), else null. Output
 * timestamps are session ends (their latest record).
 *
 * Session ends are inclusive, so a session whose merged end plus grace is before the observed
 * stream time is late: the record is dropped and counted (at grace 0 a record at stream time is on
 * time). With emit-on-window-close a session is final once stream time is past its end plus gap
 * plus grace (until then a record within the gap could still extend it); each final session is
 * forwarded once, and merges forward nothing.
 */
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import type { WindowOp } from '../../dsl/window-ops.js';
import { NO_STREAM_TIME } from '../../state-stores/segmented-bytes-store.js';
import type { SessionStore } from '../../state-stores/session/session-store.js';
import type { Windowed } from '../../state-stores/windowed.js';
import { NO_HEADERS } from './compile-windowed-aggregates.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Fn3 = (a: unknown, b: unknown, c: unknown) => unknown;
type SessionOp = Extract<WindowOp, { kind: 'sessionWindowAggregate' }>;

/**
 * The Forward of a session window aggregation.
 *
 * @example
 * ```ts
 * const forward = compileSessionWindowAggregate(op, node, ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what user functions and the store throw.
 */
export function compileSessionWindowAggregate(
  op: SessionOp,
  node: ProcessorNode,
  ctx: TaskContext,
  next: Forward,
): Forward {
  const name = node.name;
  const store = ctx.store<SessionStore<unknown, unknown>>(op.store);
  const { gapMs, graceMs, initializer, emitOnClose } = op;
  const aggregator = op.aggregator as Fn3;
  const merger = op.merger as Fn3;
  // Restarted from a commit: the latest session end put is the latest timestamp seen (a session
  // ends at its last record), and sessions closed by then were emitted in that commit.
  let observed = store.streamTimeMs === NO_STREAM_TIME ? -1 : store.streamTimeMs;
  let emittedUpToEnd = observed < 0 ? -1 : Math.max(-1, observed - gapMs - graceMs - 1);

  const emitClosed = () => {
    const closeEnd = observed - gapMs - graceMs - 1;
    if (closeEnd <= emittedUpToEnd) return;
    for (const { key, value } of store.findSessionsByEndTime(emittedUpToEnd + 1, closeEnd)) {
      next(key, { newValue: value, oldValue: null }, key.window.endMs, NO_HEADERS);
    }
    emittedUpToEnd = closeEnd;
  };

  return (k, v, t, h) => {
    if (k === null || k === undefined || v === null || v === undefined) {
      ctx.dropRecord(name, k === null || k === undefined ? 'null key' : 'null value');
      return;
    }
    if (t > observed) observed = t;
    if (emitOnClose) emitClosed();
    let agg = initializer();
    let start = t;
    let end = t;
    const merged: { key: Windowed<unknown>; value: unknown }[] = [];
    for (const session of store.findSessions(k, t - gapMs, t + gapMs)) {
      merged.push(session);
      agg = merger(k, agg, session.value);
      if (session.key.window.startMs < start) start = session.key.window.startMs;
      if (session.key.window.endMs > end) end = session.key.window.endMs;
    }
    if (end + graceMs < observed) {
      ctx.dropRecord(name, 'late');
      return;
    }
    let oldValue: unknown = null;
    for (const session of merged) {
      if (session.key.window.startMs === start && session.key.window.endMs === end) {
        // The record fell inside this session: it is updated in place, not deleted and re-added.
        oldValue = session.value;
        continue;
      }
      store.remove(session.key);
      if (!emitOnClose)
        next(session.key, { newValue: null, oldValue: session.value }, session.key.window.endMs, h);
    }
    agg = aggregator(k, v, agg);
    const key = { key: k, window: { startMs: start, endMs: end } };
    store.put(key, agg);
    if (!emitOnClose) next(key, { newValue: agg, oldValue }, end, h);
  };
}
