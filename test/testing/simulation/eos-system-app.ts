/**
 * The topology of Kafka Streams' exactly-once system test (EosTestClient), for the simulation:
 * `data` (string keys, integer values as text) → `echo` (pass-through); per key `min` and `sum`
 * (grouped by key, no repartition); per key `max` and `cnt` after passing through a repartition
 * topic. Caching is off, so every input record gives exactly one update per aggregate:
 * update i of a key is the aggregate of that key's inputs 0..i, which `verifyEos` checks.
 */
import fc from 'fast-check';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Topology } from '../../../src/dsl/topology.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import type {
  ClusterSnapshot,
  InputRecord,
  RenderedRecord,
  ScheduledFault,
} from '../../../src/testing/index.js';

const S = Serdes.string();

/** The aggregate output topics and how each folds a key's values. */
export const AGGREGATES = {
  min: (values: readonly number[]) => Math.min(...values),
  sum: (values: readonly number[]) => values.reduce((a, b) => a + b, 0),
  max: (values: readonly number[]) => Math.max(...values),
  cnt: (values: readonly number[]) => values.length,
} as const;

/** data → echo, min, sum; data → (repartition) → max, cnt. */
export function eosSystemTopology(): Topology {
  const b = new StreamsBuilder();
  const data = b.stream('data', { key: S, value: S });
  data.to('echo');
  const byKey = data.groupByKey({ key: S, value: S });
  byKey
    .reduce((a, v) => String(Math.min(Number(a), Number(v))), { as: 'min-store', caching: false })
    .toStream()
    .to('min');
  byKey
    .reduce((a, v) => String(Number(a) + Number(v)), { as: 'sum-store', caching: false })
    .toStream()
    .to('sum');
  // Through a repartition topic (Kafka's test writes to and reads from `repartition`): a second
  // sub-topology, whose tasks read what the first one's wrote in the same transactions.
  const regrouped = data.repartition({ as: 'regrouped', key: S, value: S }).groupByKey({ key: S, value: S });
  regrouped
    .reduce((a, v) => String(Math.max(Number(a), Number(v))), { as: 'max-store', caching: false })
    .toStream()
    .to('max');
  regrouped
    .count({ as: 'cnt-store', caching: false })
    .toStream()
    .mapValues((n) => String(n))
    .to('cnt', { value: S });
  return b.build();
}

/**
 * `n` records over `keys` keys, values drawn from a fixed sequence (some negative, so min and sum
 * are not just first and count), timestamps their index.
 */
export function eosData(n: number, keys = 6, salt = 0): InputRecord[] {
  return Array.from({ length: n }, (_, i) => ({
    topic: 'data',
    key: `k${(i * 7 + salt) % keys}`,
    value: String(((i * 37 + salt * 11) % 101) - 30),
  }));
}

const text = (rendered: string): string => JSON.parse(rendered) as string;

/**
 * Kafka's EosTestDriver verdicts on a run that quiesced: echo equals the input, in order per
 * partition, up to the committed offsets; each aggregate's update i of a key equals the running
 * aggregate of that key's inputs 0..i; nothing beyond (no update without its input). Returns the
 * broken invariants in words.
 */
export function verifyEos(records: readonly InputRecord[], snapshot: ClusterSnapshot): string[] {
  const problems: string[] = [];
  const offsets = new Map(snapshot.offsets.map((o) => [`${o.topic}-${o.partition}`, o]));
  // The input as the log holds it, per partition, cut at the group's committed offset (the input
  // is written non-transactionally: its offsets are its records).
  const valuesByKey = new Map<string, number[]>();
  for (const [tp, input] of snapshot.inputs) {
    const committed = offsets.get(tp)?.committed ?? 0;
    const processed = input.slice(0, committed);
    const echo = snapshot.outputs.get(tp.replace(/^data-/, 'echo-')) ?? [];
    problems.push(...sameRecords(`echo of ${tp}`, processed, echo));
    for (const r of processed) {
      const key = text(r.key);
      const list = valuesByKey.get(key) ?? [];
      list.push(Number(text(r.value)));
      valuesByKey.set(key, list);
    }
  }
  const written = records.length;
  const read = [...snapshot.inputs.values()].reduce((n, l) => n + l.length, 0);
  if (read !== written) problems.push(`data: ${read} records in the log, ${written} written`);
  for (const [topic, fold] of Object.entries(AGGREGATES)) {
    const updates = new Map<string, string[]>();
    for (const [tp, out] of snapshot.outputs) {
      if (!tp.startsWith(`${topic}-`)) continue;
      for (const r of out) {
        const key = text(r.key);
        const list = updates.get(key) ?? [];
        list.push(text(r.value));
        updates.set(key, list);
      }
    }
    for (const key of new Set([...valuesByKey.keys(), ...updates.keys()])) {
      const values = valuesByKey.get(key) ?? [];
      const got = updates.get(key) ?? [];
      const want = values.map((_, i) => String(fold(values.slice(0, i + 1))));
      const i = want.findIndex((w, j) => got[j] !== w);
      if (i >= 0 || got.length !== want.length) {
        const at = i >= 0 ? i : Math.min(want.length, got.length);
        problems.push(
          `${topic}, key ${key}: ${got.length} updates for ${values.length} inputs; update ${at} is ${got[at] ?? '(none)'}, the running ${topic} of inputs 0..${at} is ${want[at] ?? '(no such input)'}`,
        );
      }
    }
  }
  return problems;
}

function sameRecords(
  what: string,
  want: readonly RenderedRecord[],
  got: readonly RenderedRecord[],
): string[] {
  const show = (r: RenderedRecord | undefined) => (r === undefined ? '(none)' : `${r.key} → ${r.value}`);
  const n = Math.max(want.length, got.length);
  for (let i = 0; i < n; i++) {
    if (show(want[i]) !== show(got[i]))
      return [
        `${what}: ${got.length} records for ${want.length} inputs; record ${i} is ${show(got[i])}, input ${i} is ${show(want[i])}`,
      ];
  }
  return [];
}

/**
 * Kafka's "clean" schedule: rounds of one instance shutting down cleanly and, a little later, one
 * starting (each a rebalance), while input arrives.
 */
export function stopStartSchedule(rounds = 3, withinMs = 4000): fc.Arbitrary<ScheduledFault[]> {
  return fc
    .array(
      fc.record({
        atMs: fc.integer({ min: 0, max: withinMs }),
        instance: fc.nat(7),
        gapMs: fc.integer({ min: 0, max: 1500 }),
      }),
      { minLength: 1, maxLength: rounds },
    )
    .map((stops) =>
      stops
        .flatMap(({ atMs, instance, gapMs }): ScheduledFault[] => [
          { atMs, fault: { kind: 'removeInstance', instance } },
          { atMs: atMs + gapMs, fault: { kind: 'addInstance' } },
        ])
        .sort((a, b) => a.atMs - b.atMs),
    );
}
