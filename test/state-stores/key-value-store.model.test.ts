/**
 * Model-based test of the key-value bytes store against a Map sorted by byte order, on both engines
 * and with the record cache off, small (evicting all the time) and pass-through: random put,
 * delete, putIfAbsent, putAll, get, range, reverseRange, prefixScan, all, reverseAll, iteration
 * while writing, and commit. Keys are arbitrary byte strings including the empty one, 0x00 and 0xff
 * bytes and prefixes of each other. The same test body runs for every engine and layering.
 * A failure prints fast-check's seed, path and replayPath.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import type { FlushedEntry } from '../../src/state-stores/caching-bytes-store.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import type { KeyValueBytesStore } from '../../src/state-stores/key-value-bytes-store.js';
import { keyValueBytesStore } from '../../src/state-stores/stores.js';
import {
  anyKey,
  anyValue,
  drain,
  ENGINE_KINDS,
  type EngineKind,
  hex,
  RUNS,
  removeTempDirs,
  SortedModel,
} from './store-fixtures.js';

afterAll(removeTempDirs);

interface Real {
  store: KeyValueBytesStore;
  engine: StoreEngine;
  /** What the flush listener has received, applied in order. */
  downstream: SortedModel;
  exactCount: boolean;
}

type Cmd = fc.Command<SortedModel, Real>;

class Put implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly value: Uint8Array | null,
  ) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    r.store.put(this.key, this.value);
    m.put(this.key, this.value);
  }
  toString = () => `put(${hex(this.key)}, ${this.value === null ? 'null' : hex(this.value)})`;
}

class Delete implements Cmd {
  constructor(readonly key: Uint8Array) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    expect(hexOrUndefined(r.store.delete(this.key))).toBe(hexOrUndefined(m.get(this.key)));
    m.put(this.key, null);
  }
  toString = () => `delete(${hex(this.key)})`;
}

class PutIfAbsent implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly value: Uint8Array,
  ) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    const old = m.get(this.key);
    expect(hexOrUndefined(r.store.putIfAbsent(this.key, this.value))).toBe(hexOrUndefined(old));
    if (old === undefined) m.put(this.key, this.value);
  }
  toString = () => `putIfAbsent(${hex(this.key)}, ${hex(this.value)})`;
}

class PutAll implements Cmd {
  constructor(readonly entries: { key: Uint8Array; value: Uint8Array | null }[]) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    r.store.putAll(this.entries);
    for (const e of this.entries) m.put(e.key, e.value);
  }
  toString = () => `putAll(${this.entries.length})`;
}

class Get implements Cmd {
  constructor(readonly key: Uint8Array) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    expect(hexOrUndefined(r.store.get(this.key))).toBe(hexOrUndefined(m.get(this.key)));
  }
  toString = () => `get(${hex(this.key)})`;
}

class Range implements Cmd {
  constructor(
    readonly from: Uint8Array | null,
    readonly to: Uint8Array | null,
    readonly reverse: boolean,
  ) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    const it = this.reverse ? r.store.reverseRange(this.from, this.to) : r.store.range(this.from, this.to);
    // from > to: empty, as Kafka Streams defines it (the model's filter gives the same).
    expect(drain(it)).toEqual(m.range(this.from, this.to, this.reverse));
  }
  toString = () =>
    `${this.reverse ? 'reverseRange' : 'range'}(${this.from && hex(this.from)}, ${this.to && hex(this.to)})`;
}

class All implements Cmd {
  constructor(readonly reverse: boolean) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    expect(drain(this.reverse ? r.store.reverseAll() : r.store.all())).toEqual(
      m.range(null, null, this.reverse),
    );
  }
  toString = () => (this.reverse ? 'reverseAll' : 'all');
}

class PrefixScan implements Cmd {
  constructor(readonly prefix: Uint8Array) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    expect(drain(r.store.prefixScanBytes(this.prefix))).toEqual(m.prefix(this.prefix));
  }
  toString = () => `prefixScan(${hex(this.prefix)})`;
}

