/**
 * Model-based test of the window store against an array, on both engines, with and without
 * retained duplicates and with a small cache: random puts (advancing stream time, expiring windows),
 * single-window fetches, time-range and key-range fetches both ways, fetchAll, all, commits,
 * aborts and crash-reopens. Retention follows stream time: windows older than streamTime −
 * retention + 1 are invisible, puts to them are dropped, and their segments leave the engine after
 * a commit.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSerde } from '../../src/serdes/bytes-serde.js';
import { compareBytes } from '../../src/state-stores/byte-order.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import { readOrderedInt64 } from '../../src/state-stores/key-encoding.js';
import type { KeyValueIterator } from '../../src/state-stores/key-value-iterator.js';
import type { WindowStore } from '../../src/state-stores/window/window-store.js';
import { windowStore } from '../../src/state-stores/window/window-stores.js';
import type { Windowed } from '../../src/state-stores/windowed.js';
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

const WINDOW_SIZE = 10;
const RETENTION = 50;
const SEGMENT = 20;

interface Entry {
  key: Uint8Array;
  start: number;
  seq: number;
  value: Uint8Array;
}

interface State {
  entries: Entry[];
  observed: number;
  seq: number;
}

interface Model {
  dups: boolean;
  now: State;
  committed: State;
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: WindowStore<Uint8Array, Uint8Array>;
  dups: boolean;
  cacheMaxBytes: number;
}

const clone = (s: State): State => ({ entries: [...s.entries], observed: s.observed, seq: s.seq });
const minLive = (s: State) =>
  s.observed === Number.MIN_SAFE_INTEGER ? s.observed : s.observed - RETENTION + 1;
const byKeyTimeSeq = (a: Entry, b: Entry) => compareBytes(a.key, b.key) || a.start - b.start || a.seq - b.seq;
const live = (s: State) => s.entries.filter((e) => e.start >= minLive(s));
const shown = (es: Entry[]) => es.map((e) => `${hex(e.key)}@${e.start}=${hex(e.value)}`);

function drainWindowed(it: KeyValueIterator<Windowed<Uint8Array>, Uint8Array>): string[] {
  const out: string[] = [];
  for (const { key, value } of it) {
    expect(key.window.endMs).toBe(key.window.startMs + WINDOW_SIZE);
    out.push(`${hex(key.key)}@${key.window.startMs}=${hex(value)}`);
  }
  return out;
}

function drainTimes(key: Uint8Array, it: KeyValueIterator<number, Uint8Array>): string[] {
  const out: string[] = [];
  for (const { key: start, value } of it) out.push(`${hex(key)}@${start}=${hex(value)}`);
  return out;
}

async function open(r: Real) {
  r.engine = await r.place.open('windows');
  r.store = windowStore({
    engine: r.engine,
    keySerde: bytesSerde,
    valueSerde: bytesSerde,
    config: {
      windowSizeMs: WINDOW_SIZE,
      retentionMs: RETENTION,
      segmentIntervalMs: SEGMENT,
      retainDuplicates: r.dups,
    },
    storeConfig: { cacheMaxBytes: r.cacheMaxBytes },
  });
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Put implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly value: Uint8Array | null,
    readonly start: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.put(this.key, this.value, this.start);
    const s = m.now;
    if (this.value === null && m.dups) return;
    s.observed = Math.max(s.observed, this.start);
    if (this.start < minLive(s)) return;
    if (m.dups) {
      s.seq++;
      s.entries.push({ key: this.key, start: this.start, seq: s.seq, value: this.value! });
      return;
    }
    s.entries = s.entries.filter((e) => !(compareBytes(e.key, this.key) === 0 && e.start === this.start));
    if (this.value !== null) s.entries.push({ key: this.key, start: this.start, seq: 0, value: this.value });
    expect(r.store.streamTimeMs).toBe(s.observed);
  }
  toString = () => `put(${hex(this.key)}, ${this.value && hex(this.value)}, ${this.start})`;
}

class Fetch implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly start: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const match = live(m.now)
      .filter((e) => compareBytes(e.key, this.key) === 0 && e.start === this.start)
      .sort(byKeyTimeSeq)[0];
    const got = r.store.fetch(this.key, this.start);
    expect(got && hex(got)).toBe(match && hex(match.value));
  }
  toString = () => `fetch(${hex(this.key)}, ${this.start})`;
}

class FetchTimeRange implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly from: number,
    readonly to: number,
    readonly backward: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = shown(
      live(m.now)
        .filter((e) => compareBytes(e.key, this.key) === 0 && e.start >= this.from && e.start <= this.to)
        .sort(byKeyTimeSeq),
    );
    if (this.backward) expected.reverse();
    const it = this.backward
      ? r.store.backwardFetchTimeRange(this.key, this.from, this.to)
      : r.store.fetchTimeRange(this.key, this.from, this.to);
    expect(drainTimes(this.key, it)).toEqual(expected);
  }
  toString = () => `fetchTimeRange(${hex(this.key)}, ${this.from}, ${this.to}, ${this.backward})`;
}

class FetchKeyRange implements Cmd {
  constructor(
    readonly keyFrom: Uint8Array | null,
    readonly keyTo: Uint8Array | null,
    readonly from: number,
    readonly to: number,
    readonly backward: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const { keyFrom, keyTo } = this;
    const expected = shown(
      live(m.now)
        .filter(
          (e) =>
            (keyFrom === null || compareBytes(e.key, keyFrom) >= 0) &&
            (keyTo === null || compareBytes(e.key, keyTo) <= 0) &&
            e.start >= this.from &&
            e.start <= this.to,
        )
        .sort(byKeyTimeSeq),
    );
    if (this.backward) expected.reverse();
    const it = this.backward
      ? r.store.backwardFetchKeyRange(keyFrom, keyTo, this.from, this.to)
      : r.store.fetchKeyRange(keyFrom, keyTo, this.from, this.to);
    expect(drainWindowed(it)).toEqual(expected);
    if (keyFrom === null && keyTo === null) {
      const all = this.backward
        ? r.store.backwardFetchAll(this.from, this.to)
        : r.store.fetchAll(this.from, this.to);
      expect(drainWindowed(all)).toEqual(expected);
    }
  }
  toString = () =>
    `fetchKeyRange(${this.keyFrom && hex(this.keyFrom)}, ${this.keyTo && hex(this.keyTo)}, ${this.from}, ${this.to}, ${this.backward})`;
}

class All implements Cmd {
  constructor(readonly backward: boolean) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = shown(live(m.now).sort(byKeyTimeSeq));
    if (this.backward) expected.reverse();
    expect(drainWindowed(this.backward ? r.store.backwardAll() : r.store.all())).toEqual(expected);
  }
  toString = () => (this.backward ? 'backwardAll' : 'all');
}

class Commit implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.commit();
    m.committed = clone(m.now);
    // Expired segments have left the engine; only the metadata key and live segments remain.
    const lowest = Math.floor(minLive(m.now) / SEGMENT);
    for (const { key } of r.engine.iterator({ from: null, toExclusive: null, reverse: false })) {
      if (key.length > 0) expect(readOrderedInt64(key, 0)).toBeGreaterThanOrEqual(lowest);
    }
  }
  toString = () => 'commit';
}

const [abort, crashAndReopen] = rollbackCommands<State, Model, Real>(clone, open);

const time = fc.integer({ min: 0, max: 160 });
const value = fc.option(fc.uint8Array({ minLength: 1, maxLength: 3 }), { freq: 5 });
const commands = [
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, value, time).map(([k, v, t]) => new Put(k, v, t)),
  fc.tuple(smallKey, time).map(([k, t]) => new Fetch(k, t)),
  fc.tuple(smallKey, time, time, fc.boolean()).map(([k, a, b, back]) => new FetchTimeRange(k, a, b, back)),
  fc
    .tuple(fc.option(smallKey), fc.option(smallKey), time, time, fc.boolean())
    .map(([kf, kt, a, b, back]) => new FetchKeyRange(kf, kt, a, b, back)),
  fc.boolean().map((back) => new All(back)),
  fc.constant(new Commit()),
  fc.constant(abort),
  fc.constant(crashAndReopen),
];

describe.each(ENGINE_KINDS)('window store on the $kind engine against an array', (kind) => {
  it.each([
    { dups: false, cacheMaxBytes: 0 },
    { dups: true, cacheMaxBytes: 0 },
    { dups: false, cacheMaxBytes: 600 },
  ])(
    'agrees with the model (retain duplicates $dups, cache $cacheMaxBytes bytes)',
    async ({ dups, cacheMaxBytes }) => {
      await fc.assert(
        fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
          const place = kind.newPlace();
          const real = { place, dups, cacheMaxBytes } as Real;
          await open(real);
          const empty: State = { entries: [], observed: Number.MIN_SAFE_INTEGER, seq: 0 };
          const model: Model = { dups, now: clone(empty), committed: clone(empty) };
          try {
            await fc.asyncModelRun(() => ({ model, real }), cmds);
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
