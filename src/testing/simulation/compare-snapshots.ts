/**
 * The exactly-once verdict: a run under faults must leave what a fault-free run of the same input
 * leaves — the same read_committed outputs, the same stores — with no transaction left open and
 * every consumed partition committed to its end. Differences come back as readable lines (the
 * first few of each kind), for a failure report.
 */
import type { ClusterSnapshot, RenderedRecord } from './simulated-cluster.js';

/**
 * How outputs must match:
 * - `partition`: every output partition holds the same records in the same order (a topology
 *   whose outputs per partition come from one input partition in order);
 * - `key`: the same records per partition, in the same order per key (Kafka's ordering guarantee
 *   when a key's records flow through repartition topics, interleaved with other keys');
 * - `none`: the same records per partition as multisets (the topology defines no order);
 * - `last`: the same last value per key per partition (a table's changelog, where how many
 *   intermediate updates come out depends on caching and commit timing).
 *
 * @example
 * ```ts
 * const order: OutputOrder = 'key';
 * ```
 */
export type OutputOrder = 'partition' | 'key' | 'none' | 'last';

/**
 * What to compare.
 *
 * @example
 * ```ts
 * const options: CompareOptions = { order: 'key', timestamps: false, stores: true };
 * ```
 */
export interface CompareOptions {
  readonly order: OutputOrder;
  /** Compare output timestamps too (they may depend on how inputs interleaved). Default false. */
  readonly timestamps?: boolean;
  /** Compare store contents (their changelogs). Default true. */
  readonly stores?: boolean;
}

/** Lines shown per difference kind. */
const SHOWN = 6;

/**
 * Checks a run's own invariants: no partition with an open transaction (LSO = HW) and every
 * consumed partition committed past its last record.
 *
 * @example
 * ```ts
 * const problems = checkQuiescent(snapshot); // [] when all is well
 * ```
 */
export function checkQuiescent(snapshot: ClusterSnapshot): string[] {
  const out: string[] = [];
  for (const o of snapshot.offsets) {
    if (o.lso !== o.hw)
      out.push(`hanging transaction: ${o.topic}-${o.partition} has LSO ${o.lso} < HW ${o.hw}`);
    if ((o.unprocessed ?? 0) > 0)
      out.push(
        `not committed to its end: ${o.topic}-${o.partition} has ${o.unprocessed} records past the committed offset ${o.committed}`,
      );
  }
  return out;
}

/**
 * Compares a run under faults (`actual`) with a fault-free run of the same input (`expected`);
 * returns the differences in words, [] when they agree.
 *
 * @example
 * ```ts
 * const diff = compareSnapshots(reference, faulty, { order: 'key' });
 * if (diff.length > 0) throw new Error(diff.join('\n'));
 * ```
 */
export function compareSnapshots(
  expected: ClusterSnapshot,
  actual: ClusterSnapshot,
  options: CompareOptions,
): string[] {
  const out: string[] = [];
  // Input that differs means the log lost or doubled what was written to it: say so first, as
  // every output difference follows from it.
  for (const [tp, records] of expected.inputs) {
    const got = actual.inputs.get(tp) ?? [];
    if (got.length !== records.length)
      out.push(
        `input ${tp}: ${got.length} records instead of ${records.length} — the log lost or doubled input (not the streams runtime)`,
      );
  }
  const render = (r: RenderedRecord) =>
    options.timestamps === true ? `${r.key} → ${r.value} @${r.timestamp}` : `${r.key} → ${r.value}`;
  for (const tp of union(expected.outputs.keys(), actual.outputs.keys())) {
    const want = expected.outputs.get(tp) ?? [];
    const got = actual.outputs.get(tp) ?? [];
    out.push(...compareRecords(`output ${tp}`, want, got, render, options.order));
  }
  if (options.stores !== false) {
    for (const name of union(expected.stores.keys(), actual.stores.keys())) {
      out.push(...compareStore(name, expected.stores.get(name), actual.stores.get(name)));
    }
  }
  return out;
}

function union(a: Iterable<string>, b: Iterable<string>): string[] {
  return [...new Set([...a, ...b])].sort();
}

