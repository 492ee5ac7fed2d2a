/**
 * Real crashes of a changelogged RocksDB store (DESIGN.md §7): a child process runs an embedded
 * broker on real disk and a store changelogged through a transactional producer, commits in a loop
 * and is killed with SIGKILL at random points. After each kill the store holds exactly the state of
 * the transactions it reports committed (never part of one), at or past the last one the child
 * acknowledged; on the next start restoration replays only the changelog tail past the store's
 * offset — nothing, or the one transaction the log committed before the store could.
 */
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { RocksDbEngine } from '../../src/state-stores/rocksdb/rocksdb-engine.js';
import { runAndKill } from '../support/run-until-killed.js';
import { COUNTER_KEY, changelogRecordsOf, stateAfter } from './fixtures/transactions.js';
import { removeTempDirs, tempDir } from './store-fixtures.js';

afterAll(removeTempDirs);

const FIXTURE = new URL('./fixtures/changelog-commit-until-killed.ts', import.meta.url).pathname;
const KILLS = Number(process.env.CRASH_KILLS ?? 50);

interface Run {
  restored: { records: number; n: number };
  lastAcked: number;
}

/** Starts the fixture, kills it with SIGKILL `delayMs` after its `lines`-th line. */
async function runAndKillFixture(dir: string, lines: number, delayMs: number): Promise<Run> {
  let restored: Run['restored'] | undefined;
  let lastAcked = -1;
  await runAndKill(FIXTURE, [dir], {
    lines,
    delayMs,
    onLine: (line) => {
      const m = /^restored (\d+) (\d+)$/.exec(line);
      if (m !== null) restored = { records: Number(m[1]), n: Number(m[2]) };
      else lastAcked = Number(line);
    },
  });
  if (restored === undefined) throw new Error('the fixture was killed before it reported its restoration');
  return { restored, lastAcked };
}

/** The store's committed transaction number, after checking its contents are exactly that prefix. */
async function committedPrefix(dir: string): Promise<number> {
  const engine = await RocksDbEngine.open({ name: 'crash', dir: `${dir}/state` });
  try {
    const counter = engine.get(COUNTER_KEY);
    const n = counter === undefined ? 0 : Number(Buffer.from(counter).toString());
    const contents = new Map<string, string>();
    for (const { key, value } of engine.iterator({ from: null, toExclusive: null, reverse: false })) {
      contents.set(Buffer.from(key).toString(), Buffer.from(value).toString());
    }
    contents.delete(Buffer.from(COUNTER_KEY).toString());
    expect(contents).toEqual(stateAfter(n));
    return n;
  } finally {
    await engine.close();
  }
}

describe('a changelogged RocksDB store killed with SIGKILL', () => {
  it(`equals the committed prefix after each of ${KILLS} kills and restores only the tail past its offset`, async () => {
    const dir = tempDir('millrace-changelog-crash-');
    const seed = Number(process.env.CRASH_SEED ?? Date.now() % 1_000_000);
    const killAt = fc.sample(fc.tuple(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 0, max: 40 })), {
      numRuns: KILLS,
      seed,
    });
    let stored = 0;
    let replays = 0;
    for (let k = 0; k < KILLS; k++) {
      const context = `kill ${k + 1} of ${KILLS} (replay with CRASH_SEED=${seed})`;
      const [lines, delayMs] = killAt[k]!;
      const run = await runAndKillFixture(dir, lines, delayMs);
      // Restoration replayed the transaction the log committed after the store's offset, or nothing.
      const replayedOne = run.restored.n === stored + 1;
      expect(run.restored.n === stored || replayedOne, context).toBe(true);
      expect(run.restored.records, context).toBe(replayedOne ? changelogRecordsOf(stored + 1) : 0);
      const n = await committedPrefix(dir);
      expect(n, context).toBeGreaterThanOrEqual(Math.max(run.lastAcked, run.restored.n));
      stored = n;
      if (replayedOne) replays++;
    }
    expect(stored).toBeGreaterThan(KILLS);
    console.log(
      `changelog crash test: ${KILLS} kills, ${stored} transactions, ${replays} tail replays (seed ${seed})`,
    );
  }, 90_000);
});
