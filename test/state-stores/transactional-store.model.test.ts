/**
 * Model-based test of the transactional commit (DESIGN.md §7) on both engines: interleaved writes,
 * reads, scans, commits with changelog offsets, sealed commits, purges, aborts and crashes with
 * reopen. The model keeps the store's layers apart, as the store does: the open transaction, a
 * sealed commit, a deferred commit and the engine. Reads and scans see them in that order; a commit
 * moves the transaction into the engine with its offset in one write; an abort leaves the engine
 * untouched; after a crash (memory) or close (RocksDB) and reopen, the engine holds exactly what was
 * written to it and reports that write's offset. The RocksDB runs use a temp directory.
 *
 * With deferred engine writes (a stream thread's stores), a commit reaches the engine only at
 * applyDeferred or the next commit: reads see it at once; the engine holds the commit before it,
 * with that commit's offset; a crash loses the deferred one (the changelog has it), leaving the
 * engine consistent with its offset; a clean close applies it.
 *
 * A sealed commit (sealThrough the store's commit: a thread pipelining its commits) stays readable
 * under the writes that follow; confirmSealed makes it an ordinary commit (deferred, or written at
 * once) with the offsets it is given, abort drops it with the open transaction, and it never
 * reaches the engine before it is confirmed: a crash loses it. A range purged while a commit is
 * sealed is emptied only when that commit reaches the engine, never when it is aborted.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../src/common/errors.js';
import { compareBytes } from '../../src/state-stores/byte-order.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import type { KeyValueBytesStore } from '../../src/state-stores/key-value-bytes-store.js';
import { keyValueBytesStore } from '../../src/state-stores/stores.js';
import { TransactionalBytesStore } from '../../src/state-stores/transactional-bytes-store.js';
import {
  anyKey,
  anyValue,
  drain,
  ENGINE_KINDS,
  type EnginePlace,
  hex,
  RUNS,
  removeTempDirs,
  SortedModel,
  smallKey,
} from './store-fixtures.js';

afterAll(removeTempDirs);

const CHANGELOG = 'app-store-changelog/0';

/** One transaction's writes by key hex, null values for deletes. */
type Writes = Map<string, { key: Uint8Array; value: Uint8Array | null }>;

interface Span {
  from: Uint8Array;
  toExclusive: Uint8Array;
}

/** A finished transaction not yet in the engine: sealed, or committed and deferred. */
interface Layer {
  writes: Writes;
  offset: number | undefined;
  /** Ranges purged after the writes, emptied when the layer reaches the engine. */
  purges: Span[];
}

interface Model {
  /** The open transaction (in the cache or the buffer). */
  open: Writes;
  sealed: Layer | null;
  deferred: Layer | null;
  /** What the engine holds, and its offset. */
  engine: SortedModel;
  engineOffset: number | undefined;
  /** The highest changelog offset handed out yet: each commit's is higher. */
  highOffset: number;
  /**
   * Ranges purged while sealed, in runs with a cache: the cache may answer reads in them from
   * entries it read before the purge reached the engine, which the purge contract allows (a caller
   * purges only what it no longer reads). Cleared when the cache is (abort, crash).
   */
  unread: Span[];
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: KeyValueBytesStore;
  buffer: TransactionalBytesStore;
  cacheMaxBytes: number;
  deferred: boolean;
}

/** The store over `engine`, deferring its engine writes when the run does. */
function openStore(r: Real, engine: StoreEngine): void {
  r.engine = engine;
  r.store = keyValueBytesStore(engine, { cacheMaxBytes: r.cacheMaxBytes });
  r.buffer = TransactionalBytesStore.over(engine)!;
  if (r.deferred) r.buffer.deferEngineWrites();
}

const inSpan = (key: Uint8Array, s: Span) =>
  compareBytes(key, s.from) >= 0 && compareBytes(key, s.toExclusive) < 0;

function writeTo(target: SortedModel, writes: Writes): void {
  for (const w of writes.values()) target.put(w.key, w.value);
}

/** The layer's writes with its offset, then its purges: what WriteLayer.applyTo does. */
function toEngine(m: Model, layer: Layer): void {
  writeTo(m.engine, layer.writes);
  if (layer.offset !== undefined) m.engineOffset = layer.offset;
  for (const p of layer.purges) {
    for (const e of [...m.engine.entries.values()]) if (inSpan(e.key, p)) m.engine.put(e.key, null);
  }
}

function applyDeferred(m: Model): void {
  if (m.deferred !== null) toEngine(m, m.deferred);
  m.deferred = null;
}

/** What reads see: the open transaction over the sealed commit over the deferred one over the engine. */
function view(m: Model): SortedModel {
  const v = m.engine.clone();
  for (const layer of [m.deferred, m.sealed]) if (layer !== null) writeTo(v, layer.writes);
  writeTo(v, m.open);
  return v;
}

