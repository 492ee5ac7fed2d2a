/**
 * Typed key-value stores: serdes on both sides, range and prefix scans in the byte order of the
 * serialized keys (inclusive bounds, null for open, nothing when from sorts after to), and the
 * timestamped store's value layout. Runs on both engines.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { int64Serde } from '../../src/serdes/number-serdes.js';
import { stringSerde } from '../../src/serdes/string-serde.js';
import type { KeyValueIterator } from '../../src/state-stores/key-value-iterator.js';
import {
  keyValueBytesStore,
  keyValueStore,
  timestampedKeyValueStore,
} from '../../src/state-stores/stores.js';
import { ENGINE_KINDS, removeTempDirs } from './store-fixtures.js';

afterAll(removeTempDirs);

const entries = <K, V>(it: KeyValueIterator<K, V>) => [...it].map((e) => [e.key, e.value]);

describe.each(ENGINE_KINDS)('typed key-value stores on the $kind engine', (kind) => {
  it('scans string keys in byte order with inclusive and open bounds, and by prefix', async () => {
    const place = kind.newPlace();
    const store = keyValueStore({
      engine: await place.open('words'),
      keySerde: stringSerde,
      valueSerde: int64Serde,
    });
    for (const [i, w] of ['b', 'a', 'ab', 'abc', 'b\u0000', 'é', 'z'].entries()) store.put(w, i);
    expect(entries(store.range('a', 'b'))).toEqual([
      ['a', 1],
      ['ab', 2],
      ['abc', 3],
      ['b', 0],
    ]);
    expect(entries(store.reverseRange('ab', null))).toEqual([
      ['é', 5],
      ['z', 6],
      ['b\u0000', 4],
      ['b', 0],
      ['abc', 3],
      ['ab', 2],
    ]);
    expect(entries(store.range('b', 'a'))).toEqual([]);
    expect(entries(store.prefixScan('ab', stringSerde))).toEqual([
      ['ab', 2],
      ['abc', 3],
    ]);
    store.commit();
    expect(entries(store.all()).map(([k]) => k)).toEqual(['a', 'ab', 'abc', 'b', 'b\u0000', 'z', 'é']);
    expect(entries(store.reverseAll())[0]).toEqual(['é', 5]);
    expect(store.putIfAbsent('a', 9)).toBe(1);
    expect(store.putIfAbsent('new', 9)).toBeUndefined();
    expect(store.delete('new')).toBe(9);
    store.putAll([
      { key: 'x', value: 1 },
      { key: 'z', value: null },
    ]);
    expect(store.get('z')).toBeUndefined();
    expect(store.get('x')).toBe(1);
    await store.close();
    place.dispose();
  });

  it('keeps its own copies of keys and values, so a writer may reuse its Buffers', async () => {
    const place = kind.newPlace();
    for (const cacheMaxBytes of [0, 1 << 16]) {
      const store = keyValueBytesStore(await place.open('copies'), { cacheMaxBytes });
      const key = Buffer.from('key');
      const value = Buffer.from('value');
      store.put(key, value);
      key.write('KEY');
      value.write('VALUE');
      expect(Buffer.from(store.get(Buffer.from('key'))!).toString()).toBe('value');
      store.commit();
      expect(Buffer.from(store.get(Buffer.from('key'))!).toString()).toBe('value');
      const prefix = Buffer.from('ke');
      expect([...store.prefixScanBytes(prefix)]).toHaveLength(1);
      expect(prefix.toString()).toBe('ke');
      await store.close();
    }
    place.dispose();
  });

  it('sees flushed, uncommitted writes of a cached store in gets and scans, with snapshots and deletes', async () => {
    const place = kind.newPlace();
    const store = keyValueStore({
      engine: await place.open('flushed'),
      keySerde: stringSerde,
      valueSerde: int64Serde,
      config: { cacheMaxBytes: 1 << 20 },
    });
    // Committed: a, b, é (a non-ASCII key takes the bytes path of the cache's index).
    store.put('a', 1);
    store.put('b', 2);
    store.put('é', 3);
    store.commit();
    // A flush hands the cache's writes to the transaction buffer; nothing is committed yet.
    store.put('c', 4);
    store.put('é', 5);
    store.delete('a');
    store.flush();
    expect(store.get('é')).toBe(5);
    expect(store.get('a')).toBeUndefined();
    const before = store.all();
    store.put('b', 6);
    store.put('d', 7);
    store.flush();
    expect(entries(before)).toEqual([
      ['b', 2],
      ['c', 4],
      ['é', 5],
    ]);
    expect(entries(store.reverseAll())).toEqual([
      ['é', 5],
      ['d', 7],
      ['c', 4],
      ['b', 6],
    ]);
    store.abort();
    expect(entries(store.all())).toEqual([
      ['a', 1],
      ['b', 2],
      ['é', 3],
    ]);
    store.put('e\u00e9', 8);
    store.put('a', 9);
    store.commit();
    expect(entries(store.all())).toEqual([
      ['a', 9],
      ['b', 2],
      ['e\u00e9', 8],
      ['é', 3],
    ]);
    await store.close();
  });

  it('keeps values with their timestamps in a timestamped store, timestamp first as Kafka lays it out', async () => {
    const place = kind.newPlace();
    const engine = await place.open('table');
    const table = timestampedKeyValueStore({ engine, keySerde: stringSerde, valueSerde: int64Serde });
    table.put('alice', { value: 3, timestampMs: 1_700_000_000_000 });
    table.commit();
    expect(table.get('alice')).toEqual({ value: 3, timestampMs: 1_700_000_000_000 });
    const raw = engine.get(Buffer.from('alice'))!;
    expect(Buffer.from(raw).toString('hex')).toBe(
      `${(1_700_000_000_000).toString(16).padStart(16, '0')}0000000000000003`,
    );
    await table.close();
    place.dispose();
  });
});