function compareRecords(
  what: string,
  wantRecords: readonly RenderedRecord[],
  gotRecords: readonly RenderedRecord[],
  render: (r: RenderedRecord) => string,
  order: OutputOrder,
): string[] {
  const want = wantRecords.map(render);
  const got = gotRecords.map(render);
  if (order === 'partition') {
    const i = firstDifference(want, got);
    if (i === undefined) return [];
    return [
      `${what}: ${got.length} records, expected ${want.length}; they differ from record ${i} on:`,
      ...window(want, got, i),
    ];
  }
  if (order === 'key') {
    const byKey = (records: readonly RenderedRecord[]) => {
      const m = new Map<string, string[]>();
      for (const r of records) {
        const list = m.get(r.key);
        if (list === undefined) m.set(r.key, [render(r)]);
        else list.push(render(r));
      }
      return m;
    };
    const w = byKey(wantRecords);
    const g = byKey(gotRecords);
    const lines: string[] = [];
    for (const key of union(w.keys(), g.keys())) {
      const a = w.get(key) ?? [];
      const b = g.get(key) ?? [];
      const i = firstDifference(a, b);
      if (i === undefined) continue;
      lines.push(
        `${what}, key ${key}: ${b.length} records, expected ${a.length}; from record ${i} on, expected [${a.slice(i, i + SHOWN).join(', ')}], got [${b.slice(i, i + SHOWN).join(', ')}]`,
      );
    }
    return cap(lines, what);
  }
  if (order === 'last') {
    const last = (records: readonly RenderedRecord[]) => new Map(records.map((r) => [r.key, render(r)]));
    const w = last(wantRecords);
    const g = last(gotRecords);
    const lines: string[] = [];
    for (const key of union(w.keys(), g.keys())) {
      if (w.get(key) !== g.get(key))
        lines.push(
          `${what}, key ${key}: last record expected ${w.get(key) ?? '(none)'}, got ${g.get(key) ?? '(none)'}`,
        );
    }
    return cap(lines, what);
  }
  const counts = new Map<string, number>();
  for (const r of want) counts.set(r, (counts.get(r) ?? 0) + 1);
  for (const r of got) counts.set(r, (counts.get(r) ?? 0) - 1);
  const missing = [...counts].filter(([, n]) => n > 0);
  const extra = [...counts].filter(([, n]) => n < 0);
  if (missing.length === 0 && extra.length === 0) return [];
  return [
    `${what}: ${got.length} records, expected ${want.length}`,
    ...missing.slice(0, SHOWN).map(([r, n]) => `  missing ${n}×: ${r}`),
    ...extra.slice(0, SHOWN).map(([r, n]) => `  extra ${-n}×: ${r}`),
  ];
}

function firstDifference(a: readonly string[], b: readonly string[]): number | undefined {
  const n = Math.max(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return undefined;
}

function window(want: readonly string[], got: readonly string[], from: number): string[] {
  const lines: string[] = [];
  for (let i = from; i < Math.min(from + SHOWN, Math.max(want.length, got.length)); i++) {
    lines.push(`  #${i}: expected ${want[i] ?? '(none)'}, got ${got[i] ?? '(none)'}`);
  }
  return lines;
}

function cap(lines: string[], what: string): string[] {
  if (lines.length <= SHOWN) return lines;
  return [...lines.slice(0, SHOWN), `${what}: … and ${lines.length - SHOWN} more keys differ`];
}

function compareStore(
  name: string,
  want: ReadonlyMap<string, string> | undefined,
  got: ReadonlyMap<string, string> | undefined,
): string[] {
  const a = want ?? new Map<string, string>();
  const b = got ?? new Map<string, string>();
  const lines: string[] = [];
  for (const key of union(a.keys(), b.keys())) {
    const x = a.get(key);
    const y = b.get(key);
    if (x !== y) lines.push(`store ${name}, key ${key}: expected ${x ?? '(absent)'}, got ${y ?? '(absent)'}`);
  }
  return cap(lines, `store ${name}`);
}
