/**
 * Changelogging and restoration with RocksDB on disk: a closed and reopened store replays nothing
 * but what it missed; a store whose files are corrupt is wiped and rebuilt from the changelog.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { StoreChangelogger } from '../../../src/state-stores/changelog/store-changelogger.js';
import { RocksDbEngineSource } from '../../../src/state-stores/restore/rocksdb-engine-source.js';
import { keyValueBytesStore } from '../../../src/state-stores/stores.js';
import { removeTempDirs, tempDir } from '../store-fixtures.js';
import { changelogCluster, dump, restoreInSim, runTransaction, TOPIC } from './changelog-fixtures.js';

afterAll(removeTempDirs);

describe('RocksDB stores and their changelog', () => {
  it('reopens with nothing to replay, replays only the commits it missed, and rebuilds a corrupt store from the changelog', async () => {
    const c = await changelogCluster(51);
    const source = new RocksDbEngineSource({ name: 'counts', dir: join(tempDir(), 'counts') });
    const first = await restoreInSim(c, { source });
    expect(first.result.records).toBe(0);
    let engine = first.engine;
    let store = keyValueBytesStore(engine, { cacheMaxBytes: 1024 });
    let changelogger = new StoreChangelogger({ store, engine, topic: TOPIC, partition: 0 });
    for (let t = 0; t < 6; t++) {
      const writes = [
        { key: `k${t % 4}`, value: `v${t}` },
        { key: `k${(t + 1) % 4}`, value: t % 3 === 0 ? null : `w${t}` },
        { key: `k${t % 4}`, value: `v${t}!` },
      ];
      await runTransaction(c, store, changelogger, writes, t !== 2);
    }
    const expected = dump(engine);
    await engine.close();

    const reopened = await restoreInSim(c, { source });
    expect(reopened.result.records).toBe(0);
    expect(reopened.result.wiped).toBeUndefined();
    expect(dump(reopened.engine)).toEqual(expected);

    // A twin restored now, then closed while the original commits twice more: it replays those only.
    const twin = new RocksDbEngineSource({ name: 'twin', dir: join(tempDir(), 'twin') });
    await (await restoreInSim(c, { source: twin })).engine.close();
    engine = reopened.engine;
    store = keyValueBytesStore(engine, { cacheMaxBytes: 1024 });
    changelogger = new StoreChangelogger({ store, engine, topic: TOPIC, partition: 0 });
    const sent =
      (await runTransaction(
        c,
        store,
        changelogger,
        [
          { key: 'x', value: '1' },
          { key: 'k1', value: null },
        ],
        true,
      )) + (await runTransaction(c, store, changelogger, [{ key: 'y', value: '2' }], true));
    const tail = await restoreInSim(c, { source: twin });
    expect(tail.result.records).toBe(sent);
    expect(dump(tail.engine)).toEqual(dump(engine));
    await tail.engine.close();
    const expectedNow = dump(engine);
    await engine.close();

    // Garbage where RocksDB expects its CURRENT file: the store cannot open, and is rebuilt.
    writeFileSync(join(twin.dir, 'CURRENT'), 'not a manifest name\n');
    const rebuilt = await restoreInSim(c, { source: twin });
    expect(rebuilt.result.wiped).toBe('corrupt');
    expect(rebuilt.events.find((e) => e.type === 'storeWiped')?.message).toMatch(/failed to open as corrupt/);
    expect(dump(rebuilt.engine)).toEqual(expectedNow);
    await rebuilt.engine.close();
  });
});
