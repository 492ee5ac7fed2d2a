/**
 * Bad input and misuse get clear, typed errors: undeserializable stored bytes, use of a store or of
 * an iterator after close (or after the engine's process crashed), invalid configuration, a
 * directory or volume already in use, keys that serialize to null, and the transaction bound.
 */
import { afterAll, describe, expect, it } from 'vitest';
import {
  ConfigError,
  InvalidRecordError,
  MillraceError,
  SerializationError,
  StateStoreFailedError,
  StoreClosedError,
} from '../../src/common/errors.js';
import { bytesSerde } from '../../src/serdes/bytes-serde.js';
import { int64Serde } from '../../src/serdes/number-serdes.js';
import type { Serde } from '../../src/serdes/serde.js';
import { stringSerde } from '../../src/serdes/string-serde.js';
import { MemoryEngine, MemoryVolume } from '../../src/state-stores/memory/memory-engine.js';
import { resolveRocksDbConfig } from '../../src/state-stores/rocksdb/rocksdb-config.js';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { sessionStore } from '../../src/state-stores/session/session-stores.js';
import { resolveStoreConfig } from '../../src/state-stores/store-config.js';
import { keyValueBytesStore, keyValueStore } from '../../src/state-stores/stores.js';
import { versionedKeyValueStore } from '../../src/state-stores/versioned/versioned-stores.js';
import { resolveWindowStoreConfig } from '../../src/state-stores/window/window-config.js';
import { windowStore } from '../../src/state-stores/window/window-stores.js';
import { ENGINE_KINDS, removeTempDirs, tempDir } from './store-fixtures.js';

afterAll(removeTempDirs);

const b = (s: string) => Buffer.from(s);

function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error, but nothing was thrown');
}

describe('the new error classes', () => {
  it.each([
    [
      new SerializationError('int32', 'orders', 'expected 4 bytes, got 3'),
      'SerializationError',
      'SERIALIZATION_ERROR',
    ],
    [new StoreClosedError('counts'), 'StoreClosedError', 'STORE_CLOSED'],
    [new StateStoreFailedError('counts', 'lock held'), 'StateStoreFailedError', 'STATE_STORE_FAILED'],
  ])('%s has its name, a stable code and is not retriable', (error, name, code) => {
    expect(error).toBeInstanceOf(MillraceError);
    expect(error.name).toBe(name);
    expect(error.code).toBe(code);
    expect(error.retriable).toBe(false);
  });
});

describe.each(ENGINE_KINDS)('misuse of stores on the $kind engine', (kind) => {
  it('reading bytes the value serde cannot decode gives a SerializationError that names the serde, the store and what to do', async () => {
    const place = kind.newPlace();
    const engine = await place.open('counts');
    const raw = keyValueBytesStore(engine, { cacheMaxBytes: 0 });
    raw.put(b('alice'), b('three'));
    raw.commit();
    const counts = keyValueStore({
      engine,
      keySerde: stringSerde,
      valueSerde: int64Serde,
      config: { cacheMaxBytes: 0 },
    });
    const e = thrown(() => counts.get('alice')) as SerializationError;
    expect(e).toBeInstanceOf(SerializationError);
    expect(e.serde).toBe('int64');
    expect(e.topic).toBe('counts');
    expect(e.message).toContain('expected 8 bytes, got 5');
    expect(e.message).toMatch(/check that the serde configured for it matches the data/i);
    expect(() => [...counts.all()]).toThrow(SerializationError);
    await engine.close();
    place.dispose();
  });

  it('every call on a closed store, and on an iterator left open across close, throws StoreClosedError', async () => {
    const place = kind.newPlace();
    const store = keyValueStore({
      engine: await place.open('closing'),
      keySerde: stringSerde,
      valueSerde: stringSerde,
    });
    store.put('a', '1');
    store.put('b', '2');
    store.commit();
    const it = store.all();
    expect(it.next().value).toEqual({ key: 'a', value: '1' });
    await store.close();
    await store.close(); // idempotent
    expect(() => it.next()).toThrow(StoreClosedError);
    for (const call of [
      () => store.get('a'),
      () => store.put('a', '2'),
      () => store.range(null, null),
      () => store.range('b', 'a'),
      () => store.commit(),
      () => store.approximateNumEntries(),
    ]) {
      const e = thrown(call) as StoreClosedError;
      expect(e).toBeInstanceOf(StoreClosedError);
      expect(e.message).toContain('"closing" is closed');
    }
    place.dispose();
  });

  it('window, session and versioned stores refuse use after close', async () => {
    for (const open of [
      (engine: MemoryEngine | RocksDbEngine) =>
        windowStore({ engine, keySerde: stringSerde, valueSerde: stringSerde, config: { windowSizeMs: 10 } }),
      (engine: MemoryEngine | RocksDbEngine) =>
        sessionStore({ engine, keySerde: stringSerde, valueSerde: stringSerde }),
      (engine: MemoryEngine | RocksDbEngine) =>
        versionedKeyValueStore({ engine, keySerde: stringSerde, valueSerde: stringSerde }),
    ]) {
      const place = kind.newPlace();
      const store = open((await place.open('s')) as MemoryEngine | RocksDbEngine);
      await store.close();
      expect(() => store.commit()).toThrow(StoreClosedError);
      expect(() => store.abort()).toThrow(StoreClosedError);
      place.dispose();
    }
  });

  it('a key that serializes to null is refused with InvalidRecordError', async () => {
    const place = kind.newPlace();
    const nullKeys: Serde<string> = { name: 'null-keys', serialize: () => null, deserialize: () => '' };
    const store = keyValueStore({
      engine: await place.open('k'),
      keySerde: nullKeys,
      valueSerde: stringSerde,
    });
    expect(() => store.put('a', '1')).toThrow(InvalidRecordError);
    expect(() => store.put('a', '1')).toThrow(/serialized to null with serde null-keys/);
    await store.close();
    place.dispose();
  });

  it('reports commitNeeded once the open transaction holds maxUncommittedBytes', async () => {
    const place = kind.newPlace();
    const store = keyValueBytesStore(await place.open('bounded'), {
      cacheMaxBytes: 0,
      maxUncommittedBytes: 1000,
    });
    while (!store.commitNeeded) store.put(b(`key-${store.uncommittedBytes}`), new Uint8Array(100));
    expect(store.uncommittedBytes).toBeGreaterThanOrEqual(1000);
    store.commit();
    expect(store.commitNeeded).toBe(false);
    await store.close();
    place.dispose();
  });
});

