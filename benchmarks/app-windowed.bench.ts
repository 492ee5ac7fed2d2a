/**
 * app-windowed: a streams application end to end on the embedded broker (real clock and disk): a
 * pre-loaded input topic (4 partitions, 100-byte records, 100 k keys, 10 records per millisecond of
 * event time) → groupByKey → tumbling 1-minute windows → count in a RocksDB window store with a
 * changelog and the record cache (the DSL's defaults) → its updates to an output topic, with ONE
 * stream thread in a worker thread under exactly_once_v2 (commit interval 100 ms).
 *
 * Goal: ≥ 200 k records/s (steady state: 10 %→90 % of the input, from the worker's status reports;
 * see app-bench-setup.ts). Baseline, in the same run: the stateless app (filter → mapValues, see
 * app-stateless) on the same kind of input with the same settings, so the ratio is what the window
 * store, its changelog and the caching cost. Each run in a fresh process on a settled disk, order
 * alternating, medians of ROUNDS.
 */
import { runAppIsolated } from './app-bench-child.js';
import { type AppRunResult, describeRun, endToEndRate, steadyRate } from './app-bench-setup.js';
import { type Benchmark, type Figure, median, progress, withTempDir } from './harness.js';

const RECORDS = Number(process.env.APP_WINDOWED_RECORDS ?? 2_000_000);
const ROUNDS = Number(process.env.ROUNDS ?? 2);

type Kind = 'windowed' | 'stateless';

const benchmark: Benchmark = {
  name: 'app-windowed',
  async run(): Promise<Figure[]> {
    return withTempDir('app-windowed', async (dir) => {
      const runs: Record<Kind, AppRunResult[]> = { windowed: [], stateless: [] };
      const notes: string[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        const order: Kind[] = round % 2 === 0 ? ['stateless', 'windowed'] : ['windowed', 'stateless'];
        for (const kind of order) {
          progress(
            `${kind}, exactly_once_v2, 1 worker thread: ${RECORDS.toLocaleString()} records (round ${round + 1})`,
          );
          const r = runAppIsolated(kind, dir, 'exactly_once_v2', 1, RECORDS);
          if (r.recordsIn < RECORDS) throw new Error(`${kind}: ${r.recordsIn} records in, want ${RECORDS}`);
          runs[kind].push(r);
          notes.push(describeRun(`${kind} round ${round + 1}`, r));
        }
      }
      const windowed = median(runs.windowed.map(steadyRate));
      const stateless = median(runs.stateless.map(steadyRate));
      return [
        {
          metric: 'app-windowed-eos',
          unit: 'records/s',
          value: windowed,
          goal: 200_000,
          note: `steady state (10 %→90 % of the input), exactly_once_v2, 1 worker, RocksDB window store with changelog and cache, ${RECORDS.toLocaleString()} records over 100 k keys; median of ${ROUNDS} runs. Runs: ${notes.join('; ')}`,
        },
        {
          metric: 'app-windowed-eos/stateless',
          unit: 'records/s',
          value: windowed,
          baseline: stateless,
          ratio: windowed / stateless,
          note: 'baseline: the stateless app (filter → mapValues) with the same settings and input size, in the same run',
        },
        {
          metric: 'app-windowed-eos-end-to-end',
          unit: 'records/s',
          value: median(runs.windowed.map(endToEndRate)),
          baseline: median(runs.stateless.map(endToEndRate)),
          ratio: median(runs.windowed.map(endToEndRate)) / median(runs.stateless.map(endToEndRate)),
          note: 'app.start() until the committed offsets reach the input end (worker start, 3 s initial rebalance delay, last commit included); baseline: the stateless app',
        },
      ];
    });
  },
};

export default benchmark;
