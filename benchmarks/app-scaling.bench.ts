/**
 * app-scaling: the app-stateless application (filter → mapValues, exactly_once_v2, commit interval
 * 100 ms, 4 input partitions, 100-byte records) with 2 stream threads in 2 worker threads against
 * 1 (the baseline), in the same run. This machine has 2 cores, and the broker (in the main
 * thread: fetches, produce appends, transaction markers, group commit) shares them with the
 * workers, so 2 workers cannot reach 2× here; the figure says how much of the second core the app
 * gets. Steady-state rates (10 %→90 % of the input, see app-bench-setup.ts) are compared; each
 * run in a fresh process on a settled disk, order alternating, medians of ROUNDS.
 */
import { runAppIsolated } from './app-bench-child.js';
import { type AppRunResult, describeRun, endToEndRate, steadyRate } from './app-bench-setup.js';
import { type Benchmark, type Figure, median, progress, withTempDir } from './harness.js';

const RECORDS = Number(process.env.APP_SCALING_RECORDS ?? 3_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

const benchmark: Benchmark = {
  name: 'app-scaling',
  async run(): Promise<Figure[]> {
    return withTempDir('app-scaling', async (dir) => {
      const runs = new Map<number, AppRunResult[]>([
        [1, []],
        [2, []],
      ]);
      const notes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (const threads of round % 2 === 0 ? [1, 2] : [2, 1]) {
          progress(
            `${threads} worker thread(s), exactly_once_v2: ${RECORDS.toLocaleString()} records (round ${round + 1})`,
          );
          const r = runAppIsolated('stateless', dir, 'exactly_once_v2', threads, RECORDS);
          if (r.recordsIn < RECORDS)
            throw new Error(`${threads} threads: ${r.recordsIn} records in, want ${RECORDS}`);
          runs.get(threads)!.push(r);
          notes.push(describeRun(`${threads} worker(s) round ${round + 1}`, r));
        }
      }
      const one = median(runs.get(1)!.map(steadyRate));
      const two = median(runs.get(2)!.map(steadyRate));
      const oneE2e = median(runs.get(1)!.map(endToEndRate));
      const twoE2e = median(runs.get(2)!.map(endToEndRate));
      return [
        {
          metric: 'app-scaling',
          unit: 'records/s',
          value: two,
          baseline: one,
          ratio: two / one,
          goal: 1.7,
          note: `steady state, 2 workers vs 1 (baseline), exactly_once_v2, ${RECORDS.toLocaleString()} records over 4 partitions, 2-core machine shared with the broker in the main thread; median of ${ROUNDS} runs each. Runs: ${notes.join('; ')}`,
        },
        {
          metric: 'app-scaling-end-to-end',
          unit: 'records/s',
          value: twoE2e,
          baseline: oneE2e,
          ratio: twoE2e / oneE2e,
          note: 'app.start() until the committed offsets reach the input end (includes worker start and the 3 s initial rebalance delay)',
        },
      ];
    });
  },
};

export default benchmark;
