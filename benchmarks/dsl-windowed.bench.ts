/**
 * dsl-windowed: a tumbling 1-minute windowed count per key, in process with no broker, driven
 * through the runtime StreamTask (`processDeserialized`: no source serdes; the in-memory window
 * store still serializes keys and values, as any store does), committing the stores every COMMIT
 * records, against a hand-written loop doing the same counting in a Map keyed by key and window
 * start, on the same records, in the same run (DESIGN.md §10).
 *
 * - dsl-windowed-count: the count table with nothing downstream (its store is the result). Goal:
 *   ≥ 1 M records/s; the ratio to the hand loop is reported.
 * - dsl-windowed-count-emit: the same with `.toStream().to(…)` into an object sink, so every
 *   update builds and forwards its windowed key and change.
 *
 * Records: RECORDS of them over KEYS keys in rotation; 10 records per millisecond of event time,
 * so a minute holds 600 k records (about 6 per key and window). Sides alternate; each reports its
 * best of ROUNDS runs.
 */
import { StreamsBuilder } from '../src/dsl/streams-builder.js';
import { TimeWindows } from '../src/dsl/windows/time-windows.js';
import { SimulatedClock } from '../src/runtime/actor/simulated-clock.js';
import { StreamTask } from '../src/runtime/streams/stream-task.js';
import { Serdes } from '../src/serdes/serdes.js';
import { type Benchmark, collectGarbage, type Figure, figure, nowMs, perSec, progress } from './harness.js';

// 1 M, not 10 M: the window store's fetch and put (hash lookups in the transaction buffer and the
// engine, serdes, a commit every 10 k) run near 400 k records/s here, so 10 M would take 25 s a
// run, four runs a benchmark; DSL_WINDOWED_RECORDS overrides.
const RECORDS = Number(process.env.DSL_WINDOWED_RECORDS ?? 1_000_000);
const KEYS = 100_000;
const COMMIT = 10_000;
const ROUNDS = 2;
const WINDOW_MS = 60_000;

const keys = Array.from({ length: KEYS }, (_, i) => `user-${i}`);
const timestampOf = (i: number): number => Math.floor(i / 10);

function topology(emit: boolean) {
  const b = new StreamsBuilder();
  const counts = b
    .stream('events', { key: Serdes.string(), value: Serdes.string() })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .count({ as: 'counts', persistent: false });
  if (emit) counts.toStream().to('counts-out');
  return b.build();
}

function runDsl(emit: boolean): { ms: number; out: number } {
  let out = 0;
  const task = new StreamTask(topology(emit), {
    clock: new SimulatedClock(0),
    sink: () => undefined,
    objectSink: () => void out++,
  });
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    task.processDeserialized('events', keys[i % KEYS], 'click', timestampOf(i), []);
    if ((i + 1) % COMMIT === 0) task.commit();
  }
  task.commit();
  const ms = nowMs() - start;
  void task.close();
  return { ms, out };
}

function runHand(): { ms: number; out: number } {
  const counts = new Map<string, number>();
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    const key = keys[i % KEYS]!;
    const t = timestampOf(i);
    const id = `${key}@${t - (t % WINDOW_MS)}`;
    counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  const ms = nowMs() - start;
  return { ms, out: counts.size };
}

const dslWindowed: Benchmark = {
  name: 'dsl-windowed',
  async run(): Promise<Figure[]> {
    const best = { dsl: Infinity, hand: Infinity, emit: Infinity };
    const runs: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const side of ['hand', 'dsl', 'emit'] as const) {
        collectGarbage();
        const r = side === 'hand' ? runHand() : runDsl(side === 'emit');
        best[side] = Math.min(best[side], r.ms);
        runs.push(`${side} ${Math.round(perSec(RECORDS, r.ms))}/s (${r.out} out)`);
        progress(`round ${round + 1} ${side}: ${Math.round(r.ms)} ms`);
      }
    }
    const note = `${RECORDS} records, ${KEYS} keys, 1-minute tumbling windows, commit every ${COMMIT}, processDeserialized, best of ${ROUNDS}; runs: ${runs.join('; ')}`;
    return [
      figure('dsl-windowed-count', 'records/s', perSec(RECORDS, best.dsl), {
        baseline: perSec(RECORDS, best.hand),
        note,
      }),
      figure('dsl-windowed-count-abs', 'records/s', perSec(RECORDS, best.dsl), { goal: 1_000_000 }),
      figure('dsl-windowed-count-emit', 'records/s', perSec(RECORDS, best.emit), {
        baseline: perSec(RECORDS, best.hand),
      }),
    ];
  },
};

export default dslWindowed;
