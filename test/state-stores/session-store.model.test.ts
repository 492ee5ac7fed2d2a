/**
 * Model-based test of the session store against an array, on both engines and with a small cache:
 * random puts and removes of sessions (advancing stream time by session end, expiring old
 * sessions), the fetches session merging needs (findSessions by key and key range, both ways),
 * findSessionsByEndTime, fetchSession, fetch, commits, aborts and crash-reopens.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { bytesSerde } from '../../src/serdes/bytes-serde.js';
import { compareBytes } from '../../src/state-stores/byte-order.js';
import type { StoreEngine } from '../../src/state-stores/engine.js';
import type { KeyValueIterator } from '../../src/state-stores/key-value-iterator.js';
import type { SessionStore } from '../../src/state-stores/session/session-store.js';
import { sessionStore } from '../../src/state-stores/session/session-stores.js';
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

const RETENTION = 60;
const SEGMENT = 20;
const NONE = Number.MIN_SAFE_INTEGER;

interface Session {
  key: Uint8Array;
  start: number;
  end: number;
  value: Uint8Array;
}

interface State {
  sessions: Session[];
  observed: number;
}

interface Model {
  now: State;
  committed: State;
}

interface Real {
  place: EnginePlace;
  engine: StoreEngine;
  store: SessionStore<Uint8Array, Uint8Array>;
  cacheMaxBytes: number;
}

const clone = (s: State): State => ({ sessions: [...s.sessions], observed: s.observed });
const minLive = (s: State) => (s.observed === NONE ? NONE : s.observed - RETENTION + 1);
const live = (s: State) => s.sessions.filter((x) => x.end >= minLive(s));
const byKeyEndStart = (a: Session, b: Session) =>
  compareBytes(a.key, b.key) || a.end - b.end || a.start - b.start;
const shown = (xs: Session[], backward: boolean) => {
  const out = xs.sort(byKeyEndStart).map((x) => `${hex(x.key)}[${x.start},${x.end}]=${hex(x.value)}`);
  return backward ? out.reverse() : out;
};
const sameKey = (a: Uint8Array, b: Uint8Array) => compareBytes(a, b) === 0;
const inKeys = (k: Uint8Array, from: Uint8Array | null, to: Uint8Array | null) =>
  (from === null || compareBytes(k, from) >= 0) && (to === null || compareBytes(k, to) <= 0);

function drain(it: KeyValueIterator<Windowed<Uint8Array>, Uint8Array>): string[] {
  const out: string[] = [];
  for (const { key, value } of it)
    out.push(`${hex(key.key)}[${key.window.startMs},${key.window.endMs}]=${hex(value)}`);
  return out;
}

async function open(r: Real) {
  r.engine = await r.place.open('sessions');
  r.store = sessionStore({
    engine: r.engine,
    keySerde: bytesSerde,
    valueSerde: bytesSerde,
    config: { retentionMs: RETENTION, segmentIntervalMs: SEGMENT },
    storeConfig: { cacheMaxBytes: r.cacheMaxBytes },
  });
}

type Cmd = fc.AsyncCommand<Model, Real>;

class Put implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly start: number,
    readonly length: number,
    readonly value: Uint8Array | null,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const end = this.start + this.length;
    const sessionKey = { key: this.key, window: { startMs: this.start, endMs: end } };
    if (this.value === null) r.store.remove(sessionKey);
    else r.store.put(sessionKey, this.value);
    const s = m.now;
    s.observed = Math.max(s.observed, end);
    if (end < minLive(s)) return;
    s.sessions = s.sessions.filter(
      (x) => !(sameKey(x.key, this.key) && x.start === this.start && x.end === end),
    );
    if (this.value !== null) s.sessions.push({ key: this.key, start: this.start, end, value: this.value });
  }
  toString = () =>
    `put(${hex(this.key)}[${this.start},${this.start + this.length}], ${this.value && hex(this.value)})`;
}

class FindSessions implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly earliestEnd: number,
    readonly latestStart: number,
    readonly backward: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = shown(
      live(m.now).filter(
        (x) => sameKey(x.key, this.key) && x.end >= this.earliestEnd && x.start <= this.latestStart,
      ),
      this.backward,
    );
    const it = this.backward
      ? r.store.backwardFindSessions(this.key, this.earliestEnd, this.latestStart)
      : r.store.findSessions(this.key, this.earliestEnd, this.latestStart);
    expect(drain(it)).toEqual(expected);
  }
  toString = () =>
    `findSessions(${hex(this.key)}, ${this.earliestEnd}, ${this.latestStart}, ${this.backward})`;
}

class FindInKeyRange implements Cmd {
  constructor(
    readonly from: Uint8Array | null,
    readonly to: Uint8Array | null,
    readonly earliestEnd: number,
    readonly latestStart: number,
    readonly backward: boolean,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = shown(
      live(m.now).filter(
        (x) => inKeys(x.key, this.from, this.to) && x.end >= this.earliestEnd && x.start <= this.latestStart,
      ),
      this.backward,
    );
    const it = this.backward
      ? r.store.backwardFindSessionsInKeyRange(this.from, this.to, this.earliestEnd, this.latestStart)
      : r.store.findSessionsInKeyRange(this.from, this.to, this.earliestEnd, this.latestStart);
    expect(drain(it)).toEqual(expected);
    const everything = shown(
      live(m.now).filter((x) => inKeys(x.key, this.from, this.to)),
      this.backward,
    );
    const all = this.backward
      ? r.store.backwardFetchKeyRange(this.from, this.to)
      : r.store.fetchKeyRange(this.from, this.to);
    expect(drain(all)).toEqual(everything);
  }
  toString = () =>
    `findInKeyRange(${this.from && hex(this.from)}, ${this.to && hex(this.to)}, ${this.earliestEnd}, ${this.latestStart}, ${this.backward})`;
}

class ByEndTime implements Cmd {
  constructor(
    readonly earliestEnd: number,
    readonly latestEnd: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const expected = shown(
      live(m.now).filter((x) => x.end >= this.earliestEnd && x.end <= this.latestEnd),
      false,
    );
    expect(drain(r.store.findSessionsByEndTime(this.earliestEnd, this.latestEnd))).toEqual(expected);
  }
  toString = () => `byEndTime(${this.earliestEnd}, ${this.latestEnd})`;
}

class FetchSession implements Cmd {
  constructor(
    readonly key: Uint8Array,
    readonly start: number,
    readonly length: number,
  ) {}
  check = () => true;
  async run(m: Model, r: Real) {
    const end = this.start + this.length;
    const match = live(m.now).find(
      (x) => sameKey(x.key, this.key) && x.start === this.start && x.end === end,
    );
    const got = r.store.fetchSession(this.key, this.start, end);
    expect(got && hex(got)).toBe(match && hex(match.value));
    const all = shown(
      live(m.now).filter((x) => sameKey(x.key, this.key)),
      false,
    );
    expect(drain(r.store.fetch(this.key))).toEqual(all);
    expect(drain(r.store.backwardFetch(this.key))).toEqual([...all].reverse());
  }
  toString = () => `fetchSession(${hex(this.key)}, ${this.start}, ${this.start + this.length})`;
}

class Commit implements Cmd {
  check = () => true;
  async run(m: Model, r: Real) {
    r.store.commit();
    m.committed = clone(m.now);
  }
  toString = () => 'commit';
}

const [abort, crashAndReopen] = rollbackCommands<State, Model, Real>(clone, open);

const time = fc.integer({ min: 0, max: 200 });
const length = fc.integer({ min: 0, max: 30 });
const value = fc.option(fc.uint8Array({ minLength: 1, maxLength: 3 }), { freq: 5 });
const commands = [
  fc.tuple(smallKey, time, length, value).map(([k, s, l, v]) => new Put(k, s, l, v)),
  fc.tuple(smallKey, time, length, value).map(([k, s, l, v]) => new Put(k, s, l, v)),
  fc.tuple(smallKey, time, length, value).map(([k, s, l, v]) => new Put(k, s, l, v)),
  fc.tuple(smallKey, time, time, fc.boolean()).map(([k, e, s, b]) => new FindSessions(k, e, s, b)),
  fc
    .tuple(fc.option(smallKey), fc.option(smallKey), time, time, fc.boolean())
    .map(([f, t, e, s, b]) => new FindInKeyRange(f, t, e, s, b)),
  fc.tuple(time, time).map(([a, b]) => new ByEndTime(a, b)),
  fc.tuple(smallKey, time, length).map(([k, s, l]) => new FetchSession(k, s, l)),
  fc.constant(new Commit()),
  fc.constant(abort),
  fc.constant(crashAndReopen),
];

describe.each(ENGINE_KINDS)('session store on the $kind engine against an array', (kind) => {
  it.each([0, 500])('agrees with the model (cache of %i bytes)', async (cacheMaxBytes) => {
    await fc.assert(
      fc.asyncProperty(fc.commands(commands, { maxCommands: 50, size: 'max' }), async (cmds) => {
        const place = kind.newPlace();
        const real = { place, cacheMaxBytes } as Real;
        await open(real);
        const empty: State = { sessions: [], observed: NONE };
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
