/**
 * The changelogger's contract with the runtime, without a cluster: what it sends at prepareCommit
 * (the collapsed writes, keyed by store key bytes, tombstones for deletes, to the task's
 * partition), the offset it commits the store with, and the misuse it refuses; and the changelog
 * topic names and configs.
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
import { MemoryEngine } from '../../../src/state-stores/memory/memory-engine.js';
import { keyValueBytesStore } from '../../../src/state-stores/stores.js';

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
