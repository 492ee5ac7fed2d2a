/**
 * The exactly-once checker on the word count: under exactly_once_v2 it passes whatever instance and
 * broker faults strike (crashes with restarts, joins, clean departures, stalls past the session
 * timeout, broker kills — with lost unflushed writes when three replicas keep the data), with
 * standby replicas too; under at_least_once an instance crash doubles counts, and the checker must
 * catch it and say how to replay it. SEEDS=<n> runs n cases per property instead of the CI budget;
 * FC_SEED=<seed> varies them.
 */
import { describe, expect, it } from 'vitest';
import {
  type CheckExactlyOnceOptions,
  checkExactlyOnce,
  ExactlyOnceViolation,
  faultSchedule,
} from '../../../src/testing/index.js';
import { wordCount } from './word-count-app.js';
import { fixedLines } from './word-count-inputs.js';

const SEEDS = process.env.SEEDS === undefined ? undefined : Number(process.env.SEEDS);
const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
/** Room for the cases asked for: SEEDS=100000 runs for as long as it takes. */
const TIMEOUT_MS = Math.min(2 ** 31 - 1, Math.max(600_000, (SEEDS ?? 0) * 60_000));

/** A failure must print its seed and path: the test's message then says how to rerun it. */
async function check(options: CheckExactlyOnceOptions): Promise<number> {
  const report = await checkExactlyOnce(options);
  return report.cases.length;
}

describe('checkExactlyOnce on the word count (exactly_once_v2)', () => {
  it(
    'passes under instance crashes, restarts, joins, departures and stalls, and broker kills (one broker)',
    async () => {
      const cases = await check({
        app: wordCount,
        inputs: fixedLines(1, 40),
        faults: faultSchedule({
          kinds: ['crashInstance', 'addInstance', 'removeInstance', 'stallInstance', 'killBroker'],
          maxFaults: 4,
        }),
        outputOrder: 'key',
        numRuns: SEEDS ?? 20,
        seed: FC_SEED,
      });
      expect(cases).toBeGreaterThanOrEqual(SEEDS ?? 20);
    },
    TIMEOUT_MS,
  );

  it(
    'passes on three brokers under every fault kind, broker kills losing their unflushed writes included',
    async () => {
      const cases = await check({
        app: wordCount,
        inputs: fixedLines(2, 30),
        cluster: { brokers: 3 },
        faults: faultSchedule({ loseUnflushedWrites: true, maxFaults: 3 }),
        outputOrder: 'key',
        numRuns: SEEDS ?? 3,
        seed: FC_SEED + 1,
        checkDeterminism: false,
      });
      expect(cases).toBeGreaterThanOrEqual(SEEDS ?? 3);
    },
    TIMEOUT_MS,
  );

  it(
    'passes with two threads per instance and a standby replica per task (promotion, warmups)',
    async () => {
      const cases = await check({
        app: wordCount,
        inputs: fixedLines(4, 30),
        cluster: { threadsPerInstance: 2, assignor: { numStandbyReplicas: 1 } },
        faults: faultSchedule({
          kinds: ['crashInstance', 'addInstance', 'removeInstance', 'stallInstance'],
          maxFaults: 3,
        }),
        outputOrder: 'key',
        numRuns: SEEDS ?? 4,
        seed: FC_SEED + 2,
        checkDeterminism: false,
      });
      expect(cases).toBeGreaterThanOrEqual(SEEDS ?? 4);
    },
    TIMEOUT_MS,
  );
});

describe('checkExactlyOnce negative control (at_least_once)', () => {
  it(
    'catches the counts an instance crash doubles, and prints the seed and path that replay the case',
    async () => {
      const options: CheckExactlyOnceOptions = {
        app: wordCount,
        inputs: fixedLines(3, 40),
        cluster: { processingGuarantee: 'at_least_once' },
        faults: faultSchedule({ kinds: ['crashInstance'], minFaults: 2, maxFaults: 3, withinMs: 3000 }),
        outputOrder: 'key',
        numRuns: 10,
        seed: FC_SEED,
        shrink: false,
        checkDeterminism: false,
      };
      const error = await checkExactlyOnce(options).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(ExactlyOnceViolation);
      const violation = error as ExactlyOnceViolation;
      expect(violation.message).toContain(`seed: ${violation.seed}, path: '${violation.path}'`);
      expect(violation.message).toMatch(/output word-counts-\d, key "\w+": \d+ records, expected \d+/);
      expect(violation.report.faults.length).toBeGreaterThan(0);
      // The printed seed and path replay exactly that case: same faults, same run.
      const replay = await checkExactlyOnce({ ...options, seed: violation.seed, path: violation.path }).then(
        () => undefined,
        (e: unknown) => e as ExactlyOnceViolation,
      );
      expect(replay?.report.faults).toEqual(violation.report.faults);
      expect(replay?.report.traceHash).toBe(violation.report.traceHash);
    },
    TIMEOUT_MS,
  );
});
