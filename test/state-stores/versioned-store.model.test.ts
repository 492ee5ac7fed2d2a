/**
 * Model-based test of the versioned key-value store against per-key arrays of versions, on both
 * engines: random puts (in and out of order, deletes as tombstone versions), latest and as-of
 * reads, delete-at-time, commits (which remove versions past the history retention), aborts and
 * crash-reopens. The model never removes anything: whatever the store removes must be unreadable
 * anyway. After each commit the store must hold no version that left the retention.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSerde } from '../../src/serdes/bytes-serde.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import {
  PUT_RETURN_CODE_NOT_PUT,
  PUT_RETURN_CODE_VALID_TO_UNDEFINED,
  type VersionedKeyValueStore,
  type VersionedRecord,
} from '../../src/state-stores/versioned/versioned-store.js';
import { versionedKeyValueStore } from '../../src/state-stores/versioned/versioned-stores.js';
import {
  ENGINE_KINDS,
  type EnginePlace,
  hex,
  RUNS,
  removeTempDirs,
  rollbackCommands,
  smallKey,
} from './store-fixtures.js';

afterAll(removeTempDirs);

const RETENTION = 40;
const NONE = Number.MIN_SAFE_INTEGER;

interface Version {
  ts: number;
  value: string | null;
}

interface State {
  versions: Map<string, Version[]>;
  observed: number;
}

interface Model {
  now: State;
  committed: State;
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: VersionedKeyValueStore<Uint8Array, Uint8Array>;
}

const clone = (s: State): State => ({
  versions: new Map([...s.versions].map(([k, v]) => [k, [...v]])),
  observed: s.observed,
});
const minReadable = (s: State) => (s.observed === NONE ? NONE : s.observed - RETENTION);

function modelGet(s: State, key: string, asOf?: number): string | undefined {
  const vs = s.versions.get(key) ?? [];
  if (asOf === undefined) {
    const latest = vs.at(-1);
    return latest?.value == null ? undefined : `${latest.value}@${latest.ts}..`;
  }
  if (asOf < minReadable(s)) return undefined;
  const i = vs.findLastIndex((v) => v.ts <= asOf);
  if (i < 0 || vs[i]!.value === null) return undefined;
  const next = vs[i + 1];
  return `${vs[i]!.value}@${vs[i]!.ts}..${next === undefined ? '' : next.ts}`;
}

function shown(r: VersionedRecord<Uint8Array> | undefined): string | undefined {
  return r === undefined ? undefined : `${hex(r.value)}@${r.timestampMs}..${r.validToMs ?? ''}`;
}

async function open(r: Real) {
  r.engine = await r.place.open('versions');
  r.store = versionedKeyValueStore({
    engine: r.engine,
    keySerde: bytesSerde,
    valueSerde: bytesSerde,
    config: { historyRetentionMs: RETENTION },
  });
}

type Cmd = fc.AsyncCommand<Model, Real>;

/** Applies a put to the model; returns what the store's put must return. */
function modelPut(s: State, key: string, value: string | null, ts: number): number {
  if (ts < minReadable(s)) return PUT_RETURN_CODE_NOT_PUT;
  s.observed = Math.max(s.observed, ts);
  const vs = s.versions.get(key) ?? [];
  s.versions.set(key, vs);
  const at = vs.findIndex((v) => v.ts >= ts);
  if (at >= 0 && vs[at]!.ts === ts) vs[at] = { ts, value };
  else if (at < 0) vs.push({ ts, value });
  else vs.splice(at, 0, { ts, value });
  const next = vs[vs.findIndex((v) => v.ts === ts) + 1];
  return next === undefined ? PUT_RETURN_CODE_VALID_TO_UNDEFINED : next.ts;
}

class Put implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly value: Uint8Array | null,
    readonly ts: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = modelPut(m.now, hex(this.key), this.value && hex(this.value), this.ts);
    expect(r.store.put(this.key, this.value, this.ts)).toBe(expected);
    expect(r.store.streamTimeMs).toBe(m.now.observed);
  }
  toString = () => `put(${hex(this.key)}, ${this.value && hex(this.value)}, ${this.ts})`;
}

class Delete implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly ts: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = modelGet(m.now, hex(this.key), this.ts);
    modelPut(m.now, hex(this.key), null, this.ts);
    expect(shown(r.store.delete(this.key, this.ts))).toBe(expected);
  }
  toString = () => `delete(${hex(this.key)}, ${this.ts})`;
}

class Get implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly asOf: number | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const asOf = this.asOf ?? undefined;
    expect(shown(r.store.get(this.key, asOf))).toBe(modelGet(m.now, hex(this.key), asOf));
  }
  toString = () => `get(${hex(this.key)}, ${this.asOf})`;
}

class Commit implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.commit();
    m.committed = clone(m.now);
    // Every version still stored is readable at some asOf >= minReadable (or is a latest value);
    // the store may hold fewer (a first version that is a delete reads like no version at all).
    const keyCount = [...m.now.versions.values()].reduce((n, vs) => {
      const readable = vs.filter((v, i) =>
        i === vs.length - 1
          ? v.value !== null || v.ts >= minReadable(m.now)
          : vs[i + 1]!.ts > minReadable(m.now),
      );
      return n + readable.length;
    }, 0);
    let stored = 0;
    let history = 0;
    let latestDeletes = 0;
    let indexed = 0;
    for (const { key, value } of r.engine.iterator({ from: null, toExclusive: null, reverse: false })) {
      if (key[0] === 0x01 || key[0] === 0x03) stored++;
      if (key[0] === 0x01) history++;
      if (key[0] === 0x03 && value[8] === 0) latestDeletes++;
      if (key[0] === 0x02) indexed++;
    }
    expect(stored).toBeLessThanOrEqual(keyCount);
    // The expiry index holds one entry per older version and per latest delete, none stale.
    expect(indexed).toBe(history + latestDeletes);
  }
  toString = () => 'commit';
}

const [abort, crashAndReopen] = rollbackCommands<State, Model, Real>(clone, open);

const time = fc.integer({ min: 0, max: 150 });
const value = fc.option(fc.uint8Array({ minLength: 1, maxLength: 2 }), { freq: 4 });
const commands = [
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, time).map(([k, t]) => new Delete(k, t)),
  fc.tuple(smallKey, fc.option(time, { freq: 3 })).map(([k, t]) => new Get(k, t)),
  fc.tuple(smallKey, fc.option(time, { freq: 3 })).map(([k, t]) => new Get(k, t)),
  fc.constant(new Commit()),
  fc.constant(abort),
  fc.constant(crashAndReopen),
];

describe.each(ENGINE_KINDS)('versioned store on the $kind engine against per-key version lists', (kind) => {
  it('agrees with the model and keeps only versions within the history retention', async () => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 60, size: 'max' }), async (cmds) => {
        const place = kind.newPlace();
        const real = { place } as Real;
        await open(real);
        const empty: State = { versions: new Map(), observed: NONE };
        const model: Model = { now: clone(empty), committed: clone(empty) };
        try {
          await fc.asyncModelRun(() => ({ model, real }), cmds);
        } finally {
          await real.store.close();
          place.dispose();
        }
      }),
      { numRuns: RUNS },
    );
  });
});
