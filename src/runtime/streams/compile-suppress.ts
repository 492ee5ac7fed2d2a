/**
 * KTable.suppress (KIP-328): updates wait in a buffer until their time, and only a key's latest
 * change leaves it. The buffer is a key-value store (the DSL's `<name>-store`), so the runtime can
 * changelog and restore it; the order of release — by buffer time — is an in-memory index rebuilt
 * lazily from the store on first use, so it is never out of step with restored contents.
 *
 * - until-window-closes: a windowed key is due when stream time reaches its window end plus the
 *   grace recorded by the DSL; deletes of never-emitted windows are not forwarded (nothing
 *   downstream has seen them), as Kafka drops such tombstones.
 * - until-time-limit: a key is due once stream time reaches its first buffered timestamp plus the
 *   wait; deletes pass through the buffer like any value (a delete replaces a buffered value).
 *
 * Stream time is the largest timestamp this processor has seen (committed with the task's offsets,
 * so a reopened task resumes with it). The forwarded change is (latest
 * value, value downstream last saw) with the latest record's timestamp. A bounded buffer that is
 * over its limit emits its earliest-due keys early, or throws SuppressionBufferFullError.
 */

import type { SuppressBufferEntry } from '../../dsl/suppress.js';
import type { ProcessorNode } from '../../dsl/topology-nodes.js';
import type { WindowOp } from '../../dsl/window-ops.js';
import type { KeyValueStore } from '../../state-stores/key-value-store.js';
import type { Windowed } from '../../state-stores/windowed.js';
import { NO_HEADERS } from './compile-windowed-aggregates.js';
import type { Forward } from './forward.js';
import { SuppressionBufferFullError } from './suppression-buffer-full-error.js';
import type { TaskContext } from './task-context.js';

type SuppressOp = Extract<WindowOp, { kind: 'suppress' }>;
type Entry = SuppressBufferEntry<unknown>;

/**
 * An index entry: when the key is due, and its serialized form, which orders keys due at the same
 * time (as Kafka's time-ordered buffer does) — an order a buffer rebuilt from its store after a
 * restart has too, unlike arrival order.
 */
interface Due {
  readonly timeMs: number;
  readonly keyBytes: Uint8Array;
  readonly key: unknown;
}

/** A binary min-heap of Due by (time, key bytes); stale entries are skipped when popped. */
class DueHeap {
  private readonly items: Due[] = [];
  get size(): number {
    return this.items.length;
  }
  peek(): Due | undefined {
    return this.items[0];
  }
  push(d: Due): void {
    const a = this.items;
    a.push(d);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (!before(a[i]!, a[p]!)) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Due | undefined {
    const a = this.items;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last !== undefined) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && before(a[l]!, a[m]!)) m = l;
        if (r < a.length && before(a[r]!, a[m]!)) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: Due, b: Due): boolean {
  return a.timeMs < b.timeMs || (a.timeMs === b.timeMs && Buffer.compare(a.keyBytes, b.keyBytes) < 0);
}

/**
 * The Forward of a suppress processor.
 *
 * @example
 * ```ts
 * const forward = compileSuppress(op, node, ctx, next);
 * ```
 * @throws SuppressionBufferFullError from the Forward when a shut-down buffer is over its limit.
 */
export function compileSuppress(
  op: SuppressOp,
  node: ProcessorNode,
  ctx: TaskContext,
  next: Forward,
): Forward {
  const store = ctx.store<KeyValueStore<unknown, Entry>>(op.store);
  const def = ctx.definition(op.store);
  const windowed = op.until === 'window-closes';
  const delayMs = windowed ? op.graceMs : op.waitMs;
  const { maxRecords, maxBytes } = op;
  let index: DueHeap | null = null;
  let records = 0;
  let bytes = 0;
  // After a restart: the stream time it had observed at the last commit (not the task's, which
  // may be ahead of what reached this processor), so buffered records leave when they would have.
  let observed: number = ctx.trackTime(node.name, (): number => observed) ?? -1;

  // Bytes are counted only for a byte limit: serializing each entry again costs time otherwise.
  const sizeOf = (k: unknown, e: Entry): number =>
    maxBytes === null
      ? 0
      : (def.keySerde.serialize(op.store, k)?.length ?? 0) +
        (def.valueSerde.serialize(op.store, e)?.length ?? 0);

  const keyBytesOf = (k: unknown): Uint8Array => def.keySerde.serialize(op.store, k) ?? new Uint8Array(0);

  const rebuild = (): DueHeap => {
    const heap = new DueHeap();
    for (const { key, value } of store.all()) {
      heap.push({ timeMs: value.bufferTimeMs, keyBytes: keyBytesOf(key), key });
      records++;
      bytes += sizeOf(key, value);
    }
    return heap;
  };

  /** The earliest-due entry still in the buffer, dropping stale index entries on the way. */
  const firstLive = (heap: DueHeap): { d: Due; e: Entry } | undefined => {
    for (let d = heap.peek(); d !== undefined; d = heap.peek()) {
      const e = store.get(d.key);
      // Stale: the key left the buffer (or came back with another time) since it was indexed.
      if (e !== undefined && e.bufferTimeMs === d.timeMs) return { d, e };
      heap.pop();
    }
    return undefined;
  };

  const emit = (heap: DueHeap, d: Due, e: Entry): void => {
    heap.pop();
    store.delete(d.key);
    records--;
    bytes -= sizeOf(d.key, e);
    if (!(windowed && e.newValue === null)) {
      next(d.key, { newValue: e.newValue, oldValue: e.priorValue }, e.timestampMs, NO_HEADERS);
    }
  };

  const over = () => (maxRecords !== null && records > maxRecords) || (maxBytes !== null && bytes > maxBytes);

  return (k, v, t) => {
    if (index === null) index = rebuild();
    if (t > observed) observed = t;
    const change = v as { newValue: unknown; oldValue: unknown };
    const prev = store.get(k);
    const bufferTimeMs = windowed ? (k as Windowed<unknown>).window.endMs : (prev?.bufferTimeMs ?? t);
    const entry: Entry = {
      newValue: change.newValue ?? null,
      priorValue: prev === undefined ? (change.oldValue ?? null) : prev.priorValue,
      timestampMs: t,
      bufferTimeMs,
    };
    if (prev === undefined) {
      records++;
      index.push({ timeMs: bufferTimeMs, keyBytes: keyBytesOf(k), key: k });
    } else bytes -= sizeOf(k, prev);
    store.put(k, entry);
    bytes += sizeOf(k, entry);
    for (let live = firstLive(index); live !== undefined; live = firstLive(index)) {
      if (live.d.timeMs > observed - delayMs) break;
      emit(index, live.d, live.e);
    }
    if (!over()) return;
    if (op.whenFull === 'shut-down') {
      throw new SuppressionBufferFullError(node.name, records, maxRecords, maxBytes, bytes);
    }
    for (let live = firstLive(index); live !== undefined && over(); live = firstLive(index)) {
      emit(index, live.d, live.e);
    }
  };
}
