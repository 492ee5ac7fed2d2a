/**
 * Model-based test of the transactional commit (DESIGN.md §7) on both engines: interleaved writes,
 * reads, scans, commits with changelog offsets, aborts and crashes with reopen. The model keeps the
 * committed state and the open transaction apart: reads see both; a commit moves the transaction
 * into the engine with its offset in one write; an abort leaves the engine untouched; after a crash
 * (memory) or close (RocksDB) and reopen, the engine holds exactly the committed state and reports
 * the last committed offset. The RocksDB runs use a temp directory.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import type { KeyValueBytesStore } from '../../src/state-stores/key-value-bytes-store.js';
import { keyValueBytesStore } from '../../src/state-stores/stores.js';
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
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: KeyValueBytesStore;
  cacheMaxBytes: number;
}

type Cmd = fc.AsyncCommand<Model, Real>;

function engineContents(engine: StoreEngine) {
  return drain(engine.iterator({ from: null, toExclusive: null, reverse: false }));
}

function checkEngineHoldsCommitted(m: Model, r: Real) {
  expect(engineContents(r.engine)).toEqual(m.committed.range(null, null));
  expect(r.engine.changelogOffsets().get(CHANGELOG)).toBe(m.lastOffset);
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
    r.store = keyValueBytesStore(r.engine, { cacheMaxBytes: r.cacheMaxBytes });
    m.view = m.committed.clone();
    checkEngineHoldsCommitted(m, r);
    expect(drain(r.store.all())).toEqual(m.committed.range(null, null));
  }
  toString = () => 'crashAndReopen';
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
];

describe.each(ENGINE_KINDS)('transactional commit on the $kind engine', (kind) => {
  it.each([0, 300])(
    'keeps committed writes with their offset, drops aborted and crashed ones (cache of %i bytes)',
    async (cacheMaxBytes) => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 40, size: 'max' }), async (cmds) => {
          const place = kind.newPlace();
          const engine = await place.open('txn');
          const real: Real = {
            place,
            engine,
            store: keyValueBytesStore(engine, { cacheMaxBytes }),
            cacheMaxBytes,
          };
          const model: Model = {
            committed: new SortedModel(),
            view: new SortedModel(),
            lastOffset: undefined,
          };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
            // Finally: close, reopen, and find exactly the committed state and offset.
            await real.store.close();
            real.engine = await place.open('txn');
            real.store = keyValueBytesStore(real.engine, { cacheMaxBytes });
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
