/**
 * Bad input during restoration and at the state directory: a changelog record without a key, or
 * with a value the store's serde refuses, fails with ChangelogCorruptError naming the store, the
 * changelog partition and the offset; a state directory of another application id is refused.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ChangelogCorruptError, StateDirectoryOwnedError } from '../../../src/common/errors.js';
import { Producer } from '../../../src/log/client/producer/producer.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { MemoryEngineSource } from '../../../src/state-stores/restore/memory-engine-source.js';
import { valueSerdeCheck } from '../../../src/state-stores/restore/value-serde-check.js';
import { claimStateDirectory, STATE_DIR_MARKER } from '../../../src/state-stores/state-directory.js';
import { settle } from '../../log/broker/cluster-fixtures.js';
import { removeTempDirs, tempDir } from '../store-fixtures.js';
import { changelogCluster, restoreInSim, TOPIC } from './changelog-fixtures.js';

afterAll(removeTempDirs);

/** A changelog (a delete-policy topic, which accepts null keys) holding `records` as written. */
async function changelogWith(seed: number, records: { key: string | null; value: Uint8Array | null }[]) {
  const c = await changelogCluster(seed, 'delete');
  const plain = new Producer(c.client, c.sim.clock, c.sim.random, { requestTimeoutMs: 1000 });
  for (const r of records) {
    await settle(
      c.sim,
      plain.send({
        topic: TOPIC,
        partition: 0,
        key: r.key === null ? null : Buffer.from(r.key),
        value: r.value,
      }),
    );
  }
  return c;
}

function int64(n: number): Uint8Array {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(BigInt(n));
  return b;
}

describe('bad changelog records', () => {
  it('refuses a record without a key, naming the store, the partition and the offset, and keeps what came before', async () => {
    const c = await changelogWith(41, [
      { key: 'a', value: int64(1) },
      { key: 'b', value: int64(2) },
      { key: null, value: int64(3) },
    ]);
    const source = new MemoryEngineSource('counts');
    const error = await restoreInSim(c, { source }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangelogCorruptError);
    const corrupt = error as ChangelogCorruptError;
    expect(corrupt).toMatchObject({
      store: 'counts',
      topic: TOPIC,
      partition: 0,
      offset: 2,
      code: 'CHANGELOG_CORRUPT',
    });
    expect(corrupt.message).toMatch(/"counts".*app-store-changelog-0.*offset 2: the record has no key/);
    expect(corrupt.message).toMatch(/delete the changelog topic and the state directory/);
    // The engine was closed; nothing of the failed fetch was applied.
    const reopened = await source.open();
    expect(reopened.approximateNumEntries()).toBe(0);
  });

  it('refuses a value the store serde cannot read when the typed check is configured', async () => {
    const c = await changelogWith(42, [
      { key: 'a', value: int64(1) },
      { key: 'b', value: Buffer.from('abc') },
    ]);
    const error = await restoreInSim(c, {
      source: new MemoryEngineSource('counts'),
      checkRecord: valueSerdeCheck(Serdes.int64(), TOPIC),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ChangelogCorruptError);
    expect(error).toMatchObject({ store: 'counts', partition: 0, offset: 1 });
    expect((error as Error).message).toMatch(/int64 serde failed/);
  });

  it('accepts the same records without the typed check (a tombstone is never checked)', async () => {
    const c = await changelogWith(43, [
      { key: 'a', value: int64(1) },
      { key: 'a', value: null },
    ]);
    const { result } = await restoreInSim(c, {
      source: new MemoryEngineSource('counts'),
      checkRecord: valueSerdeCheck(Serdes.int64(), TOPIC),
    });
    expect(result.records).toBe(2);
  });
});

describe('state directory ownership', () => {
  it('claims a new directory for an application id and accepts it again for the same id', async () => {
    const dir = join(tempDir(), 'state');
    await claimStateDirectory(dir, 'orders-app');
    await claimStateDirectory(dir, 'orders-app');
    expect(readFileSync(join(dir, STATE_DIR_MARKER), 'utf8').trim()).toBe('orders-app');
  });

  it('refuses a directory that belongs to another application id, naming both ids and the directory', async () => {
    const dir = tempDir();
    await claimStateDirectory(dir, 'orders-app');
    const error = await claimStateDirectory(dir, 'billing-app').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StateDirectoryOwnedError);
    expect(error).toMatchObject({ dir, owner: 'orders-app', applicationId: 'billing-app' });
    expect((error as Error).message).toContain(dir);
    expect((error as Error).message).toMatch(/"orders-app", not "billing-app"/);
  });
});
