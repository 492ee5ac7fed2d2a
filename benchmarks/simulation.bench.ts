/**
 * simulation: how fast the simulated cluster (src/testing/simulation) runs Kafka's exactly-once
 * system-test topology (test/testing/simulation/eos-system-app.ts: data → echo, min, sum, and
 * through a repartition topic max and cnt; 3 instances, 5 partitions, 1 broker, exactly_once_v2).
 *
 * - sim-speed: simulated seconds per wall-clock second over a fixed workload — WORKLOAD_RECORDS
 *   records spread over 10 s while one instance shuts down cleanly and another starts, one is
 *   killed (kill -9) and restarts, one stalls for 2 s — from cluster start to quiescence (every
 *   input committed, no transaction open), read-back included. The median of ROUNDS runs.
 * - sim-seeds-per-minute: checkExactlyOnce cases per wall-clock minute on the same topology (60
 *   records, 1–3 instance kills within 4 s, EosTestDriver's checks, the empty group at the end),
 *   the fault-free reference run and the checking included: what a test budget buys.
 *
 * Baseline of both: real time. Kafka's own exactly-once system test runs its schedule on a real
 * cluster, one second per second; so the baseline of sim-speed is 1 s/s, and that of
 * sim-seeds-per-minute is the cases a real-time run would finish in a minute (60 s over the mean
 * simulated length of a case). The ratio is the simulation's speed-up over running for real; goal ≥ 5.
 */
import { loadavg } from 'node:os';
import {
  checkExactlyOnce,
  faultSchedule,
  type ScheduledFault,
  SimulatedCluster,
} from '../src/testing/index.js';
import { eosData, eosSystemTopology, verifyEos } from '../test/testing/simulation/eos-system-app.js';
import { type Benchmark, type Figure, figure, median, nowMs, progress } from './harness.js';

const WORKLOAD_RECORDS = Number(process.env.SIM_BENCH_RECORDS ?? 300);
const ROUNDS = 3;
const CASES = Number(process.env.SIM_BENCH_CASES ?? 8);

const SCHEDULE: ScheduledFault[] = [
  { atMs: 1500, fault: { kind: 'removeInstance', instance: 0 } },
  { atMs: 2500, fault: { kind: 'addInstance' } },
  { atMs: 4000, fault: { kind: 'crashInstance', instance: 1, restartAfterMs: 1500 } },
  { atMs: 7000, fault: { kind: 'stallInstance', instance: 2, forMs: 2000 } },
];

/** One run of the fixed workload: simulated and wall-clock milliseconds. */
async function workload(seed: number): Promise<{ virtualMs: number; wallMs: number; events: number }> {
  const start = nowMs();
  const cluster = await SimulatedCluster.start({
    seed,
    topology: eosSystemTopology(),
    instances: 3,
    partitions: 5,
  });
  try {
    cluster.produce(eosData(WORKLOAD_RECORDS, 12, seed), 10_000);
    await cluster.runSchedule(SCHEDULE, 11_000);
    await cluster.quiesce();
    const snapshot = await cluster.snapshot();
    const problems = verifyEos(eosData(WORKLOAD_RECORDS, 12, seed), snapshot);
    if (problems.length > 0) throw new Error(`the workload's run is wrong (seed ${seed}): ${problems[0]}`);
    return {
      virtualMs: cluster.sim.clock.monotonicMs(),
      wallMs: nowMs() - start,
      events: cluster.sim.trace.size,
    };
  } finally {
    cluster.stop();
  }
}

const simulation: Benchmark = {
  name: 'simulation',
  async run(): Promise<Figure[]> {
    const speeds: number[] = [];
    let detail = '';
    for (let round = 0; round < ROUNDS; round++) {
      const r = await workload(round + 1);
      const speed = r.virtualMs / r.wallMs;
      speeds.push(speed);
      detail = `${(r.virtualMs / 1000).toFixed(1)} simulated s in ${(r.wallMs / 1000).toFixed(1)} s`;
      progress(`workload round ${round + 1}: ${detail}, ${r.events} actor events: ${speed.toFixed(1)}×`);
    }
    const speed = median(speeds);

    const virtual: number[] = [];
    const start = nowMs();
    const report = await checkExactlyOnce({
      app: eosSystemTopology,
      inputs: eosData(60, 6, 1),
      cluster: { instances: 3, partitions: 5, commitIntervalMs: 1000 },
      faults: faultSchedule({ kinds: ['crashInstance'], minFaults: 1, maxFaults: 3, withinMs: 4000 }),
      verify: verifyEos,
      requireEmptyGroup: true,
      outputOrder: 'partition',
      numRuns: CASES,
      seed: 20_261_121,
      checkDeterminism: false,
      onCase: (c) => {
        virtual.push(c.virtualMs);
        progress(
          `case ${virtual.length}: ${c.faults.length} fault(s), ${(c.virtualMs / 1000).toFixed(1)} simulated s`,
        );
      },
    });
    const minutes = (nowMs() - start) / 60_000;
    const perMinute = report.cases.length / minutes;
    const meanVirtualMs = virtual.reduce((a, b) => a + b, 0) / Math.max(1, virtual.length);
    const realTimePerMinute = 60_000 / meanVirtualMs;
    const load = `load average ${loadavg()[0]!.toFixed(1)}`;
    return [
      figure('sim-speed', 'sim s/s', speed, {
        baseline: 1,
        goal: 5,
        note: `EOS system topology, ${WORKLOAD_RECORDS} records, 4 faults; median of ${ROUNDS} (${speeds.map((s) => s.toFixed(1)).join(', ')}; last: ${detail}); baseline: real time; ${load}`,
      }),
      figure('sim-seeds-per-minute', 'cases/min', perMinute, {
        baseline: realTimePerMinute,
        goal: 5,
        note: `${report.cases.length} checkExactlyOnce cases (kill -9 schedules, reference run included) in ${(minutes * 60).toFixed(1)} s; a case simulates ${(meanVirtualMs / 1000).toFixed(1)} s on average; baseline: those cases in real time`,
      }),
    ];
  },
};

export default simulation;