describe('engines already in use', () => {
  it('a second memory engine on the same volume fails with StateStoreFailedError; a crash frees it', () => {
    const volume = new MemoryVolume();
    const first = MemoryEngine.open('v', volume);
    expect(() => MemoryEngine.open('v', volume)).toThrow(StateStoreFailedError);
    volume.crash();
    expect(() => first.get(b('a'))).toThrow(StoreClosedError);
    expect(MemoryEngine.open('v', volume).isOpen).toBe(true);
  });

  it('a second RocksDB engine on the same directory fails with StateStoreFailedError naming the lock', async () => {
    const dir = tempDir();
    const first = await RocksDbEngine.open({ name: 'locked', dir });
    const e = await RocksDbEngine.open({ name: 'locked', dir }).then(
      () => undefined,
      (err: unknown) => err,
    );
    expect(e).toBeInstanceOf(StateStoreFailedError);
    expect((e as Error).message).toMatch(/lock/i);
    expect((e as Error).message).toContain(dir);
    await first.close();
    expect(() => first.get(b('a'))).toThrow(StoreClosedError);
  });
});

describe('invalid configuration', () => {
  it.each([
    ['a negative cache size', () => resolveStoreConfig({ cacheMaxBytes: -1 }), 'cacheMaxBytes'],
    ['a fractional cache size', () => resolveStoreConfig({ cacheMaxBytes: 1.5 }), 'cacheMaxBytes'],
    ['a zero transaction bound', () => resolveStoreConfig({ maxUncommittedBytes: 0 }), 'maxUncommittedBytes'],
    ['a misspelt key', () => resolveStoreConfig({ cacheMaxByte: 1 } as never), 'cacheMaxByte'],
    ['a missing window size', () => resolveWindowStoreConfig({} as never), 'windowSizeMs'],
    [
      'a retention shorter than the window',
      () => resolveWindowStoreConfig({ windowSizeMs: 100, retentionMs: 50 }),
      'retentionMs',
    ],
    ['a negative block cache', () => resolveRocksDbConfig({ blockCacheBytes: -1 }), 'blockCacheBytes'],
    [
      'a negative history retention',
      () =>
        versionedKeyValueStore({
          engine: MemoryEngine.open('x'),
          keySerde: bytesSerde,
          valueSerde: bytesSerde,
          config: { historyRetentionMs: -1 },
        }),
      'historyRetentionMs',
    ],
  ])('%s gives a ConfigError naming the key', (_what, f, key) => {
    const e = thrown(f) as ConfigError;
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.key).toBe(key);
    expect(e.message).toContain(`invalid config ${key}`);
  });

  it('fills in defaults, including Kafka’s segment interval', () => {
    expect(resolveStoreConfig()).toEqual({
      cacheMaxBytes: 1024 * 1024,
      maxUncommittedBytes: 64 * 1024 * 1024,
      sendOldValues: false,
    });
    expect(resolveWindowStoreConfig({ windowSizeMs: 60_000 }).segmentIntervalMs).toBe(12 * 60 * 60 * 1000);
    expect(resolveWindowStoreConfig({ windowSizeMs: 10, retentionMs: 100 }).segmentIntervalMs).toBe(60_000);
  });
});
