/**
 * Model tests of the hash-indexed tree under the in-memory engine, against a sorted Map: random
 * sets (new keys and updates in place), deletes, range deletes and point reads, interleaved with
 * cursors that are opened, advanced part way, abandoned or drained while the map changes under
 * them; every cursor must return exactly the entries of its range as of its creation. The same
 * through the MemoryEngine: its iterators keep their snapshot across atomic writes that carry the
 * keys' ids (the transaction buffer's commit) and across writes that do not, with and without the
 * writer's slots (cell handles kept across batches, gone stale by deletes and replacements; the
 * values of keys written through them rewritten in place, yet never an array a read returned),
 * and with writers' claims that a key is absent (the tree's `add`), right or wrong.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bytesId, compareBytes } from '../../../src/state-stores/byte-order.js';
import type { EngineSlot } from '../../../src/state-stores/engine.js';
import type { KeyValueIterator } from '../../../src/state-stores/key-value-iterator.js';
import { IndexedTree } from '../../../src/state-stores/memory/indexed-tree.js';
import { MemoryEngine } from '../../../src/state-stores/memory/memory-engine.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 150);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Few distinct keys (so updates, deletes and re-inserts of one key are common), with 0x00 and 0xff. */
const key = fc
  .array(fc.constantFrom(0, 1, 0x7f, 0xff), { minLength: 0, maxLength: 3 })
  .map((a) => new Uint8Array(a));
/** Many keys sharing a long prefix, as window store keys do: the tree splits and merges. */
const wideKey = fc.integer({ min: 0, max: 3000 }).map((n) => Buffer.from(`segment-user-${n}`));
const bound = fc.option(key, { nil: null });

type Op =
  | { kind: 'set'; key: Uint8Array; value: number; withId: boolean }
  | { kind: 'delete'; key: Uint8Array; withId: boolean }
  | { kind: 'deleteRange'; from: Uint8Array | null; to: Uint8Array | null }
  | { kind: 'get'; key: Uint8Array }
  | { kind: 'open'; from: Uint8Array | null; to: Uint8Array | null; reverse: boolean }
  | { kind: 'advance'; which: number; steps: number }
  | { kind: 'close'; which: number }
  | { kind: 'batch'; writes: BatchWrite[] };

/** A write of a batch; `withSlot` passes the key's slot (kept across batches) to the engine. */
interface BatchWrite {
  key: Uint8Array;
  value: number | null;
  withId: boolean;
  withSlot: boolean;
  /** The writer claims the key is absent (WriteOp.absent; the tree's `add`). */
  absent: boolean;
}

function opsOf(k: fc.Arbitrary<Uint8Array>, b: fc.Arbitrary<Uint8Array | null>, maxLength: number) {
  return fc.array(
    fc.oneof(
      {
        weight: 6,
        arbitrary: fc.record({
          kind: fc.constant('set' as const),
          key: k,
          value: fc.integer(),
          withId: fc.boolean(),
        }),
      },
      {
        weight: 2,
        arbitrary: fc.record({ kind: fc.constant('delete' as const), key: k, withId: fc.boolean() }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('deleteRange' as const), from: b, to: b }) },
      { weight: 2, arbitrary: fc.record({ kind: fc.constant('get' as const), key: k }) },
      {
        weight: 1,
        arbitrary: fc.record({ kind: fc.constant('open' as const), from: b, to: b, reverse: fc.boolean() }),
      },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('advance' as const),
          which: fc.nat(),
          steps: fc.nat({ max: 5 }),
        }),
      },
      { weight: 1, arbitrary: fc.record({ kind: fc.constant('close' as const), which: fc.nat() }) },
      {
        weight: 2,
        arbitrary: fc.record({
          kind: fc.constant('batch' as const),
          // Repeated keys, and deletes only sometimes: both paths of the engine's batch write.
          writes: fc.array(
            fc.record({
              key: k,
              value: fc.oneof(
                { weight: 5, arbitrary: fc.integer() },
                { weight: 1, arbitrary: fc.constant(null) },
              ),
              withId: fc.boolean(),
              withSlot: fc.boolean(),
              // Claimed absent at random: as often wrong as right, which must cost time only.
              absent: fc.boolean(),
            }),
            { maxLength: 12 },
          ),
        }),
      },
    ),
    { maxLength, size: 'max' },
  );
}

type Model = Map<string, [Uint8Array, number]>;

function inRange(k: Uint8Array, from: Uint8Array | null, to: Uint8Array | null): boolean {
  return (from === null || compareBytes(k, from) >= 0) && (to === null || compareBytes(k, to) < 0);
}

/** The model's entries of a range in cursor order, as [hex key, value]. */
function snapshot(model: Model, from: Uint8Array | null, to: Uint8Array | null, reverse: boolean) {
  const out = [...model.values()]
    .filter(([k]) => inRange(k, from, to))
    .sort((a, b) => compareBytes(a[0], b[0]))
    .map(([k, v]): [string, number] => [hex(k), v]);
  return reverse ? out.reverse() : out;
}

