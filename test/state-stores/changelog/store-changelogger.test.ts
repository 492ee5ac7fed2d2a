/**
 * The changelogger's contract with the runtime, without a cluster: what it sends at prepareCommit
 * (the collapsed writes, keyed by store key bytes, tombstones for deletes, to the task's
 * partition), the offset it commits the store with, and the misuse it refuses; a sealed commit
 * (seal between prepareCommit and commit: the task processes on while the log transaction ends),
 * confirmed with its own records' offset or dropped with what followed it; and the changelog topic
 * names and configs.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, IllegalStateError } from '../../../src/common/errors.js';
import type { DeliveryCallback, ProducerRecord } from '../../../src/log/client/producer/producer-types.js';
import type { ChangelogProducer } from '../../../src/state-stores/changelog/changelog-producer.js';
import {
  changelogTopicConfig,
  changelogTopicName,
} from '../../../src/state-stores/changelog/changelog-topic.js';
import { StoreChangelogger } from '../../../src/state-stores/changelog/store-changelogger.js';
import type { StoreEngine } from '../../../src/state-stores/engine.js';
import { MemoryEngine } from '../../../src/state-stores/memory/memory-engine.js';
import { keyValueBytesStore } from '../../../src/state-stores/stores.js';
import { TransactionalBytesStore } from '../../../src/state-stores/transactional-bytes-store.js';

/** A producer that records appends and acknowledges them when told, at offsets from `base`. */
function fakeProducer(base: number) {
  const sent: { record: ProducerRecord; callback: DeliveryCallback | undefined }[] = [];
  const producer: ChangelogProducer = {
    append: async (record, callback) => {
      sent.push({ record, callback });
    },
  };
  const ackAll = () => {
    for (const [i, s] of sent.entries()) {
      s.callback?.(null, {
        topic: s.record.topic,
        partition: s.record.partition!,
        offset: base + i,
        timestamp: 0,
      });
    }
  };
  return { producer, sent, ackAll };
}

const text = (b: Uint8Array | null | undefined) => (b == null ? null : Buffer.from(b).toString());

const engineKeys = (engine: StoreEngine) =>
  [...engine.iterator({ from: null, toExclusive: null, reverse: false })].map((e) => text(e.key));

function setup() {
  const engine = MemoryEngine.open('counts');
  const store = keyValueBytesStore(engine, { cacheMaxBytes: 1 << 20 });
  const changelogger = new StoreChangelogger({ store, engine, topic: 'app-counts-changelog', partition: 3 });
  return { engine, store, changelogger };
}