const readable = (m: Model, keyHex: string) => !m.unread.some((s) => inSpan(Buffer.from(keyHex, 'hex'), s));

function nextOffset(m: Model, advance: number): number {
  m.highOffset += advance;
  return m.highOffset;
}

function engineContents(engine: StoreEngine) {
  return drain(engine.iterator({ from: null, toExclusive: null, reverse: false }));
}

/** The engine holds what the model wrote to it; the store reports the offset of its last commit. */
function checkEngine(m: Model, r: Real) {
  expect(engineContents(r.engine)).toEqual(m.engine.range(null, null));
  expect(r.engine.changelogOffsets().get(CHANGELOG)).toBe(m.engineOffset);
  expect(r.store.committedOffsets().get(CHANGELOG)).toBe(m.deferred?.offset ?? m.engineOffset);
  expect(r.buffer.hasSealed).toBe(m.sealed !== null);
  expect(r.buffer.sealedCount).toBe(m.sealed?.writes.size ?? 0);
}

/** checkEngine, and a full scan of the store finds the model's view. */
function checkAll(m: Model, r: Real) {
  checkEngine(m, r);
  const seen = drain(r.store.all()).filter(([k]) => readable(m, k));
  expect(seen).toEqual(
    view(m)
      .range(null, null)
      .filter(([k]) => readable(m, k)),
  );
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Write implements Cmd {
  constructor(readonly writes: { key: Uint8Array; value: Uint8Array | null }[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    for (const w of this.writes) {
      r.store.put(w.key, w.value);
      m.open.set(hex(w.key), w);
    }
  }
  toString = () => `write(${this.writes.map((w) => `${hex(w.key)}=${w.value && hex(w.value)}`).join(' ')})`;
}

/** Point reads only: the buffer answers them by hash, never building its sorted form. */
class Get implements Cmd {
  constructor(readonly keys: Uint8Array[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const v = view(m);
    for (const key of this.keys) {
      if (!readable(m, hex(key))) continue;
      const got = r.store.get(key);
      const want = v.get(key);
      expect(got && hex(got), hex(key)).toBe(want && hex(want));
    }
  }
  toString = () => `get(${this.keys.map(hex).join(' ')})`;
}

class Read implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly from: Uint8Array | null,
    readonly to: Uint8Array | null,
    readonly reverse: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const v = view(m);
    if (readable(m, hex(this.key))) {
      const got = r.store.get(this.key);
      expect(got === undefined ? undefined : hex(got)).toBe(v.get(this.key) && hex(v.get(this.key)!));
    }
    const it = this.reverse ? r.store.reverseRange(this.from, this.to) : r.store.range(this.from, this.to);
    expect(drain(it).filter(([k]) => readable(m, k))).toEqual(
      v.range(this.from, this.to, this.reverse).filter(([k]) => readable(m, k)),
    );
  }
  toString = () =>
    `read(${hex(this.key)}, ${this.from && hex(this.from)}..${this.to && hex(this.to)}, ${this.reverse})`;
}

class Commit implements Cmd {
  constructor(readonly advance: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const offset = nextOffset(m, this.advance);
    if (m.sealed !== null) {
      // The sealed commit's log transaction has not ended: the next one cannot commit before it.
      expect(() => r.store.commit(new Map([[CHANGELOG, offset]]))).toThrow(IllegalStateError);
      checkEngine(m, r);
      return;
    }
    r.store.commit(new Map([[CHANGELOG, offset]]));
    // Deferred: the engine takes the commit before this one, this one waits.
    applyDeferred(m);
    const layer = { writes: m.open, offset, purges: [] };
    m.open = new Map();
    if (r.deferred) m.deferred = layer;
    else toEngine(m, layer);
    expect(r.store.uncommittedBytes).toBe(0);
    checkEngine(m, r);
  }
  toString = () => `commit(+${this.advance})`;
}

/** Seals the open transaction, with changelog offsets or (as a stream thread does) without. */
class Seal implements Cmd {
  constructor(readonly advance: number | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const offset = this.advance === null ? undefined : nextOffset(m, this.advance);
    const offsets = offset === undefined ? undefined : new Map([[CHANGELOG, offset]]);
    if (m.sealed !== null) {
      expect(() => r.buffer.sealThrough(() => r.store.commit(offsets))).toThrow(IllegalStateError);
      checkEngine(m, r);
      return;
    }
    r.buffer.sealThrough(() => r.store.commit(offsets));
    m.sealed = { writes: m.open, offset, purges: [] };
    m.open = new Map();
    expect(r.store.uncommittedBytes).toBe(0);
    checkAll(m, r);
  }
  toString = () => `seal(${this.advance === null ? '' : `+${this.advance}`})`;
}

/** The sealed commit's log transaction committed: confirmSealed, with its offsets or without. */
class Confirm implements Cmd {
  constructor(readonly advance: number | null) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const offset = this.advance === null ? undefined : nextOffset(m, this.advance);
    r.buffer.confirmSealed(offset === undefined ? undefined : new Map([[CHANGELOG, offset]]));
    const layer = m.sealed;
    if (layer !== null) {
      m.sealed = null;
      if (offset !== undefined) layer.offset = offset;
      applyDeferred(m);
      if (r.deferred) m.deferred = layer;
      else toEngine(m, layer);
    }
    checkEngine(m, r);
  }
  toString = () => `confirm(${this.advance === null ? '' : `+${this.advance}`})`;
}

