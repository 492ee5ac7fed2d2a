/**
 * dsl-stateless: filter → mapValues → selectKey → to, in process with no broker, driven through the
 * runtime StreamTask that TopologyTestDriver wraps (its per-record entry point, not the driver's
 * convenience API), against a hand-written loop doing the same work with the same serdes on the
 * same records, in the same run (DESIGN.md §10).
 *
 * - dsl-stateless: string keys and JSON values deserialized at the source and serialized at the
 *   sink. Baseline: the hand loop. Goal: ratio ≥ 0.5.
 * - dsl-stateless-noserde: the same topology fed deserialized records (`processDeserialized`) into
 *   an object sink. Baseline: the hand loop without serdes. Goal: ≥ 2 M records/s.
 *
 * Records cycle through a pool of POOL prebuilt inputs (10 M distinct buffers would not fit in
 * memory, and building them is not what is measured). Sides alternate; each reports its best run.
 */
import { StreamsBuilder } from '../src/dsl/streams-builder.js';
import { SimulatedClock } from '../src/runtime/actor/simulated-clock.js';
import { StreamTask } from '../src/runtime/streams/stream-task.js';
import { Serdes } from '../src/serdes/serdes.js';
import { type Benchmark, collectGarbage, type Figure, figure, nowMs, perSec, progress } from './harness.js';

const RECORDS = Number(process.env.DSL_STATELESS_RECORDS ?? 10_000_000);
const ROUNDS = 2;
const POOL = 10_000;

interface Order {
  id: number;
  amount: number;
  region: string;
}
interface Cents {
  id: number;
  cents: number;
  region: string;
}

const keySerde = Serdes.string();
const valueSerde = Serdes.json<Order>();
const outSerde = Serdes.json<Cents>();
const REGIONS = ['eu', 'us', 'apac', 'latam'];

// The work both sides do: the same functions, so only the plumbing differs.
const keep = (_k: string, v: Order): boolean => v.amount > 50;
const toCents = (v: Order): Cents => ({ id: v.id, cents: v.amount * 100, region: v.region });
const regionOf = (_k: string, v: Cents): string => v.region;

function pool(): { orders: Order[]; keys: string[]; keyBytes: Uint8Array[]; valueBytes: Uint8Array[] } {
  const orders: Order[] = [];
  const keys: string[] = [];
  for (let i = 0; i < POOL; i++) {
    orders.push({ id: i, amount: (i * 37) % 100, region: REGIONS[i % REGIONS.length]! });
    keys.push(`order-${i}`);
  }
  return {
    orders,
    keys,
    keyBytes: keys.map((k) => keySerde.serialize('orders', k)!),
    valueBytes: orders.map((o) => valueSerde.serialize('orders', o)!),
  };
}

function topology() {
  const b = new StreamsBuilder();
  b.stream('orders', { key: keySerde, value: valueSerde })
    .filter(keep)
    .mapValues(toCents)
    .selectKey(regionOf)
    .to('cents', { key: keySerde, value: outSerde });
  return b.build();
}

function runDsl(data: ReturnType<typeof pool>, serde: boolean): { ms: number; out: number } {
  let out = 0;
  let bytes = 0;
  const task = new StreamTask(topology(), {
    clock: new SimulatedClock(0),
    sink: (_t, k, v) => {
      out++;
      bytes += k!.length + v!.length;
    },
    objectSink: serde ? undefined : () => void out++,
  });
  const start = nowMs();
  if (serde) {
    for (let i = 0; i < RECORDS; i++) {
      const j = i % POOL;
      task.process('orders', 0, i, data.keyBytes[j]!, data.valueBytes[j]!, i, []);
    }
  } else {
    for (let i = 0; i < RECORDS; i++) {
      const j = i % POOL;
      task.processDeserialized('orders', data.keys[j]!, data.orders[j]!, i, []);
    }
  }
  const ms = nowMs() - start;
  return { ms, out: bytes > 0 || !serde ? out : 0 };
}

// Two loops rather than one with a flag, so neither pays for a branch the DSL side does not have.
function runHand(data: ReturnType<typeof pool>, serde: boolean): { ms: number; out: number } {
  return serde ? runHandSerde(data) : runHandRaw(data);
}

function runHandSerde(data: ReturnType<typeof pool>): { ms: number; out: number } {
  let out = 0;
  let bytes = 0;
  const sink = (_topic: string, k: Uint8Array | null, v: Uint8Array | null): void => {
    out++;
    bytes += k!.length + v!.length;
  };
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    const j = i % POOL;
    const k = keySerde.deserialize('orders', data.keyBytes[j]!);
    const v = valueSerde.deserialize('orders', data.valueBytes[j]!);
    if (!keep(k, v)) continue;
    const cents = toCents(v);
    const key = regionOf(k, cents);
    sink('cents', keySerde.serialize('cents', key), outSerde.serialize('cents', cents));
  }
  const ms = nowMs() - start;
  return { ms, out: bytes > 0 ? out : 0 };
}

function runHandRaw(data: ReturnType<typeof pool>): { ms: number; out: number } {
  let out = 0;
  const sink = (_topic: string, _k: string, _v: Cents): void => void out++;
  const start = nowMs();
  for (let i = 0; i < RECORDS; i++) {
    const j = i % POOL;
    const k = data.keys[j]!;
    const v = data.orders[j]!;
    if (!keep(k, v)) continue;
    const cents = toCents(v);
    sink('cents', regionOf(k, cents), cents);
  }
  const ms = nowMs() - start;
  return { ms, out };
}

const dslStateless: Benchmark = {
  name: 'dsl-stateless',
  async run(): Promise<Figure[]> {
    const data = pool();
    const best = { dsl: Infinity, hand: Infinity, dslRaw: Infinity, handRaw: Infinity };
    const runs: string[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      for (const [side, serde] of [
        ['hand', true],
        ['dsl', true],
        ['handRaw', false],
        ['dslRaw', false],
      ] as const) {
        collectGarbage();
        const r = side.startsWith('dsl') ? runDsl(data, serde) : runHand(data, serde);
        best[side] = Math.min(best[side], r.ms);
        runs.push(`${side} ${Math.round(perSec(RECORDS, r.ms))}/s (${r.out} out)`);
        progress(`round ${round + 1} ${side}: ${Math.round(r.ms)} ms`);
      }
    }
    const note = `${RECORDS} records, ${POOL}-record pool, best of ${ROUNDS}; runs: ${runs.join('; ')}`;
    return [
      figure('dsl-stateless', 'records/s', perSec(RECORDS, best.dsl), {
        baseline: perSec(RECORDS, best.hand),
        goal: 0.5,
        note,
      }),
      figure('dsl-stateless-noserde', 'records/s', perSec(RECORDS, best.dslRaw), {
        goal: 2_000_000,
        note: `hand loop without serdes: ${Math.round(perSec(RECORDS, best.handRaw))} records/s`,
      }),
    ];
  },
};

export default dslStateless;
