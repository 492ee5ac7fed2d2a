/**
 * Negative controls: with a known exactly-once bug planted (src/common/planted-bugs.ts), the checker
 * must fail, with an ExactlyOnceViolation that names the seed and path replaying the case; and the
 * very case it found must pass once the bug is switched off again, so the failure is the bug's.
 * (at_least_once under crashes, the other control, is in word-count-exactly-once.test.ts.)
 *
 * FC_SEED=<seed> varies the cases; each bug is caught within its first few cases on the default.
 */
import { describe, expect, it } from 'vitest';
import { type PlantedBug, plantedBugs, withPlantedBug } from '../../../src/common/planted-bugs.js';
import {
  type CheckExactlyOnceOptions,
  checkExactlyOnce,
  ExactlyOnceViolation,
  faultSchedule,
} from '../../../src/testing/index.js';
import { wordCount } from './word-count-app.js';
import { fixedLines } from './word-count-inputs.js';

const FC_SEED = Number(process.env.FC_SEED ?? 1);

/**
 * Runs the check with `bug` planted; returns the violation (printing its seed and path), after
 * checking that the switch is off again and that the failing case passes without the bug.
 */
async function caught(bug: PlantedBug, options: CheckExactlyOnceOptions): Promise<ExactlyOnceViolation> {
  const run = { ...options, seed: FC_SEED, shrink: false, checkDeterminism: false } as const;
  const error = await withPlantedBug(bug, () => checkExactlyOnce(run)).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(plantedBugs[bug], 'the switch is off again').toBe(false);
  if (!(error instanceof ExactlyOnceViolation)) {
    throw new Error(
      `planted bug ${bug} was not caught by checkExactlyOnce (FC_SEED=${FC_SEED}, ${options.numRuns} cases): ${String(error)}`,
    );
  }
  console.log(
    `planted bug ${bug} caught: seed ${error.seed}, path '${error.path}', simulation seed ${error.report.simulationSeed}\n  ${error.report.problems.slice(0, 2).join('\n  ')}`,
  );
  // The same case without the bug: it passes, so what failed was the bug.
  const replay = await checkExactlyOnce({ ...run, path: error.path }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(replay, `the case (seed ${error.seed}, path '${error.path}') passes without ${bug}`).toBeUndefined();
  return error;
}

describe('checkExactlyOnce catches planted exactly-once bugs', () => {
  it('catches a leader and transaction coordinator that accept a fenced zombie producer', async () => {
    // A replaced instance's zombie (same transactional ids, older epoch) resumes after its cut.
    const violation = await caught('skipProducerFencing', {
      app: wordCount,
      inputs: fixedLines(3, 30),
      outputOrder: 'key',
      faults: faultSchedule({ kinds: ['zombieInstance'], minFaults: 1, maxFaults: 2, withinMs: 3000 }),
      numRuns: 10,
    });
    expect(violation.report.faults.some((f) => f.fault.kind === 'zombieInstance')).toBe(true);
  }, 300_000);

  it('catches a leader that acknowledges writes before they are synced, when a broker loses them', async () => {
    // One broker: its high watermark is all that makes acks=all durable.
    const violation = await caught('ackBeforeFlush', {
      app: wordCount,
      inputs: fixedLines(3, 30),
      outputOrder: 'key',
      faults: faultSchedule({
        kinds: ['killBroker'],
        loseUnflushedWrites: true,
        minFaults: 1,
        maxFaults: 2,
        withinMs: 3000,
      }),
      // A lost commit marker leaves a transaction hanging: say so within a minute, not six.
      quiesceMs: 60_000,
      numRuns: 10,
    });
    expect(violation.report.faults.some((f) => f.fault.kind === 'killBroker' && f.fault.loseUnflushed)).toBe(
      true,
    );
  }, 300_000);

  it('catches stores that keep the writes of a transaction that aborted', async () => {
    // Slow links widen the commit, so crashes land between the changelog writes and the marker.
    const violation = await caught('applyStoreWritesBeforeCommit', {
      app: wordCount,
      inputs: fixedLines(3, 30),
      outputOrder: 'key',
      cluster: { network: { minDelayMs: 10, maxDelayMs: 40 } },
      faults: faultSchedule({ kinds: ['crashInstance'], minFaults: 2, maxFaults: 4, withinMs: 3000 }),
      numRuns: 10,
    });
    expect(violation.message).toMatch(/output word-counts-\d|store counts\//);
  }, 300_000);
});
