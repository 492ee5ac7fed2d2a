/**
 * Checking the clickstream app's outputs: read every output topic back at read_committed, compare
 * with the reference run per key, and find transactions left open.
 */
import {
  type Admin,
  Consumer,
  type EmbeddedLogClient,
  realClock,
  Serdes,
  WindowedSerdes,
} from '../../src/index.js';
import { TOPICS } from './app.js';
import { group, type Outputs } from './expected.js';

/**
 * Every output record at read_committed, grouped per topic and key, and the dead letters counted.
 *
 * @example
 * ```ts
 * const { outputs, deadLetters } = await readOutputs(client, 4);
 * ```
 */
export async function readOutputs(
  client: EmbeddedLogClient,
  partitions: number,
): Promise<{ outputs: Outputs; deadLetters: number }> {
  const consumer = new Consumer(client, realClock, {
    isolationLevel: 'read_committed',
    autoOffsetReset: 'earliest',
    maxPollRecords: 10_000,
  });
  const topics = [TOPICS.perRegion, TOPICS.perPage, TOPICS.sessions, TOPICS.deadLetters];
  const ends = new Map<string, number>();
  for (const topic of topics) {
    for (let p = 0; p < partitions; p++)
      ends.set(`${topic}-${p}`, (await client.listOffset(topic, p, -1, 'read_committed')).offset);
  }
  consumer.assign(
    topics.flatMap((topic) => Array.from({ length: partitions }, (_, partition) => ({ topic, partition }))),
  );
  const S = Serdes.string();
  const N = Serdes.int64();
  const sessionKey = WindowedSerdes.sessionWindowed(S);
  const records: Record<string, { key: string | null; value: number | null }[]> = {};
  let deadLetters = 0;
  const done = () =>
    [...ends].every(
      ([tp, end]) =>
        (consumer.position({
          topic: tp.slice(0, tp.lastIndexOf('-')),
          partition: Number(tp.slice(tp.lastIndexOf('-') + 1)),
        }) ?? 0) >= end,
    );
  while (!done()) {
    const { partitions } = await consumer.poll(200);
    for (const list of partitions.values()) {
      for (const r of list) {
        if (r.topic === TOPICS.deadLetters) {
          deadLetters++;
          continue;
        }
        const key =
          r.topic === TOPICS.sessions
            ? (() => {
                const w = sessionKey.deserialize(r.topic, r.key!);
                return `${w.key}@${w.window.startMs}-${w.window.endMs}`;
              })()
            : S.deserialize(r.topic, r.key!);
        records[r.topic] ??= [];
        records[r.topic]!.push({
          key,
          value: r.value === null ? null : N.deserialize(r.topic, r.value),
        });
      }
    }
  }
  await consumer.close();
  const outputs: Outputs = {};
  for (const topic of [TOPICS.perRegion, TOPICS.perPage, TOPICS.sessions])
    outputs[topic] = group(records[topic] ?? []);
  return { outputs, deadLetters };
}

/**
 * The differences between the reference outputs and the app's, one line each (none: equal).
 *
 * @example
 * ```ts
 * const problems = compare(expectedOutputs(users, views).outputs, got.outputs);
 * ```
 */
export function compare(want: Outputs, got: Outputs): string[] {
  const problems: string[] = [];
  for (const [topic, keys] of Object.entries(want)) {
    const actual = got[topic] ?? new Map();
    for (const [key, values] of keys) {
      const a = actual.get(key) ?? [];
      const at = values.findIndex((v, i) => a[i] !== v);
      if (at >= 0 || a.length !== values.length) {
        const from = Math.max(0, (at < 0 ? values.length : at) - 2);
        const show = (l: readonly unknown[]) =>
          `${l.length} values, from #${from}: ${JSON.stringify(l.slice(from, from + 5))}`;
        problems.push(`${topic} ${key}: got ${show(a)}; want ${show(values)}`);
      }
    }
    for (const key of actual.keys()) if (!keys.has(key)) problems.push(`${topic} ${key}: unexpected key`);
  }
  return problems;
}

/**
 * Partitions whose last stable offset is below the high watermark: a transaction left open.
 *
 * @example
 * ```ts
 * const hanging = await openTransactions(client, admin); // [] when every transaction ended
 * ```
 */
export async function openTransactions(client: EmbeddedLogClient, admin: Admin): Promise<string[]> {
  const out: string[] = [];
  for (const t of await admin.describeTopics(await admin.listTopics())) {
    if (t.name.startsWith('__')) continue;
    for (const p of t.partitions) {
      const hw = (await client.listOffset(t.name, p.partition, -1)).offset;
      const lso = (await client.listOffset(t.name, p.partition, -1, 'read_committed')).offset;
      if (hw !== lso) out.push(`${t.name}-${p.partition}: last stable offset ${lso} ≠ high watermark ${hw}`);
    }
  }
  return out;
}