/** Reads part of a scan, writes, reads the rest: the scan shows the store as of its creation. */
class IterateWhileWriting implements Cmd {
  constructor(
    readonly consumed: number,
    readonly writes: { key: Uint8Array; value: Uint8Array | null }[],
    readonly commitMidway: boolean,
  ) {}
  check = () => true;
  run(m: SortedModel, r: Real) {
    const expected = m.range(null, null);
    const it = r.store.all();
    const got: [string, string][] = [];
    for (let i = 0; i < this.consumed; i++) {
      const n = it.next();
      if (n.done) break;
      got.push([hex(n.value.key), hex(n.value.value)]);
    }
    for (const w of this.writes) {
      r.store.put(w.key, w.value);
      m.put(w.key, w.value);
    }
    if (this.commitMidway) commit(m, r);
    got.push(...drain(it));
    expect(got).toEqual(expected);
  }
  toString = () => `iterateWhileWriting(${this.consumed}, ${this.writes.length}, ${this.commitMidway})`;
}

class Commit implements Cmd {
  check = () => true;
  run(m: SortedModel, r: Real) {
    commit(m, r);
  }
  toString = () => 'commit';
}

function commit(m: SortedModel, r: Real) {
  r.store.commit();
  expect(r.store.uncommittedBytes).toBe(0);
  expect(drain(r.engine.iterator({ from: null, toExclusive: null, reverse: false }))).toEqual(
    m.range(null, null),
  );
  expect(r.downstream.range(null, null)).toEqual(m.range(null, null));
  const n = r.store.approximateNumEntries();
  if (r.exactCount) expect(n).toBe(m.size);
  else expect(n).toBeGreaterThanOrEqual(0);
}

function hexOrUndefined(b: Uint8Array | undefined): string | undefined {
  return b === undefined ? undefined : hex(b);
}

const write = fc.record({ key: anyKey, value: fc.option(anyValue, { freq: 4 }) });
const commands = [
  fc.tuple(anyKey, fc.option(anyValue, { freq: 6 })).map(([k, v]) => new Put(k, v)),
  fc.tuple(anyKey, fc.option(anyValue, { freq: 6 })).map(([k, v]) => new Put(k, v)),
  anyKey.map((k) => new Delete(k)),
  fc.tuple(anyKey, anyValue).map(([k, v]) => new PutIfAbsent(k, v)),
  fc.array(write, { maxLength: 8 }).map((e) => new PutAll(e)),
  anyKey.map((k) => new Get(k)),
  fc.tuple(fc.option(anyKey), fc.option(anyKey), fc.boolean()).map(([f, t, rev]) => new Range(f, t, rev)),
  fc.boolean().map((rev) => new All(rev)),
  anyKey.map((p) => new PrefixScan(p.subarray(0, 2))),
  fc
    .tuple(fc.nat(6), fc.array(write, { maxLength: 6 }), fc.boolean())
    .map(([n, w, c]) => new IterateWhileWriting(n, w, c)),
  fc.constant(new Commit()),
];

interface Layering {
  name: string;
  cacheMaxBytes: number;
  listen: boolean;
}

const LAYERINGS: Layering[] = [
  { name: 'no cache', cacheMaxBytes: 0, listen: false },
  { name: 'a small, always-evicting cache', cacheMaxBytes: 400, listen: true },
  { name: 'a pass-through cache (size 0 with a listener)', cacheMaxBytes: 0, listen: true },
];

async function runModel(kind: EngineKind, layering: Layering, cmds: Iterable<Cmd>) {
  const place = kind.newPlace();
  const engine = await place.open('kv');
  const downstream = new SortedModel();
  const listener = (entries: readonly FlushedEntry[]) => {
    for (const e of entries) downstream.put(e.key, e.value);
  };
  const store = keyValueBytesStore(
    engine,
    { cacheMaxBytes: layering.cacheMaxBytes },
    layering.listen ? { listener } : {},
  );
  const real: Real = {
    store,
    engine,
    downstream: layering.listen ? downstream : new SortedModel(),
    exactCount: kind.kind === 'memory',
  };
  const model = new SortedModel();
  try {
    if (!layering.listen) {
      // Without a listener nothing goes downstream; compare against the model instead.
      real.downstream = model;
    }
    fc.modelRun(() => ({ model, real }), cmds);
    commit(model, real);
  } finally {
    await store.close();
    place.dispose();
  }
}

describe.each(ENGINE_KINDS)('KeyValueBytesStore on the $kind engine against a sorted Map', (kind) => {
  it.each(LAYERINGS)('agrees with the model with $name', async (layering) => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), (cmds) =>
        runModel(kind, layering, cmds),
      ),
      { numRuns: RUNS },
    );
  });
});
