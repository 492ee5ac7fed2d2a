/**
 * Restoration's bookkeeping and recovery: progress events that add up to the total, a store without
 * offsets or with an offset outside the changelog wiped and rebuilt from the start with an event
 * saying why, an open transaction never restored, and a window store whose stream time survives.
 */
import { describe, expect, it } from 'vitest';
import { Serdes } from '../../../src/serdes/serdes.js';
import { StoreChangelogger } from '../../../src/state-stores/changelog/store-changelogger.js';
import { MemoryEngineSource } from '../../../src/state-stores/restore/memory-engine-source.js';
import type { RestoreEvent } from '../../../src/state-stores/restore/restore-events.js';
import { keyValueBytesStore } from '../../../src/state-stores/stores.js';
import { windowStore } from '../../../src/state-stores/window/window-stores.js';
import { settle } from '../../log/broker/cluster-fixtures.js';
import {
  type ChangelogCluster,
  changelogCluster,
  dump,
  restoreInSim,
  runTransaction,
  TOPIC,
} from './changelog-fixtures.js';

const ID = `${TOPIC}/0`;

/** A cluster whose changelog holds `transactions` committed transactions of 5 writes each (and one aborted). */
async function withHistory(seed: number, transactions: number) {
  const c = await changelogCluster(seed);
  const source = new MemoryEngineSource('store');
  const engine = await source.open();
  const store = keyValueBytesStore(engine, { cacheMaxBytes: 0 });
  const changelogger = new StoreChangelogger({ store, engine, topic: TOPIC, partition: 0 });
  let records = 0;
  for (let t = 0; t < transactions; t++) {
    const writes = Array.from({ length: 5 }, (_, i) => ({
      key: `k${(t * 3 + i) % 11}`,
      value: `v${t}-${i}`,
    }));
    records += await runTransaction(c, store, changelogger, writes, true);
    if (t === 1) await runTransaction(c, store, changelogger, [{ key: 'zombie', value: 'x' }], false);
  }
  return { c, source, engine, store, changelogger, records };
}

function ofType<T extends RestoreEvent['type']>(events: RestoreEvent[], type: T) {
  return events.filter((e): e is Extract<RestoreEvent, { type: T }> => e.type === type);
}

