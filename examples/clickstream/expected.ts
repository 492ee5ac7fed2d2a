/**
 * What the clickstream app must output, computed by TopologyTestDriver from the same input (one
 * synchronous task, no broker): the reference an exactly-once run must match.
 */
import { Serdes, TopologyTestDriver, WindowedSerdes } from '../../src/index.js';
import { clickstreamTopology, TOPICS } from './app.js';
import type { RawRecord } from './events.js';

/** Per output topic: every key's values in the order emitted (null: a tombstone). */
export type Outputs = Record<string, Map<string, (number | null)[]>>;

/** The outputs as the driver computes them, and how many records it dead-lettered. */
export function expectedOutputs(
  users: readonly RawRecord[],
  views: readonly RawRecord[],
): { outputs: Outputs; deadLetters: number } {
  const S = Serdes.string();
  const B = Serdes.bytes();
  const driver = new TopologyTestDriver(clickstreamTopology(), {
    deserializationErrorHandler: { deadLetterTopic: TOPICS.deadLetters },
  });
  const usersIn = driver.createInputTopic(TOPICS.users, S, B);
  for (const r of users) usersIn.pipeInput(r.key, r.value, r.timestamp);
  const viewsIn = driver.createInputTopic(TOPICS.views, S, B);
  for (const r of views) viewsIn.pipeInput(r.key, r.value, r.timestamp);
  const outputs: Outputs = {};
  const N = Serdes.int64();
  for (const topic of [TOPICS.perRegion, TOPICS.perPage]) {
    outputs[topic] = group(driver.createOutputTopic(topic, S, N).readRecordsToList());
  }
  const sessions = driver
    .createOutputTopic(TOPICS.sessions, WindowedSerdes.sessionWindowed(S), N)
    .readRecordsToList();
  outputs[TOPICS.sessions] = group(
    sessions.map((r) => ({
      key: `${r.key!.key}@${r.key!.window.startMs}-${r.key!.window.endMs}`,
      value: r.value,
    })),
  );
  const deadLetters = driver.createOutputTopic(TOPICS.deadLetters, S, B).readRecordsToList().length;
  void driver.close();
  return { outputs, deadLetters };
}

/** Groups records' values by key, in order. */
export function group(
  records: readonly { key: string | null; value: number | null }[],
): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  for (const r of records) {
    const k = r.key ?? '';
    const list = out.get(k);
    if (list === undefined) out.set(k, [r.value]);
    else list.push(r.value);
  }
  return out;
}
