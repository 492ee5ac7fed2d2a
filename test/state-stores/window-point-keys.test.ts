/**
 * The single-window fast paths of the window store: store keys written straight from ASCII string
 * keys, remembered between a fetch and the put that follows, handed to the transaction buffer
 * without copies; the timestamped int64 serde written and read in place; bytesId of plain arrays.
 * Each is checked against the general path it replaces.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SerializationError } from '../../src/common/errors.js';
import { int64Serde } from '../../src/serdes/number-serdes.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { bytesId } from '../../src/state-stores/byte-order.js';
import { MemoryEngine } from '../../src/state-stores/memory/memory-engine.js';
import { valueAndTimestampSerde } from '../../src/state-stores/timestamped-key-value-store.js';
import { windowStoreKey, windowStoreKeyOfAscii } from '../../src/state-stores/window/window-key-schema.js';
import { windowStore } from '../../src/state-stores/window/window-stores.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const time = fc.integer({ min: -1_000_000, max: 1_000_000 });

describe('windowStoreKeyOfAscii', () => {
  it('equals windowStoreKey of the UTF-8 bytes for ASCII keys (0x00 included), null otherwise', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.nat(1000), time, fc.nat(), (key, segment, start, seq) => {
        const fast = windowStoreKeyOfAscii(segment, key, start, seq);
        // biome-ignore lint/suspicious/noControlCharactersInRegex: the ASCII range is the point.
        if (!/^[\x00-\x7f]*$/.test(key)) expect(fast).toBeNull();
        else
          expect(Buffer.from(fast!)).toEqual(
            Buffer.from(windowStoreKey(segment, Buffer.from(key, 'utf8'), start, seq)),
          );
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('bytesId', () => {
  it('reads plain arrays, views and Buffers alike, as latin1', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 70 }), fc.nat(5), (bytes, cut) => {
        const view = bytes.subarray(Math.min(cut, bytes.length));
        expect(bytesId(bytes)).toBe(Buffer.from(bytes).toString('latin1'));
        expect(bytesId(view)).toBe(Buffer.from(view).toString('latin1'));
        expect(bytesId(Buffer.from(view))).toBe(bytesId(view));
      }),
      { numRuns: RUNS * 5 },
    );
  });
});

describe('valueAndTimestampSerde over int64', () => {
  const fast = valueAndTimestampSerde(Serdes.int64());
  const general = valueAndTimestampSerde({ ...int64Serde, name: 'int64' });
  const safe = fc.maxSafeInteger().chain((n) => fc.constantFrom(n, -n));

  it('writes and reads the same bytes as the general path', () => {
    fc.assert(
      fc.property(safe, safe, (value, timestampMs) => {
        const bytes = fast.serialize('t', { value, timestampMs })!;
        expect(Buffer.from(bytes)).toEqual(Buffer.from(general.serialize('t', { value, timestampMs })!));
        expect(fast.deserialize('t', bytes)).toEqual(general.deserialize('t', bytes));
      }),
      { numRuns: RUNS * 5 },
    );
  });

  it('refuses what the general path refuses, with the same errors', () => {
    const unsafe = Buffer.alloc(16, 0x7f);
    expect(() => fast.deserialize('t', unsafe)).toThrow(SerializationError);
    expect(() => fast.deserialize('t', new Uint8Array(12))).toThrow(/expected 8 bytes/);
    expect(() => fast.deserialize('t', new Uint8Array(7))).toThrow(/at least 8 bytes/);
    expect(() => fast.serialize('t', { value: 1, timestampMs: 0.5 })).toThrow(/not a safe integer/);
    expect(() => fast.serialize('t', { value: 2 ** 60, timestampMs: 0 })).toThrow(SerializationError);
  });
});

type Op =
  | { kind: 'update'; key: string; start: number }
  | { kind: 'put'; key: string; start: number; value: number | null }
  | { kind: 'fetch'; key: string; start: number }
  | { kind: 'commit' }
  | { kind: 'abort' };

describe('window store with string keys', () => {
  const key = fc.constantFrom('a', 'b', 'a\u0000', '\u0000', '', 'é', 'user-1', 'user-10');
  const start = fc.integer({ min: 0, max: 5 }).map((n) => n * 1000);
  const op: fc.Arbitrary<Op> = fc.oneof(
    { weight: 4, arbitrary: fc.record({ kind: fc.constant('update' as const), key, start }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('put' as const),
        key,
        start,
        value: fc.option(fc.integer(), { nil: null }),
      }),
    },
    { weight: 2, arbitrary: fc.record({ kind: fc.constant('fetch' as const), key, start }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'commit' as const }) },
    { weight: 1, arbitrary: fc.constant({ kind: 'abort' as const }) },
  );

  it('fetches what was put, across fetch-then-put pairs, commits and aborts', () => {
    fc.assert(
      fc.property(fc.array(op, { maxLength: 120 }), fc.boolean(), (ops, cached) => {
        const store = windowStore({
          engine: MemoryEngine.open('w'),
          keySerde: Serdes.string(),
          valueSerde: Serdes.int64(),
          config: { windowSizeMs: 1000, retentionMs: 1_000_000 },
          storeConfig: { cacheMaxBytes: cached ? 1 << 16 : 0 },
        });
        let live = new Map<string, number>();
        let committed = new Map<string, number>();
        const id = (k: string, s: number) => `${JSON.stringify(k)}@${s}`;
        for (const o of ops) {
          if (o.kind === 'update') {
            const old = store.fetch(o.key, o.start);
            expect(old).toBe(live.get(id(o.key, o.start)));
            store.put(o.key, (old ?? 0) + 1, o.start);
            live.set(id(o.key, o.start), (old ?? 0) + 1);
          } else if (o.kind === 'put') {
            store.put(o.key, o.value, o.start);
            if (o.value === null) live.delete(id(o.key, o.start));
            else live.set(id(o.key, o.start), o.value);
          } else if (o.kind === 'fetch') {
            expect(store.fetch(o.key, o.start)).toBe(live.get(id(o.key, o.start)));
          } else if (o.kind === 'commit') {
            store.commit();
            committed = new Map(live);
          } else {
            store.abort();
            live = new Map(committed);
          }
        }
        const all = [...store.all()].map((e) => [id(e.key.key, e.key.window.startMs), e.value]);
        expect(new Map(all as [string, number][])).toEqual(live);
      }),
      { numRuns: RUNS },
    );
  });
});