/** A reader under test: the next entry, or undefined at the end; and closing it early. */
interface Reader {
  next(): [string, number] | undefined;
  close(): void;
}

interface Subject {
  /** Writes applied in order, atomically where the subject has batches. */
  batch(writes: BatchWrite[]): void;
  set(key: Uint8Array, value: number, withId: boolean): void;
  delete(key: Uint8Array, withId: boolean): void;
  deleteRange(from: Uint8Array | null, to: Uint8Array | null): void;
  get(key: Uint8Array): number | undefined;
  open(from: Uint8Array | null, to: Uint8Array | null, reverse: boolean): Reader;
  check(size: number): void;
}

function treeSubject(): Subject {
  const tree = new IndexedTree<number>();
  return {
    batch(writes) {
      for (const w of writes) {
        const id = w.withId ? bytesId(w.key) : undefined;
        if (w.value === null) tree.delete(w.key, id);
        else if (w.absent) tree.add(w.key, w.value | 0, id);
        else tree.set(w.key, w.value | 0, id);
      }
    },
    set: (k, v, withId) => tree.set(k, v, withId ? bytesId(k) : undefined),
    delete: (k, withId) => void tree.delete(k, withId ? bytesId(k) : undefined),
    deleteRange: (from, to) => void tree.deleteRange(from, to),
    get: (k) => tree.get(k),
    open(from, to, reverse) {
      const c = tree.cursor(from, to, reverse);
      return { next: () => (c.next() ? [hex(c.key), c.value.value] : undefined), close: () => c.close() };
    },
    check(size) {
      tree.checkInvariants();
      expect(tree.size).toBe(size);
    },
  };
}

const num = (v: Uint8Array) => Buffer.from(v).readInt32BE(0);
const bytesOf = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n | 0, 0);
  return b;
};

function engineSubject(): Subject {
  const engine = MemoryEngine.open('model');
  // One slot per key for the whole run: its handle outlives deletes, range deletes and cursors.
  const slots = new Map<string, EngineSlot>();
  const slotOf = (k: Uint8Array): EngineSlot => {
    const slot = slots.get(hex(k)) ?? { engineHandle: undefined };
    slots.set(hex(k), slot);
    return slot;
  };
  // Every array a read returned, with what it held: the engine must never change one (it rewrites
  // only arrays of its own that no reader got).
  const held: [Uint8Array, number][] = [];
  const keep = (v: Uint8Array): number => {
    held.push([v, num(v)]);
    return num(v);
  };
  const reader = (it: KeyValueIterator<Uint8Array, Uint8Array>): Reader => ({
    next() {
      const r = it.next();
      return r.done ? undefined : [hex(r.value.key), keep(r.value.value)];
    },
    close: () => it.close(),
  });
  return {
    batch: (writes) =>
      engine.write(
        writes.map((w) => ({
          key: w.key,
          value: w.value === null ? null : bytesOf(w.value),
          ...(w.withId ? { id: bytesId(w.key) } : {}),
          ...(w.withSlot ? { slot: slotOf(w.key) } : {}),
          ...(w.absent ? { absent: true } : {}),
        })),
      ),
    set: (k, v, withId) =>
      engine.write([{ key: k, value: bytesOf(v), ...(withId ? { id: bytesId(k) } : {}) }]),
    delete: (k, withId) => engine.write([{ key: k, value: null, ...(withId ? { id: bytesId(k) } : {}) }]),
    deleteRange: (from, to) => {
      if (from !== null && to !== null && compareBytes(from, to) < 0) engine.deleteRange(from, to);
    },
    get: (k) => {
      const v = engine.get(k, bytesId(k));
      expect(engine.get(k) === v).toBe(true);
      return v === undefined ? undefined : keep(v);
    },
    open: (from, to, reverse) => reader(engine.iterator({ from, toExclusive: to, reverse })),
    check: (size) => {
      expect(engine.approximateNumEntries()).toBe(size);
      for (const [v, n] of held) expect(num(v)).toBe(n);
    },
  };
}

