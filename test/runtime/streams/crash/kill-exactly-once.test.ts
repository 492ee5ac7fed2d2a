/**
 * Exactly-once across real process crashes (DESIGN.md §7; Kafka's streams EOS system test): one
 * process runs an embedded broker on disk and the crash app (word count through a repartition
 * topic, tumbling-window sums; two worker threads; RocksDB stores with changelogs; exactly_once_v2)
 * over a pre-loaded, numbered input. The test kills it with SIGKILL at seeded points after its first
 * commits and restarts it on the same directories until the input is processed. Then:
 * - each output key's read_committed values equal the test driver's for the same input (nothing
 *   lost, nothing doubled, same order), and nothing more is visible;
 * - the stores' final contents (read from RocksDB) equal the driver's stores;
 * - no restart restored a store from scratch, and each replayed only a changelog tail well below
 *   the changelog's size (transactional stores, no wipe on an unclean shutdown);
 * - the last stable offset equals the high watermark on every output, repartition and changelog
 *   partition (no hanging transaction), and the group holds no member but the last run's threads
 *   (static members, one per thread: no killed incarnation's member is left beside its successor).
 *
 * A restart takes ~10 s (the embedded group waits out the killed members' sessions and its initial
 * rebalance delay), so the kill points are spread over several independent loops run side by side,
 * each on its own directories. A failure prints the seed: replay with `SEED=<seed>`; `KILLS=<n>`
 * runs more kill points (`LOOPS=<n>` loops).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { differences, model, readLog, readStores } from './crash-check.js';
import { killDelays, killLoop, sumOf } from './crash-harness.js';
import { APP_ID, INSTANCE_ID } from './fixtures/crash-config.js';

const KILLS = Number(process.env.KILLS ?? 20);
const LOOPS = Number(process.env.LOOPS ?? 4);
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);
/** Kills land up to this long after a run's first reported commit. */
const MAX_DELAY_MS = 1000;
const KILLS_PER_LOOP = Math.ceil(KILLS / LOOPS);
/** Enough input that every planned kill lands before its end (a kill run processes 100 to 1000 lines). */
const RECORDS = Number(process.env.RECORDS ?? 1500 + KILLS_PER_LOOP * 600);

/** The group instance ids of the fixture's threads (`<applicationId>-<instanceId>-<n>`). */
const LAST_THREADS = [1, 2].map((n) => `${APP_ID}-${INSTANCE_ID}-${n}`);

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the crash app under exactly_once_v2, killed with SIGKILL and restarted', () => {
  it(`loses and doubles nothing over ${KILLS} kills, restores only changelog tails, and leaves no hanging transaction`, async () => {
    const replay = `replay with SEED=${SEED} KILLS=${KILLS} LOOPS=${LOOPS}`;
    const delays = killDelays(SEED, KILLS_PER_LOOP * LOOPS, MAX_DELAY_MS);
    console.log(
      `streams crash test (exactly_once_v2): seed ${SEED}, ${LOOPS} loops × ${KILLS_PER_LOOP} kills, ${RECORDS} lines each; kill delays ${delays.join(',')} ms`,
    );
    const started = Date.now();
    const wantPromise = model(RECORDS);
    const loops = await Promise.all(
      Array.from({ length: LOOPS }, async (_, l) => {
        const dir = mkdtempSync(join(tmpdir(), 'millrace-streams-crash-'));
        dirs.push(dir);
        const mine = delays.slice(l * KILLS_PER_LOOP, (l + 1) * KILLS_PER_LOOP);
        const report = await killLoop(dir, 'exactly_once_v2', RECORDS, mine, (line) =>
          console.log(`loop ${l + 1}: ${line}`),
        );
        return { dir, ...report };
      }),
    );
    const want = await wantPromise;
    let kills = 0;
    let aborted = 0;
    const restored: number[] = [];
    for (const [l, { dir, runs, kills: landed }] of loops.entries()) {
      const context = `${replay}: loop ${l + 1}`;
      // Every planned kill landed before the end of the input.
      expect(landed, `${context}: the input ran out before all kills`).toBe(KILLS_PER_LOOP);
      kills += landed;
      expect(runs.at(-1)!.outcome, context).toBe('finished');
      for (const [i, run] of runs.slice(1).entries()) {
        const at = `${context}, restart ${i + 1}`;
        expect(run.fromScratch, `${at} restored a store from scratch`).toBe(0);
        // Only the tail past each store's last commit: well below what a full restore replays.
        const full = sumOf(run.changelogEnds);
        expect(run.restored, `${at} replayed ${run.restored} of ${full} changelog offsets`).toBeLessThan(
          Math.max(100, full / 4),
        );
        restored.push(run.restored);
      }
      const [log, stores] = await Promise.all([readLog(dir), readStores(dir)]);
      expect(differences(log.outputs, want.outputs), context).toEqual([]);
      expect(log.outputs, context).toEqual(want.outputs);
      expect(stores, context).toEqual(want.stores);
      expect(log.hanging, context).toEqual([]);
      expect(log.checked, context).toBeGreaterThan(0);
      // No member of a killed incarnation is left beside its successor: at most the last run's threads.
      expect(
        log.groupMembers.filter((m) => !LAST_THREADS.includes(m)),
        context,
      ).toEqual([]);
      aborted += log.abortedRecords;
    }
    console.log(
      `streams crash test (exactly_once_v2): seed ${SEED}, ${kills} kills in ${LOOPS} loops, ${Math.round((Date.now() - started) / 1000)} s; ` +
        `records replayed per restart ${restored.join(',')} (max ${Math.max(...restored)}); ` +
        `${aborted} records of aborted transactions in the logs (kills inside a transaction's commit)`,
    );
  }, 900_000);
});
