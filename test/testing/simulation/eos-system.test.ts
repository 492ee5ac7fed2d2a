/**
 * Kafka Streams' exactly-once system test (StreamsEosTest), in simulation: the EosTestClient
 * topology (data → echo; min and sum per key; max and cnt per key behind a repartition topic) on
 * 3 instances and 5 partitions, under (a) clean stops and starts (rebalances) and (b) kill -9 of an
 * instance while the others run. Every case is checked as EosTestDriver checks a run — echo equals
 * the input up to the committed offsets in order per partition, update i of each aggregate for a
 * key is the running aggregate of that key's inputs 0..i, nothing beyond, the consumer group empty
 * once every instance stopped — and by checkExactlyOnce against a fault-free run (same outputs and
 * stores, no hanging transaction, every input committed to its end).
 *
 * SEEDS=<n> runs n cases per schedule instead of the CI budget; FC_SEED=<seed> varies them. A
 * failure prints the seed and path that replay it.
 */
import { describe, expect, it } from 'vitest';
import {
  type CaseReport,
  type ClusterSnapshot,
  checkExactlyOnce,
  faultSchedule,
  type RenderedRecord,
} from '../../../src/testing/index.js';
import { eosData, eosSystemTopology, stopStartSchedule, verifyEos } from './eos-system-app.js';

const SEEDS = process.env.SEEDS === undefined ? undefined : Number(process.env.SEEDS);
const FC_SEED = Number(process.env.FC_SEED ?? 20_261_121);
/** Room for the cases asked for: SEEDS=100000 runs for as long as it takes. */
const TIMEOUT_MS = Math.min(2 ** 31 - 1, Math.max(900_000, (SEEDS ?? 0) * 60_000));
const CLUSTER = { instances: 3, partitions: 5 } as const;

/** What the cases ran, for the test's own assertions. */
function summary(cases: readonly CaseReport[]) {
  return {
    cases: cases.length,
    faults: cases.reduce((n, c) => n + c.faults.length, 0),
    virtualMs: cases.reduce((n, c) => n + c.virtualMs, 0),
  };
}

describe("Kafka's exactly-once system test, simulated (3 instances, 5 partitions)", () => {
  it(
    'keeps echo, min, sum, max and cnt exact through clean stops and starts (rebalances)',
    async () => {
      const report = await checkExactlyOnce({
        app: eosSystemTopology,
        inputs: eosData(60, 6, 0),
        cluster: CLUSTER,
        faults: stopStartSchedule(3, 4000),
        verify: verifyEos,
        requireEmptyGroup: true,
        outputOrder: 'partition',
        numRuns: SEEDS ?? 8,
        seed: FC_SEED,
        traceFile: 'eos-system-clean-failure.txt',
      });
      const s = summary(report.cases);
      expect(s.cases).toBeGreaterThanOrEqual(SEEDS ?? 8);
      expect(s.faults).toBeGreaterThanOrEqual(2 * s.cases);
    },
    TIMEOUT_MS,
  );

  it(
    'keeps them exact through kill -9 of instances inside open transactions (commit every second)',
    async () => {
      const report = await checkExactlyOnce({
        app: eosSystemTopology,
        inputs: eosData(60, 6, 1),
        // Longer transactions, so a kill lands inside one (Kafka's test commits every 5 s for that).
        cluster: { ...CLUSTER, commitIntervalMs: 1000 },
        faults: faultSchedule({ kinds: ['crashInstance'], minFaults: 1, maxFaults: 3, withinMs: 4000 }),
        verify: verifyEos,
        requireEmptyGroup: true,
        outputOrder: 'partition',
        numRuns: SEEDS ?? 8,
        seed: FC_SEED + 1,
        checkDeterminism: false,
        traceFile: 'eos-system-kill-failure.txt',
      });
      expect(summary(report.cases).cases).toBeGreaterThanOrEqual(SEEDS ?? 8);
    },
    TIMEOUT_MS,
  );
});

describe('verifyEos (the EosTestDriver checks)', () => {
  const r = (key: string, value: string): RenderedRecord => ({
    key: JSON.stringify(key),
    value: JSON.stringify(value),
    timestamp: 0,
  });
  const input = [r('a', '3'), r('b', '-1'), r('a', '1'), r('a', '5')];
  const records = input.map((x) => ({ topic: 'data', key: JSON.parse(x.key), value: JSON.parse(x.value) }));
  const good = (): Map<string, RenderedRecord[]> =>
    new Map([
      ['echo-0', [...input]],
      ['min-0', [r('a', '3'), r('b', '-1'), r('a', '1'), r('a', '1')]],
      ['sum-0', [r('a', '3'), r('b', '-1'), r('a', '4'), r('a', '9')]],
      ['max-0', [r('a', '3'), r('b', '-1'), r('a', '3'), r('a', '5')]],
      ['cnt-0', [r('a', '1'), r('b', '1'), r('a', '2'), r('a', '3')]],
    ]);
  const snapshot = (outputs: Map<string, RenderedRecord[]>, committed = 4): ClusterSnapshot => ({
    inputs: new Map([['data-0', input]]),
    outputs,
    stores: new Map(),
    offsets: [{ topic: 'data', partition: 0, lso: 4, hw: 4, committed, unprocessed: 4 - committed }],
  });

  it('passes a run whose outputs are the running aggregates of its input', () => {
    expect(verifyEos(records, snapshot(good()))).toEqual([]);
  });

  it('reports a doubled update, a lost one, an update beyond the end and an echo out of order', () => {
    const doubled = good();
    doubled.set('sum-0', [r('a', '3'), r('b', '-1'), r('a', '4'), r('a', '8'), r('a', '13')]);
    expect(verifyEos(records, snapshot(doubled)).join('\n')).toMatch(
      /sum, key a: 4 updates for 3 inputs; update 2 is 8, the running sum of inputs 0..2 is 9/,
    );
    const lost = good();
    lost.set('cnt-0', [r('a', '1'), r('b', '1'), r('a', '2')]);
    expect(verifyEos(records, snapshot(lost)).join('\n')).toMatch(/cnt, key a: 2 updates for 3 inputs/);
    const beyond = good();
    beyond.set('max-0', [...beyond.get('max-0')!, r('c', '7')]);
    expect(verifyEos(records, snapshot(beyond)).join('\n')).toMatch(/max, key c: 1 updates for 0 inputs/);
    const reordered = good();
    reordered.set('echo-0', [input[1]!, input[0]!, input[2]!, input[3]!]);
    expect(verifyEos(records, snapshot(reordered)).join('\n')).toMatch(
      /echo of data-0: 4 records for 4 inputs; record 0/,
    );
  });

  it('compares echo only up to the committed offset', () => {
    const outputs = good();
    outputs.set('echo-0', input.slice(0, 2));
    expect(verifyEos(records, snapshot(outputs, 2)).filter((p) => p.startsWith('echo'))).toEqual([]);
  });
});
