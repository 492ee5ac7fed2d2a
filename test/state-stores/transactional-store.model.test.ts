/**
 * Model-based test of the transactional commit (DESIGN.md §7) on both engines: interleaved writes,
 * reads, scans, commits with changelog offsets, aborts and crashes with reopen. The model keeps the
 * committed state and the open transaction apart: reads see both; a commit moves the transaction
 * into the engine with its offset in one write; an abort leaves the engine untouched; after a crash
 * (memory) or close (RocksDB) and reopen, the engine holds exactly the committed state and reports
 * the last committed offset. The RocksDB runs use a temp directory.
 *
 * With deferred engine writes (a stream thread's stores), a commit reaches the engine only at
 * applyDeferred or the next commit: reads see it at once; the engine holds the commit before it,
 * with that commit's offset; a crash loses the deferred one (the changelog has it), leaving the
 * engine consistent with its offset; a clean close applies it.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
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
} from './store-fixtures.js';

afterAll(removeTempDirs);

const CHANGELOG = 'app-store-changelog/0';

interface Model {
  committed: SortedModel;
  /** Committed state plus the open transaction: what reads see. */
  view: SortedModel;
  lastOffset: number | undefined;
  /** What the engine holds: the committed state but a deferred commit. */
  applied: SortedModel;
  appliedOffset: number | undefined;
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: KeyValueBytesStore;
  cacheMaxBytes: number;
  deferred: boolean;
}

/** The store over `engine`, deferring its engine writes when the run does. */
function storeOver(engine: StoreEngine, cacheMaxBytes: number, deferred: boolean): KeyValueBytesStore {
  const store = keyValueBytesStore(engine, { cacheMaxBytes });
  if (deferred) TransactionalBytesStore.over(engine)!.deferEngineWrites();
  return store;
}

type Cmd = fc.AsyncCommand<Model, Real>;

function engineContents(engine: StoreEngine) {
  return drain(engine.iterator({ from: null, toExclusive: null, reverse: false }));
}

function checkEngineHoldsCommitted(m: Model, r: Real) {
  expect(engineContents(r.engine)).toEqual(m.applied.range(null, null));
  expect(r.engine.changelogOffsets().get(CHANGELOG)).toBe(m.appliedOffset);
  expect(r.store.committedOffsets().get(CHANGELOG)).toBe(m.lastOffset);
}

class Write implements Cmd {
  constructor(readonly writes: { key: Uint8Array; value: Uint8Array | null }[]) {}
  check = () => true;
  async run(m: Model, r: Real) {
    for (const w of this.writes) {
      r.store.put(w.key, w.value);
      m.view.put(w.key, w.value);
    }
  }
  toString = () => `write(${this.writes.map((w) => `${hex(w.key)}=${w.value && hex(w.value)}`).join(' ')})`;
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
    const got = r.store.get(this.key);
    expect(got === undefined ? undefined : hex(got)).toBe(m.view.get(this.key) && hex(m.view.get(this.key)!));
    const it = this.reverse ? r.store.reverseRange(this.from, this.to) : r.store.range(this.from, this.to);
    expect(drain(it)).toEqual(m.view.range(this.from, this.to, this.reverse));
  }
  toString = () =>
    `read(${hex(this.key)}, ${this.from && hex(this.from)}..${this.to && hex(this.to)}, ${this.reverse})`;
}

class Commit implements Cmd {
  constructor(readonly advance: number) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const offset = (m.lastOffset ?? 0) + this.advance;
    r.store.commit(new Map([[CHANGELOG, offset]]));
    // Deferred: the engine takes the commit before this one, this one waits.
    m.applied = r.deferred ? m.committed : m.view.clone();
    m.appliedOffset = r.deferred ? m.lastOffset : offset;
    m.committed = m.view.clone();
    m.lastOffset = offset;
    expect(r.store.uncommittedBytes).toBe(0);
    checkEngineHoldsCommitted(m, r);
  }
  toString = () => `commit(+${this.advance})`;
}

class Abort implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.abort();
    m.view = m.committed.clone();
    checkEngineHoldsCommitted(m, r);
    expect(drain(r.store.all())).toEqual(m.committed.range(null, null));
  }
  toString = () => 'abort';
}

class CrashAndReopen implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    await r.place.crash(r.engine);
    r.engine = await r.place.open('txn');
    r.store = storeOver(r.engine, r.cacheMaxBytes, r.deferred);
    // A deferred commit is lost with the process (restoration replays it from the changelog).
    m.committed = m.applied.clone();
    m.lastOffset = m.appliedOffset;
    m.view = m.committed.clone();
    checkEngineHoldsCommitted(m, r);
    expect(drain(r.store.all())).toEqual(m.committed.range(null, null));
  }
  toString = () => 'crashAndReopen';
}

class ApplyDeferred implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    TransactionalBytesStore.over(r.engine)!.applyDeferred();
    m.applied = m.committed.clone();
    m.appliedOffset = m.lastOffset;
    checkEngineHoldsCommitted(m, r);
    expect(drain(r.store.all())).toEqual(m.view.range(null, null));
  }
  toString = () => 'applyDeferred';
}

const write = fc.record({ key: anyKey, value: fc.option(anyValue, { freq: 4 }) });
const commands = [
  fc.array(write, { minLength: 1, maxLength: 6 }).map((w) => new Write(w)),
  fc.array(write, { minLength: 1, maxLength: 6 }).map((w) => new Write(w)),
  fc
    .tuple(anyKey, fc.option(anyKey), fc.option(anyKey), fc.boolean())
    .map(([k, f, t, rev]) => new Read(k, f, t, rev)),
  fc.integer({ min: 0, max: 20 }).map((n) => new Commit(n)),
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
    'keeps committed writes with their offset, drops aborted and crashed ones (cache of %i bytes, deferred engine writes: %s)',
    async (cacheMaxBytes, deferred) => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (cmds) => {
          const place = kind.newPlace();
          const engine = await place.open('txn');
          const real: Real = {
            place,
            engine,
            store: storeOver(engine, cacheMaxBytes, deferred),
            cacheMaxBytes,
            deferred,
          };
          const model: Model = {
            committed: new SortedModel(),
            view: new SortedModel(),
            lastOffset: undefined,
            applied: new SortedModel(),
            appliedOffset: undefined,
          };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            // Finally: close (a deferred commit is applied), reopen, and find exactly the
            // committed state and offset.
            await real.store.close();
            real.engine = await place.open('txn');
            real.store = keyValueBytesStore(real.engine, { cacheMaxBytes });
            model.applied = model.committed;
            model.appliedOffset = model.lastOffset;
            checkEngineHoldsCommitted(model, real);
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
