/**
 * Exactly-once for a topology that keeps no state, whose threads pipeline their commits: they go
 * on processing while a transaction ends, holding what they produce for the next one. On 3
 * instances and 5 partitions, under every safe fault (kill -9 inside open transactions, stalls,
 * zombies, lost and delayed messages, broker restarts), the read_committed outputs must equal a
 * fault-free run's, in order per partition, with every input committed to its end and no
 * transaction left hanging; and each echo partition must equal its input partition up to the
 * committed offset (nothing doubled or lost at a transaction's edge).
 *
 * SEEDS=<n> runs n cases instead of the CI budget; FC_SEED=<seed> varies them. A failure prints
 * the seed and path that replay it.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Topology } from '../../../src/dsl/topology.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { type ClusterSnapshot, checkExactlyOnce, faultSchedule } from '../../../src/testing/index.js';
import { eosData } from './eos-system-app.js';

const SEEDS = process.env.SEEDS === undefined ? undefined : Number(process.env.SEEDS);
const FC_SEED = Number(process.env.FC_SEED ?? 20_261_122);
const TIMEOUT_MS = Math.min(2 ** 31 - 1, Math.max(600_000, (SEEDS ?? 0) * 60_000));
const S = Serdes.string();

/** data → echo; data → (odd values, tagged) → odd: two outputs per transaction, no store. */
function statelessTopology(): Topology {
  const b = new StreamsBuilder();
  const data = b.stream('data', { key: S, value: S });
  data.to('echo');
  data
    .filter((_k, v) => Math.abs(Number(v)) % 2 === 1)
    .mapValues((v) => `odd:${v}`)
    .to('odd', { value: S });
  return b.build();
}

/** Each echo partition is its input partition, up to the committed offset, in order. */
function verifyEcho(snapshot: ClusterSnapshot): string[] {
  const problems: string[] = [];
  const committed = new Map(snapshot.offsets.map((o) => [`${o.topic}-${o.partition}`, o.committed]));
  for (const [tp, input] of snapshot.inputs) {
    const want = input.slice(0, committed.get(tp) ?? 0).map((r) => `${r.key}=${r.value}`);
    const got = (snapshot.outputs.get(tp.replace(/^data-/, 'echo-')) ?? []).map((r) => `${r.key}=${r.value}`);
    if (want.join('\n') !== got.join('\n'))
      problems.push(`echo of ${tp}: ${got.length} records for ${want.length} committed inputs`);
  }
  return problems;
}

describe('exactly-once of a stateless topology with pipelined commits (3 instances, 5 partitions)', () => {
  it(
    'keeps echo and odd exact through every safe fault, commit every 50 ms',
    async () => {
      const report = await checkExactlyOnce({
        app: statelessTopology,
        inputs: eosData(600, 7, 3),
        inputSpreadMs: 1500,
        cluster: { instances: 3, partitions: 5, commitIntervalMs: 50 },
        faults: faultSchedule({ maxFaults: 3, withinMs: 3000, maxDownMs: 1500, maxStallMs: 8000 }),
        verify: (_records, snapshot) => verifyEcho(snapshot),
        outputOrder: 'partition',
        numRuns: SEEDS ?? 24,
        seed: FC_SEED,
        traceFile: 'stateless-eos-failure.txt',
      });
      expect(report.cases.length).toBeGreaterThanOrEqual(SEEDS ?? 24);
      expect(report.cases.reduce((n, c) => n + c.faults.length, 0)).toBeGreaterThanOrEqual(
        report.cases.length,
      );
    },
    TIMEOUT_MS,
  );
});