describe('restoration progress and recovery', () => {
  it('emits progress per fetch whose restored counts rise to the total, with records and a rate', async () => {
    const { c, engine, records } = await withHistory(31, 12);
    const {
      events,
      result,
      engine: restored,
    } = await restoreInSim(c, {
      source: new MemoryEngineSource('fresh'),
      maxBytesPerFetch: 150,
    });
    const started = ofType(events, 'restoreStarted');
    const progress = ofType(events, 'restoreProgress');
    expect(started).toHaveLength(1);
    expect(started[0]!.fromScratch).toBe(true);
    expect(progress.length).toBeGreaterThan(3);
    for (let i = 1; i < progress.length; i++) {
      expect(progress[i]!.restored).toBeGreaterThan(progress[i - 1]!.restored);
      expect(progress[i]!.records).toBeGreaterThanOrEqual(progress[i - 1]!.records);
    }
    const last = progress.at(-1)!;
    expect(last.restored).toBe(started[0]!.total);
    expect(last.total).toBe(started[0]!.total);
    expect(last.records).toBe(records);
    expect(result.records).toBe(records);
    expect(progress.every((p) => p.ratePerSec >= 0 && p.store === 'fresh' && p.partition === 0)).toBe(true);
    expect(ofType(events, 'restoreEnded')[0]!.records).toBe(records);
    expect(dump(restored)).toEqual(dump(engine));
  });

  it('wipes a store that holds data without a changelog offset and rebuilds it from offset 0', async () => {
    const { c, engine } = await withHistory(32, 4);
    const source = new MemoryEngineSource('orphan');
    const orphan = await source.open();
    orphan.write([{ key: Buffer.from('stale'), value: Buffer.from('junk') }]);
    await orphan.close();
    const { events, result, engine: rebuilt } = await restoreInSim(c, { source });
    expect(result.wiped).toBe('noOffsets');
    expect(result.startOffset).toBe(0);
    expect(ofType(events, 'storeWiped')[0]!.message).toMatch(/no offset of changelog app-store-changelog-0/);
    expect(dump(rebuilt)).toEqual(dump(engine));
  });

  it('wipes a store whose offset lies past the changelog end and rebuilds it, saying why', async () => {
    const { c, engine } = await withHistory(33, 3);
    const source = new MemoryEngineSource('ahead');
    const ahead = await source.open();
    ahead.write(
      [{ key: Buffer.from('k0'), value: Buffer.from('from another life') }],
      new Map([[ID, 10_000]]),
    );
    await ahead.close();
    const { events, result, engine: rebuilt } = await restoreInSim(c, { source });
    expect(result.wiped).toBe('offsetOutOfRange');
    const wiped = ofType(events, 'storeWiped');
    expect(wiped).toHaveLength(1);
    expect(wiped[0]!.message).toMatch(/up to offset 10000, outside the changelog's \[0, \d+\].*lost data/);
    expect(dump(rebuilt)).toEqual(dump(engine));
  });

  it('wipes a store whose offset lies before the changelog start (retention passed it) and rebuilds from the start', async () => {
    const { c, records } = await withHistory(34, 4);
    // The log start moves to offset 5 as retention would; the store still needs offset 2.
    const reader = {
      listOffset: (t: string, p: number, ts: number, iso?: 'read_committed' | 'read_uncommitted') =>
        ts === -2 ? Promise.resolve({ offset: 5 }) : c.client.listOffset(t, p, ts, iso),
      fetch: c.client.fetch.bind(c.client),
    };
    const source = new MemoryEngineSource('behind');
    const behind = await source.open();
    behind.write([{ key: Buffer.from('k0'), value: Buffer.from('old') }], new Map([[ID, 2]]));
    await behind.close();
    const { events, result } = await restoreInSim(c, { source, reader });
    expect(result.wiped).toBe('offsetOutOfRange');
    expect(result.startOffset).toBe(5);
    expect(ofType(events, 'storeWiped')[0]!.message).toMatch(/retention removed records/);
    expect(result.records).toBe(records - 5);
  });

  it('never restores the open transaction, and replays it once it commits', async () => {
    const { c, source, engine, store, changelogger, records } = await withHistory(35, 2);
    c.producer.beginTransaction();
    store.put(Buffer.from('pending'), Buffer.from('p'));
    await settle(c.sim, changelogger.prepareCommit(c.producer));
    await settle(c.sim, c.producer.flush());
    const copy = new MemoryEngineSource('copy');
    const during = await restoreInSim(c, { source: copy });
    expect(during.result.records).toBe(records);
    expect(dump(during.engine).some(([k]) => k === 'pending')).toBe(false);
    await during.engine.close();
    await settle(c.sim, c.producer.commitTransaction());
    changelogger.commit();
    await c.sim.runFor(500);
    const after = await restoreInSim(c, { source: copy });
    expect(after.result.records).toBe(1);
    expect(dump(after.engine)).toEqual(dump(engine));
    expect(source.name).toBe('store');
  });

  it('restores a window store with its stream time, so its windows read back the same', async () => {
    const c: ChangelogCluster = await changelogCluster(36);
    const source = new MemoryEngineSource('views');
    const engine = await source.open();
    const options = {
      keySerde: Serdes.string(),
      valueSerde: Serdes.int64(),
      config: { windowSizeMs: 1000, retentionMs: 10_000 },
    };
    const store = windowStore({ engine, ...options });
    const changelogger = new StoreChangelogger({ store, engine, topic: TOPIC, partition: 0 });
    for (let t = 0; t < 5; t++) {
      c.producer.beginTransaction();
      store.put(`page-${t % 2}`, t, t * 1000);
      await settle(c.sim, changelogger.prepareCommit(c.producer));
      await settle(c.sim, c.producer.commitTransaction());
      changelogger.commit();
    }
    const { engine: restored } = await restoreInSim(c, { source: new MemoryEngineSource('copy') });
    const copy = windowStore({ engine: restored, ...options });
    expect(copy.streamTimeMs).toBe(store.streamTimeMs);
    expect([...copy.all()]).toEqual([...store.all()]);
    expect([...copy.fetchTimeRange('page-0', 0, 10_000)]).toEqual([
      ...store.fetchTimeRange('page-0', 0, 10_000),
    ]);
  });
});
