/**
 * Negative control of the streams crash test: the same kill loop (fixture process with an embedded
 * broker and the crash app, killed with SIGKILL after its first commits and restarted) under
 * at_least_once. Outputs and changelog records written after the last offset commit are processed
 * again on restart, so some key's read_committed values repeat or run past the model's: the checker
 * that passes under exactly_once_v2 must see it.
 *
 * A stream thread sends its outputs when its loop yields, which in practice is at each commit's
 * flush; a kill between that flush and the offset commit is what doubles. Polls of 5 lines and a
 * 10 ms commit interval make those windows a large share of the run, so a few kills find one.
 * `SEED=<seed>` replays the kill points; `ALOS_KILLS=<n>` runs more.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { differences, model, readLog } from './crash-check.js';
import { killDelays, killLoop } from './crash-harness.js';

const KILLS = Number(process.env.ALOS_KILLS ?? 6);
const SEED = Number(process.env.SEED ?? Date.now() % 1_000_000);
const MAX_DELAY_MS = 1000;
const RECORDS = 1000 + KILLS * 300;
const TUNING = { maxPollRecords: 5, commitIntervalMs: 10 };

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('the crash app under at_least_once, killed with SIGKILL and restarted (negative control)', () => {
  it(`differs from the model after ${KILLS} kills (repeated outputs or double counts), so the exactly-once checker can fail`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'millrace-streams-crash-alos-'));
    dirs.push(dir);
    const delays = killDelays(SEED, KILLS, MAX_DELAY_MS);
    console.log(
      `streams crash control (at_least_once): seed ${SEED}, ${KILLS} kills, ${RECORDS} lines; kill delays ${delays.join(',')} ms`,
    );
    const started = Date.now();
    const { runs, kills } = await killLoop(
      dir,
      'at_least_once',
      RECORDS,
      delays,
      (l) => console.log(l),
      TUNING,
    );
    expect(kills, `replay with SEED=${SEED}: the input ran out before all kills`).toBe(KILLS);
    expect(runs.at(-1)!.outcome).toBe('finished');
    const [log, want] = await Promise.all([readLog(dir), model(RECORDS)]);
    const diff = differences(log.outputs, want.outputs, 3);
    // At least once: no key has fewer values than the model (every input's output is delivered).
    let longer = 0;
    let changed = 0;
    for (const [topic, keys] of Object.entries(want.outputs)) {
      for (const [key, values] of keys) {
        const got = log.outputs[topic]?.get(key) ?? [];
        expect(got.length, `${topic} ${key} lost values (replay with SEED=${SEED})`).toBeGreaterThanOrEqual(
          values.length,
        );
        if (got.length > values.length) longer++;
        else if (got.some((v, i) => v !== values[i])) changed++;
      }
    }
    console.log(
      `streams crash control (at_least_once): seed ${SEED}, ${kills} kills, ${Math.round((Date.now() - started) / 1000)} s; ` +
        `${longer} keys with extra values, ${changed} with values counted twice; e.g. ${diff.slice(0, 2).join(' | ')}`,
    );
    // The checker that passes under exactly_once_v2 sees the duplicates.
    expect(diff.length, `replay with SEED=${SEED}`).toBeGreaterThan(0);
  }, 600_000);
});