/** purgeCommitted right after a commit, when nothing is buffered (its contract). */
class Purge implements Cmd {
  constructor(readonly span: Span) {}
  check = (m: Readonly<Model>) => m.open.size === 0;
  async run(m: Model, r: Real) {
    r.store.purgeCommitted(this.span.from, this.span.toExclusive);
    if (m.sealed !== null) {
      m.sealed.purges.push(this.span);
      if (r.cacheMaxBytes > 0) m.unread.push(this.span);
    } else {
      // Deferred writes reach the engine first: they must not come back after the purge.
      applyDeferred(m);
      toEngine(m, { writes: new Map(), offset: undefined, purges: [this.span] });
    }
    checkAll(m, r);
  }
  toString = () => `purge(${hex(this.span.from)}..${hex(this.span.toExclusive)})`;
}

class Abort implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.abort();
    m.open = new Map();
    m.sealed = null;
    m.unread = [];
    checkAll(m, r);
  }
  toString = () => 'abort';
}

class CrashAndReopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.place.crash(r.engine);
    openStore(r, await r.place.open('txn'));
    // Deferred and sealed commits are lost with the process (restoration replays a deferred one
    // from the changelog; a sealed one's log transaction is aborted by the fencing).
    m.open = new Map();
    m.sealed = null;
    m.deferred = null;
    m.unread = [];
    checkAll(m, r);
  }
  toString = () => 'crashAndReopen';
}

class ApplyDeferred implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.buffer.applyDeferred();
    applyDeferred(m);
    checkAll(m, r);
  }
  toString = () => 'applyDeferred';
}

const write = fc.record({ key: anyKey, value: fc.option(anyValue, { freq: 4 }) });
const writes = fc.array(write, { minLength: 1, maxLength: 6 }).map((w) => new Write(w));
const advance = fc.integer({ min: 0, max: 20 });
const span = fc
  .tuple(smallKey, smallKey)
  .map(
    ([a, b]): Span => (compareBytes(a, b) <= 0 ? { from: a, toExclusive: b } : { from: b, toExclusive: a }),
  );
const commands = [
  writes,
  writes,
  fc.array(anyKey, { minLength: 1, maxLength: 4 }).map((k) => new Get(k)),
  fc
    .tuple(anyKey, fc.option(anyKey), fc.option(anyKey), fc.boolean())
    .map(([k, f, t, rev]) => new Read(k, f, t, rev)),
  advance.map((n) => new Commit(n)),
  fc.option(advance, { freq: 2 }).map((n) => new Seal(n)),
  fc.option(advance, { freq: 4 }).map((n) => new Confirm(n)),
  span.map((s) => new Purge(s)),
  fc.constant(new Abort()),
  fc.constant(new CrashAndReopen()),
  fc.constant(new ApplyDeferred()),
];

describe.each(ENGINE_KINDS)('transactional commit on the $kind engine', (kind) => {
  it.each([
    [0, false],
    [300, false],
    [0, true],
    [300, true],
  ])(
    'keeps committed and confirmed writes with their offset, drops aborted and crashed ones, sealed ones until confirmed (cache of %i bytes, deferred engine writes: %s)',
    async (cacheMaxBytes, deferred) => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (cmds) => {
          const place = kind.newPlace();
          const real = { place, cacheMaxBytes, deferred } as Real;
          openStore(real, await place.open('txn'));
          const model: Model = {
            open: new Map(),
            sealed: null,
            deferred: null,
            engine: new SortedModel(),
            engineOffset: undefined,
            highOffset: 0,
            unread: [],
          };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            // Finally: close (a deferred commit is applied, a sealed one dropped), reopen, and find
            // exactly the committed state and offset.
            await real.store.close();
            openStore(real, await place.open('txn'));
            applyDeferred(model);
            model.open = new Map();
            model.sealed = null;
            checkEngine(model, real);
          } finally {
            await real.store.close();
            place.dispose();
          }
        }),
        { numRuns: RUNS },
      );
    },
  );
});