describe('StoreChangelogger', () => {
  it('sends one record per key written (collapsed, tombstones for deletes) and commits the store at the offset after the last', async () => {
    const { engine, store, changelogger } = setup();
    store.put(Buffer.from('b'), Buffer.from('1'));
    store.put(Buffer.from('b'), Buffer.from('2'));
    store.put(Buffer.from('a'), Buffer.from('x'));
    store.delete(Buffer.from('a'));
    const { producer, sent, ackAll } = fakeProducer(40);
    expect(await changelogger.prepareCommit(producer)).toBe(2);
    expect(
      sent.map((s) => [s.record.topic, s.record.partition, text(s.record.key), text(s.record.value)]),
    ).toEqual([
      ['app-counts-changelog', 3, 'a', null],
      ['app-counts-changelog', 3, 'b', '2'],
    ]);
    expect(engine.get(Buffer.from('b'))).toBeUndefined();
    ackAll();
    changelogger.commit();
    expect(text(engine.get(Buffer.from('b')))).toBe('2');
    expect(engine.changelogOffsets().get('app-counts-changelog/3')).toBe(42);
  });

  it('refuses to commit the store before every record is acknowledged, and aborts cleanly', async () => {
    const { engine, store, changelogger } = setup();
    store.put(Buffer.from('k'), Buffer.from('v'));
    const { producer } = fakeProducer(0);
    await changelogger.prepareCommit(producer);
    expect(() => changelogger.commit()).toThrow(IllegalStateError);
    await expect(changelogger.prepareCommit(producer)).rejects.toThrow(/already prepared/);
    changelogger.abort();
    expect(store.get(Buffer.from('k'))).toBeUndefined();
    expect(engine.changelogOffsets().size).toBe(0);
    expect(() => changelogger.commit()).toThrow(/not prepared/);
  });

  it('refuses to commit a store written after prepareCommit (those writes would miss the changelog)', async () => {
    const { store, changelogger } = setup();
    store.put(Buffer.from('k'), Buffer.from('v'));
    const { producer, ackAll } = fakeProducer(0);
    await changelogger.prepareCommit(producer);
    store.put(Buffer.from('late'), Buffer.from('v'));
    store.flush();
    ackAll();
    expect(() => changelogger.commit()).toThrow(/written after prepareCommit/);
  });

  it('commits a transaction with nothing to send without changing the stored offsets', async () => {
    const { engine, changelogger } = setup();
    expect(await changelogger.prepareCommit(fakeProducer(0).producer)).toBe(0);
    changelogger.commit();
    expect(engine.changelogOffsets().size).toBe(0);
  });

  it('confirms a sealed commit with the offset after its own records: writes made after seal belong to the next round', async () => {
    const { engine, store, changelogger } = setup();
    store.put(Buffer.from('a'), Buffer.from('1'));
    store.put(Buffer.from('b'), Buffer.from('1'));
    const { producer, sent, ackAll } = fakeProducer(40);
    expect(await changelogger.prepareCommit(producer)).toBe(2);
    changelogger.seal();
    // The next transaction writes on top of the sealed one, which stays readable under it.
    store.put(Buffer.from('a'), Buffer.from('2'));
    store.put(Buffer.from('c'), Buffer.from('2'));
    expect(text(store.get(Buffer.from('b')))).toBe('1');
    expect(engine.get(Buffer.from('a'))).toBeUndefined();
    ackAll();
    changelogger.commit();
    expect([text(engine.get(Buffer.from('a'))), text(engine.get(Buffer.from('b')))]).toEqual(['1', '1']);
    expect(engine.get(Buffer.from('c'))).toBeUndefined();
    expect(engine.changelogOffsets().get('app-counts-changelog/3')).toBe(42);
    expect([text(store.get(Buffer.from('a'))), text(store.get(Buffer.from('c')))]).toEqual(['2', '2']);
    // The next round sends exactly the writes made after the seal, and commits at their offset.
    expect(await changelogger.prepareCommit(producer)).toBe(2);
    expect(sent.slice(2).map((s) => [text(s.record.key), text(s.record.value)])).toEqual([
      ['a', '2'],
      ['c', '2'],
    ]);
    ackAll();
    changelogger.commit();
    expect(text(engine.get(Buffer.from('a')))).toBe('2');
    expect(engine.changelogOffsets().get('app-counts-changelog/3')).toBe(44);
  });

  it('refuses to seal a store written between prepareCommit and seal, whether the write is still cached or flushed', async () => {
    for (const flushed of [false, true]) {
      const { engine, store, changelogger } = setup();
      store.put(Buffer.from('k'), Buffer.from('v'));
      const { producer, ackAll } = fakeProducer(0);
      await changelogger.prepareCommit(producer);
      store.put(Buffer.from('late'), Buffer.from('v'));
      if (flushed) store.flush();
      expect(() => changelogger.seal()).toThrow(IllegalStateError);
      ackAll();
      changelogger.abort();
      expect(store.get(Buffer.from('k'))).toBeUndefined();
      expect(store.get(Buffer.from('late'))).toBeUndefined();
      expect(engine.changelogOffsets().size).toBe(0);
    }
  });

  it('drops the sealed writes and the writes made after them on abort, and commits the next round alone', async () => {
    const { engine, store, changelogger } = setup();
    store.put(Buffer.from('a'), Buffer.from('1'));
    const { producer, ackAll } = fakeProducer(10);
    await changelogger.prepareCommit(producer);
    changelogger.seal();
    store.put(Buffer.from('b'), Buffer.from('1'));
    ackAll();
    changelogger.abort();
    expect(store.get(Buffer.from('a'))).toBeUndefined();
    expect(store.get(Buffer.from('b'))).toBeUndefined();
    expect(TransactionalBytesStore.over(engine)!.hasSealed).toBe(false);
    store.put(Buffer.from('c'), Buffer.from('1'));
    expect(await changelogger.prepareCommit(producer)).toBe(1);
    ackAll();
    changelogger.commit();
    expect(engineKeys(engine)).toEqual(['c']);
    expect(engine.changelogOffsets().get('app-counts-changelog/3')).toBe(12);
  });

  it('refuses to confirm a sealed commit before every record is acknowledged or when one failed', async () => {
    const { engine, store, changelogger } = setup();
    store.put(Buffer.from('k'), Buffer.from('v'));
    const { producer, sent } = fakeProducer(0);
    await changelogger.prepareCommit(producer);
    expect(() => changelogger.commit()).toThrow(IllegalStateError);
    changelogger.seal();
    expect(() => changelogger.commit()).toThrow(IllegalStateError);
    expect(engine.get(Buffer.from('k'))).toBeUndefined();
    sent[0]!.callback?.(new Error('fenced'), null);
    expect(() => changelogger.commit()).toThrow(/fenced/);
    changelogger.abort();
    expect(store.get(Buffer.from('k'))).toBeUndefined();
    expect(() => changelogger.seal()).toThrow(/not prepared/);
  });

  it('needs the store to be built over the engine first', () => {
    expect(
      () =>
        new StoreChangelogger({
          store: keyValueBytesStore(MemoryEngine.open('x')),
          engine: MemoryEngine.open('y'),
          topic: 't',
          partition: 0,
        }),
    ).toThrow(/build the store first/);
  });
});

describe('changelog topics', () => {
  it('names the changelog <applicationId>-<store>-changelog and refuses names Kafka would refuse', () => {
    expect(changelogTopicName('orders-app', 'counts')).toBe('orders-app-counts-changelog');
    expect(() => changelogTopicName('orders app', 'counts')).toThrow(ConfigError);
  });

  it('compacts key-value changelogs and compacts and deletes windowed ones after the store retention plus a day', () => {
    expect(changelogTopicConfig('keyValue')).toEqual({ cleanupPolicy: 'compact' });
    expect(changelogTopicConfig('versioned')).toEqual({ cleanupPolicy: 'compact' });
    expect(changelogTopicConfig('window', 3_600_000)).toEqual({
      cleanupPolicy: 'compact,delete',
      retentionMs: 3_600_000 + 86_400_000,
    });
    expect(() => changelogTopicConfig('session')).toThrow(ConfigError);
  });
});
