/**
 * The checker against a correct model of the log (log-model.ts): its histories must be clean,
 * and each injected fault (history-mutations.ts) must be reported as the anomaly it causes.
 * A failure prints fast-check's seed and path; `SEED=<seed> npx vitest run test/simulation/eos`
 * replays the run (add fast-check's `path` by hand to jump to the shrunk case).
 * HISTORY_RUNS sets the number of histories per property (default 200).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkHistory, formatReport } from './history-checker.js';
import { MUTATIONS } from './history-mutations.js';
import { runLogModel } from './log-model.js';
import { workloadArbitrary } from './workload.js';

const RUNS = Number(process.env.HISTORY_RUNS ?? 200);
const SEED = process.env.SEED === undefined ? undefined : Number(process.env.SEED);
const params = { numRuns: RUNS, ...(SEED === undefined ? {} : { seed: SEED }) };

describe('the history checker against a correct model of the log', () => {
  it('finds no anomaly in the histories of a correct log', () => {
    const covered = { committed: 0, aborted: 0, indeterminate: 0, polled: 0, drained: 0 };
    fc.assert(
      fc.property(workloadArbitrary, (spec) => {
        const report = checkHistory(runLogModel(spec).history);
        expect(report.valid, formatReport(report)).toBe(true);
        covered.committed += report.stats.committedTxns;
        covered.aborted += report.stats.abortedTxns;
        covered.indeterminate += report.stats.indeterminateTxns;
        covered.polled += report.stats.polledRecords;
        covered.drained += report.stats.drainedRecords;
      }),
      params,
    );
    // The model must have exercised every path the checker judges.
    for (const [what, n] of Object.entries(covered)) expect(n, what).toBeGreaterThan(RUNS / 10);
  });

  for (const mutation of MUTATIONS) {
    it(`reports ${mutation.expect} after injecting: ${mutation.name}`, () => {
      let applied = 0;
      fc.assert(
        fc.property(workloadArbitrary, fc.nat(), (spec, choice) => {
          const { history, facts } = runLogModel(spec);
          const mutated = mutation.apply(history, facts, choice);
          if (mutated === undefined) return;
          applied++;
          const report = checkHistory(mutated);
          expect(report.counts[mutation.expect], formatReport(report)).toBeGreaterThan(0);
        }),
        params,
      );
      expect(applied).toBeGreaterThan(RUNS / 10);
    });
  }
});
