/**
 * The RocksDB engine keeps its write-ahead log short: the changelog offsets, written with every
 * commit into a column family of their own, must not pin every log file until their tiny memtable
 * fills (thousands of commits), or a kill -9 leaves all of them to replay at the next open. The
 * offsets still read back exactly, and the padding that makes the offsets column flush is never
 * taken for an offset.
 */
import * as fs from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { removeTempDirs, tempDir } from './store-fixtures.js';

afterEach(removeTempDirs);

/** Write-ahead log files in a RocksDB directory. */
function walFiles(dir: string): number {
  return fs.readdirSync(dir).filter((f) => f.endsWith('.log')).length;
}

describe('RocksDbEngine write-ahead log', () => {
  it('does not pile up log files while commits write data and offsets', async () => {
    const dir = tempDir();
    // 1 MiB memtable budget: 256 KiB write buffers, so 24 MiB of data fill ~100 of them.
    const engine = await RocksDbEngine.open({
      name: 'wal',
      dir,
      config: { memtableBudgetBytes: 1024 * 1024 },
    });
    const value = new Uint8Array(200).fill(7);
    let mostWalFiles = 0;
    for (let commit = 0; commit < 400; commit++) {
      const ops = [];
      for (let i = 0; i < 300; i++) {
        ops.push({ key: Buffer.from(`key-${String((commit * 300 + i) % 50_000).padStart(8, '0')}`), value });
      }
      engine.write(ops, new Map([['app-counts-changelog/0', commit * 300 + 300]]));
      if (commit % 20 === 19) mostWalFiles = Math.max(mostWalFiles, walFiles(dir));
    }
    // Unpadded offsets pinned every file: ~100 here. Flushes run in the background, so allow a
    // few memtables' worth of lag (RocksDB stalls writes at 6 unflushed memtables).
    expect(mostWalFiles).toBeLessThanOrEqual(16);
    expect(engine.changelogOffsets()).toEqual(new Map([['app-counts-changelog/0', 120_000]]));
    await engine.close();

    const reopened = await RocksDbEngine.open({
      name: 'wal',
      dir,
      config: { memtableBudgetBytes: 1024 * 1024 },
    });
    expect(reopened.changelogOffsets()).toEqual(new Map([['app-counts-changelog/0', 120_000]]));
    expect(Buffer.from(reopened.get(Buffer.from('key-00049999'))!)).toEqual(Buffer.from(value));
    await reopened.close();
  });
});
