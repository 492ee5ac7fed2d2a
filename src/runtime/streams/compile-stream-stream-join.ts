/**
 * Windowed stream-stream joins. Each side's processor keeps its records in a window store (with
 * duplicates) and joins each new record with the other side's records of the same key inside the
 * window; the result's timestamp is the later of the two. Both sides share one observed stream
 * time (the largest timestamp either has processed): a record more than grace older than it is
 * late and dropped. Left and outer joins hold unmatched records in a shared "outer" store and emit
 * them with null for the other side only once their window has closed (KIP-633), oldest first, so
 * a record that finds its partner late in the window never yields a spurious null result.
 */
import type { JoinOp } from '../../dsl/join-ops.js';
import type { OuterKey } from '../../dsl/join-serdes.js';
import type { Serde } from '../../serdes/serde.js';
import type { KeyValueStore } from '../../state-stores/key-value-store.js';
import type { WindowStore } from '../../state-stores/window/window-store.js';
import type { Forward } from './forward.js';
import type { TaskContext } from './task-context.js';

type Op = Extract<JoinOp, { kind: 'streamStreamJoin' }>;
type Joiner = (left: unknown, right: unknown, key: unknown) => unknown;

/** The stream time both sides of one join observe, per task. */
const sharedTimes = new WeakMap<TaskContext, Map<string, { streamTimeMs: number }>>();

function sharedTime(ctx: TaskContext, id: string, initialMs: number): { streamTimeMs: number } {
  let byJoin = sharedTimes.get(ctx);
  if (byJoin === undefined) {
    byJoin = new Map();
    sharedTimes.set(ctx, byJoin);
  }
  let time = byJoin.get(id);
  if (time === undefined) {
    time = { streamTimeMs: initialMs };
    byJoin.set(id, time);
  }
  return time;
}

function serialize(serde: Serde<unknown>, topic: string, value: unknown): Uint8Array {
  return serde.serialize(topic, value) ?? new Uint8Array(0);
}

/**
 * The Forward of one side of a stream-stream join.
 *
 * @example
 * ```ts
 * const forward = compileStreamStreamJoin(op, 'KSTREAM-JOINTHIS-0000000002', ctx, next);
 * ```
 * @throws nothing itself; the Forward throws what the joiner and stores throw.
 */
export function compileStreamStreamJoin(op: Op, name: string, ctx: TaskContext, next: Forward): Forward {
  const thisStore = ctx.store<WindowStore<unknown, unknown>>(op.thisStore);
  const otherStore = ctx.store<WindowStore<unknown, unknown>>(op.otherStore);
  const outer =
    op.outerStore === null ? null : ctx.store<KeyValueStore<OuterKey, readonly Uint8Array[]>>(op.outerStore);
  const isLeft = op.side === 'left';
  // Seen from this side, other records at [t - lookBack, t + lookAhead] join a record at t.
  const lookBack = isLeft ? op.beforeMs : op.afterMs;
  const lookAhead = isLeft ? op.afterMs : op.beforeMs;
  const grace = op.graceMs;
  const joiner = op.joiner as Joiner;
  const join = (k: unknown, mine: unknown, theirs: unknown) =>
    isLeft ? joiner(mine, theirs, k) : joiner(theirs, mine, k);
  const thisSide: 0 | 1 = isLeft ? 0 : 1;
  const otherSide: 0 | 1 = isLeft ? 1 : 0;
  const keepsUnmatched = (side: 0 | 1) => op.joinType === 'outer' || (op.joinType === 'left' && side === 0);
  const keepThis = outer !== null && keepsUnmatched(thisSide);
  const clearOther = outer !== null && keepsUnmatched(otherSide);
  // After a restart the stores' own stream times are the best record of what was observed.
  const id = [op.thisStore, op.otherStore].sort().join('\u0000');
  const time = sharedTime(ctx, id, Math.max(thisStore.streamTimeMs, otherStore.streamTimeMs));
  const thisDef = ctx.definition(op.thisStore);
  const keySerde = thisDef.keySerde;
  const valueSerdes = isLeft
    ? [thisDef.valueSerde, ctx.definition(op.otherStore).valueSerde]
    : [ctx.definition(op.otherStore).valueSerde, thisDef.valueSerde];
  const topic = op.outerStore ?? op.thisStore;
  const closeAfter = [op.afterMs + grace, op.beforeMs + grace];
  const minCloseAfter = Math.min(closeAfter[0]!, closeAfter[1]!);

  /** Emits, oldest first, the unmatched records whose window closed before stream time. */
  const emitClosed = (): void => {
    const due: { key: OuterKey; value: readonly Uint8Array[] }[] = [];
    for (const entry of outer!.all()) {
      // Keys sort by timestamp: nothing later can be due.
      if (entry.key.timestampMs + minCloseAfter >= time.streamTimeMs) break;
      if (entry.key.timestampMs + closeAfter[entry.key.side]! < time.streamTimeMs) due.push(entry);
    }
    for (const { key, value } of due) {
      outer!.delete(key);
      const k = keySerde.deserialize(topic, key.key);
      for (const bytes of value) {
        const v = valueSerdes[key.side]!.deserialize(topic, bytes);
        next(k, key.side === 0 ? joiner(v, null, k) : joiner(null, v, k), key.timestampMs, []);
      }
    }
  };

  return (k, v, t, h) => {
    if (k === null || k === undefined || v === null || v === undefined) {
      // KIP-962: a null key can never match, so the side whose unmatched records are kept (left
      // in a left join, both in an outer join) emits it at once, joined with null.
      if (v !== null && v !== undefined && keepThis) {
        next(k, join(k, v, null), t, h);
        return;
      }
      ctx.dropRecord(name, k === null || k === undefined ? 'null key' : 'null value');
      return;
    }
    if (t > time.streamTimeMs) {
      time.streamTimeMs = t;
      if (outer !== null) emitClosed();
    }
    if (t + grace < time.streamTimeMs) {
      ctx.dropRecord(name, 'late record (outside the join window grace)');
      return;
    }
    thisStore.put(k, v, t);
    const keyBytes = outer === null ? null : serialize(keySerde, topic, k);
    let matched = false;
    for (const { key: t2, value: v2 } of otherStore.fetchTimeRange(k, t - lookBack, t + lookAhead)) {
      matched = true;
      // The other record found its partner: it will never be emitted as unmatched.
      if (clearOther) outer!.delete({ timestampMs: t2, side: otherSide, key: keyBytes! });
      next(k, join(k, v, v2), Math.max(t, t2), h);
    }
    if (matched || !keepThis) return;
    // A window that is already closed (a negative after/before) cannot match later: emit now.
    if (t + closeAfter[thisSide]! < time.streamTimeMs) {
      next(k, join(k, v, null), t, h);
      return;
    }
    const outerKey: OuterKey = { timestampMs: t, side: thisSide, key: keyBytes! };
    const waiting = outer!.get(outerKey) ?? [];
    outer!.put(outerKey, [...waiting, serialize(valueSerdes[thisSide]!, topic, v)]);
  };
}
