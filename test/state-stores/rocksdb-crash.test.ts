/**
 * Real crashes of the RocksDB engine: a child process commits transactions until it is killed with
 * SIGKILL, mid-transaction or mid-commit. On reopen the store must hold exactly the state of the
 * changelog offset it reports — never a partial transaction — and that offset must be at least the
 * last one the child acknowledged. A second run continues from the reported offset.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { runUntilKilled } from '../support/run-until-killed.js';
import { CHANGELOG, stateAfter } from './fixtures/transactions.js';
import { removeTempDirs, tempDir } from './store-fixtures.js';

afterAll(removeTempDirs);

const FIXTURE = new URL('./fixtures/commit-until-killed.ts', import.meta.url).pathname;

/** Runs the fixture until it has acknowledged `acks` writes, then kills it with SIGKILL. */
function commitUntilKilled(dir: string, acks: number): Promise<number> {
  return runUntilKilled(FIXTURE, [dir], acks);
}

async function reopenAndCheck(dir: string, acknowledged: number): Promise<number> {
  const engine = await RocksDbEngine.open({ name: 'crash', dir });
  try {
    const offset = engine.changelogOffsets().get(CHANGELOG) ?? 0;
    expect(offset).toBeGreaterThanOrEqual(acknowledged);
    const contents = new Map<string, string>();
    for (const { key, value } of engine.iterator({ from: null, toExclusive: null, reverse: false })) {
      contents.set(Buffer.from(key).toString(), Buffer.from(value).toString());
    }
    expect(contents).toEqual(stateAfter(offset));
    return offset;
  } finally {
    await engine.close();
  }
}

describe('RocksDB engine killed with SIGKILL', () => {
  it('reopens with exactly the state of the offset it reports, at or past the last acknowledged commit, twice', async () => {
    const dir = tempDir();
    const firstAck = await commitUntilKilled(dir, 400);
    const first = await reopenAndCheck(dir, firstAck);
    const secondAck = await commitUntilKilled(dir, 300);
    expect(secondAck).toBeGreaterThan(first);
    await reopenAndCheck(dir, secondAck);
  }, 60_000);
});
