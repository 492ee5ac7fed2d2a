/**
 * app-stateless: a streams application end to end on the embedded broker (real clock and disk):
 * a pre-loaded input topic (4 partitions, 100-byte records: 10-byte string keys, 90-byte string
 * values) → filter (drops 1 in 10) → mapValues (upper-case) → output topic (4 partitions), with
 * ONE stream thread in a worker thread (appModule) and the broker in the main thread, under
 * exactly_once_v2 (commit interval 100 ms, Kafka Streams' default under EOS) against the same app
 * under at_least_once with the same commit interval (the baseline), in the same run.
 *
 * The headline figure is the steady-state rate (records processed between the 10 % and 90 % marks
 * of the input, from the worker's status reports; see app-bench-setup.ts); the end-to-end rate
 * (app.start() until the group's committed offsets reach the input's end, including the workers'
 * start and the group coordinator's 3 s initial rebalance delay) is reported beside it.
 *
 * Each run is a fresh Node process (broker + app) on a settled disk (sync; the previous run's
 * directory removed and synced), rounds alternate which guarantee goes first; medians count.
 */
import { type Guarantee, runAppIsolated } from './app-bench-child.js';
import { type AppRunResult, describeRun, endToEndRate, steadyRate } from './app-bench-setup.js';
import { type Benchmark, type Figure, median, progress, withTempDir } from './harness.js';

const RECORDS = Number(process.env.APP_STATELESS_RECORDS ?? 3_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);
const COMMIT_INTERVAL_MS = 100;

const benchmark: Benchmark = {
  name: 'app-stateless',
  async run(): Promise<Figure[]> {
    return withTempDir('app-stateless', async (dir) => {
      const runs: Record<Guarantee, AppRunResult[]> = { exactly_once_v2: [], at_least_once: [] };
      const notes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order: Guarantee[] =
          round % 2 === 0 ? ['at_least_once', 'exactly_once_v2'] : ['exactly_once_v2', 'at_least_once'];
        for (const g of order) {
          progress(
            `${g}, 1 worker thread: ${RECORDS.toLocaleString()} records of 100 B (round ${round + 1})`,
          );
          const r = runAppIsolated('stateless', dir, g, 1, RECORDS);
          const expectedOut = RECORDS - Math.ceil(RECORDS / 10);
          if (r.recordsIn < RECORDS || r.recordsOut < expectedOut) {
            throw new Error(
              `${g}: ${r.recordsIn} in / ${r.recordsOut} out, want ${RECORDS} / ${expectedOut}`,
            );
          }
          runs[g].push(r);
          notes.push(describeRun(`${g === 'exactly_once_v2' ? 'EOS' : 'ALOS'} round ${round + 1}`, r));
        }
      }
      const eos = median(runs.exactly_once_v2.map(steadyRate));
      const alos = median(runs.at_least_once.map(steadyRate));
      const eosE2e = median(runs.exactly_once_v2.map(endToEndRate));
      const alosE2e = median(runs.at_least_once.map(endToEndRate));
      const setup = `${RECORDS.toLocaleString()} records, 1 stream thread in a worker, broker in the main thread, commit interval ${COMMIT_INTERVAL_MS} ms for both; median of ${ROUNDS} runs each, alternating order, each in a fresh process`;
      return [
        {
          metric: 'app-stateless-eos',
          unit: 'records/s',
          value: eos,
          goal: 500_000,
          note: `steady state (10 %→90 % of the input, from status reports), exactly_once_v2; ${setup}`,
        },
        {
          metric: 'app-stateless-eos/alos',
          unit: 'records/s',
          value: eos,
          baseline: alos,
          ratio: eos / alos,
          goal: 0.9,
          note: `steady state; baseline: the same app under at_least_once. Runs: ${notes.join('; ')}`,
        },
        {
          metric: 'app-stateless-eos-end-to-end',
          unit: 'records/s',
          value: eosE2e,
          baseline: alosE2e,
          ratio: eosE2e / alosE2e,
          note: 'app.start() until the committed offsets reach the input end (includes worker start, the 3 s initial rebalance delay, the last commit); baseline: at_least_once',
        },
      ];
    });
  },
};

export default benchmark;
