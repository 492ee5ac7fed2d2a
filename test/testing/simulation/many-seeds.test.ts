/**
 * Many short cases: the word count on a handful of lines, with one or two faults of every safe
 * kind (zombies included) striking within a second and a half: short cases, so CI covers two
 * hundred schedules on every run (about 100 s on a quiet 2-core machine), a few hundred with the
 * other #8 tests. SEEDS=<n> runs n instead; FC_SEED=<seed> varies them.
 */
import { describe, expect, it } from 'vitest';
import { checkExactlyOnce, faultSchedule } from '../../../src/testing/index.js';
import { wordCount } from './word-count-app.js';
import { fixedLines } from './word-count-inputs.js';

const SEEDS = process.env.SEEDS === undefined ? undefined : Number(process.env.SEEDS);
const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
/** Room for the cases asked for: SEEDS=100000 runs for as long as it takes. */
const TIMEOUT_MS = Math.min(2 ** 31 - 1, Math.max(900_000, (SEEDS ?? 0) * 60_000));
const CASES = SEEDS ?? 200;

describe('checkExactlyOnce on many short schedules', () => {
  it(
    `passes ${CASES} short cases of one or two faults of every safe kind`,
    async () => {
      const report = await checkExactlyOnce({
        app: wordCount,
        inputs: fixedLines(6, 8),
        inputSpreadMs: 1000,
        faults: faultSchedule({ maxFaults: 2, withinMs: 1500, maxDownMs: 1500, maxStallMs: 12_000 }),
        outputOrder: 'key',
        numRuns: CASES,
        seed: FC_SEED + 7,
      });
      expect(report.cases.length).toBeGreaterThanOrEqual(CASES);
    },
    TIMEOUT_MS,
  );
});