function run(ops: Op[], subject: Subject, engineRange: boolean): void {
  const model: Model = new Map();
  const open: { reader: Reader; expected: [string, number][]; pos: number }[] = [];
  for (const op of ops) {
    switch (op.kind) {
      case 'set':
        subject.set(op.key, op.value | 0, op.withId);
        model.set(hex(op.key), [op.key, op.value | 0]);
        break;
      case 'delete':
        subject.delete(op.key, op.withId);
        model.delete(hex(op.key));
        break;
      case 'deleteRange': {
        // The engine's deleteRange takes a non-empty range only.
        if (engineRange && (op.from === null || op.to === null || compareBytes(op.from, op.to) >= 0)) break;
        subject.deleteRange(op.from, op.to);
        for (const [id, [k]] of model) if (inRange(k, op.from, op.to)) model.delete(id);
        break;
      }
      case 'batch':
        subject.batch(op.writes);
        for (const w of op.writes) {
          if (w.value === null) model.delete(hex(w.key));
          else model.set(hex(w.key), [w.key, w.value | 0]);
        }
        break;
      case 'get':
        expect(subject.get(op.key)).toBe(model.get(hex(op.key))?.[1]);
        break;
      case 'open':
        open.push({
          reader: subject.open(op.from, op.to, op.reverse),
          expected: snapshot(model, op.from, op.to, op.reverse),
          pos: 0,
        });
        break;
      case 'advance': {
        if (open.length === 0) break;
        const c = open[op.which % open.length]!;
        for (let i = 0; i < op.steps; i++) expect(c.reader.next()).toEqual(c.expected[c.pos++]);
        if (c.pos > c.expected.length) open.splice(open.indexOf(c), 1);
        break;
      }
      case 'close': {
        if (open.length === 0) break;
        const [c] = open.splice(op.which % open.length, 1);
        c!.reader.close();
        break;
      }
    }
  }
  subject.check(model.size);
  // Every cursor still open returns the rest of its snapshot, then ends.
  for (const c of open) {
    const rest: [string, number][] = [];
    for (let e = c.reader.next(); e !== undefined; e = c.reader.next()) rest.push(e);
    expect(rest).toEqual(c.expected.slice(c.pos));
  }
}

describe('IndexedTree', () => {
  it('matches a sorted map, cursors keeping their snapshot while keys update in place', () => {
    fc.assert(
      fc.property(opsOf(key, bound, 400), (ops) => run(ops, treeSubject(), false)),
      { numRuns: RUNS },
    );
  });

  it('matches a sorted map with enough keys to split and merge nodes', () => {
    const wideBound = fc.option(wideKey, { nil: null });
    fc.assert(
      fc.property(opsOf(wideKey, wideBound, 3000), (ops) => run(ops, treeSubject(), false)),
      { numRuns: Math.max(10, RUNS / 10) },
    );
  });

  it('updates a key in place only while no cursor is open', () => {
    const tree = new IndexedTree<number>();
    const a = Buffer.from('a');
    tree.set(a, 1);
    const c = tree.cursor(null, null, false);
    tree.set(a, 2);
    expect(c.next() && c.value.value).toBe(1);
    c.close();
    tree.set(a, 3);
    const d = tree.cursor(null, null, false);
    expect(d.next() && d.value.value).toBe(3);
    expect(d.next()).toBe(false);
    tree.checkInvariants();
  });
});

describe('IndexedTree cell handles', () => {
  it('change the value without a lookup until the key is deleted, replaced or range-deleted', () => {
    const tree = new IndexedTree<number>();
    const [a, b, c] = ['a', 'b', 'c'].map((k) => Buffer.from(k));
    const ha = tree.put(a!, 1);
    const hb = tree.update(bytesId(b!), 1) ?? tree.put(b!, 1);
    const hc = tree.put(c!, 1);
    expect(tree.updateCell(ha, 2)).toBe(true);
    expect(tree.get(a!)).toBe(2);
    tree.delete(a!);
    expect(tree.updateCell(ha, 3)).toBe(false);
    expect(tree.get(a!)).toBeUndefined();
    // Under a cursor, an update of a key in the tree replaces its cell: the old handle is stale.
    const cursor = tree.cursor(null, null, false);
    expect(tree.updateCell(hb, 4)).toBe(false);
    tree.set(b!, 4);
    cursor.close();
    expect(tree.updateCell(hb, 5)).toBe(false);
    expect(tree.get(b!)).toBe(4);
    tree.deleteRange(c!, null);
    expect(tree.updateCell(hc, 6)).toBe(false);
    expect(new IndexedTree<number>().updateCell(tree.put(c!, 7), 8)).toBe(false);
    expect(tree.get(c!)).toBe(7);
    tree.checkInvariants();
  });

  it('range-deletes keys that never entered the tree, without ordering them', () => {
    const tree = new IndexedTree<number>();
    for (let i = 0; i < 100; i++) tree.put(Buffer.from(`k${String(i).padStart(3, '0')}`), i);
    expect(tree.deleteRange(Buffer.from('k010'), Buffer.from('k020'))).toBe(10);
    expect(tree.size).toBe(90);
    tree.checkInvariants();
    const c = tree.cursor(Buffer.from('k008'), Buffer.from('k022'), false);
    const seen: number[] = [];
    while (c.next()) seen.push(c.value.value);
    expect(seen).toEqual([8, 9, 20, 21]);
  });
});

describe('MemoryEngine over the IndexedTree', () => {
  it('matches a sorted map; its iterators keep their snapshot across writes with and without ids', () => {
    fc.assert(
      fc.property(opsOf(key, bound, 300), (ops) => run(ops, engineSubject(), true)),
      { numRuns: RUNS },
    );
  });
});
