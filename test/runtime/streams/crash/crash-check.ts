/**
 * The checker of the streams crash tests. The model is TopologyTestDriver's run of the crash app on
 * the same input: each output key's sequence of values and each store's contents. The observed side
 * is read after the fixture's last, graceful run: the test process opens the broker's data directory
 * itself and reads every output partition read_committed, compares the last stable offset with the
 * high watermark of every output, repartition and changelog partition (no hanging transaction),
 * describes the group (no member left), and opens each task's RocksDB stores from the state
 * directory and reads them through the same store layers the runtime uses.
 */
import { join } from 'node:path';
import { EmbeddedCluster } from '../../../../src/log/broker/embedded-cluster.js';
import { Admin } from '../../../../src/log/client/admin.js';
import { Consumer } from '../../../../src/log/client/consumer/consumer.js';
import { EmbeddedLogClient } from '../../../../src/log/client/embedded-log-client.js';
import { realClock } from '../../../../src/runtime/actor/index.js';
import { storesOfSubTopology } from '../../../../src/runtime/streams/active-task.js';
import { buildStore } from '../../../../src/runtime/streams/memory-store-factory.js';
import { Serdes } from '../../../../src/serdes/serdes.js';
import type { KeyValueStore } from '../../../../src/state-stores/key-value-store.js';
import { RocksDbEngine } from '../../../../src/state-stores/rocksdb/rocksdb-engine.js';
import type { ValueAndTimestamp } from '../../../../src/state-stores/timestamped-key-value-store.js';
import type { WindowStore } from '../../../../src/state-stores/window/window-store.js';
import { TopologyTestDriver } from '../../../../src/testing/topology-test-driver.js';
import { crashTopology, INPUT_TOPIC, inputRecord, OUTPUT_TOPICS, PARTITIONS } from './fixtures/crash-app.js';
import { APP_ID, BROKER_SETTINGS, changelogTopics, repartitionTopics } from './fixtures/crash-config.js';

/** Per output topic, each key's values in order. */
export type Outputs = Record<string, Map<string, string[]>>;
/** Per store, each entry (`key` or `key@windowStart`) as `value@timestamp`. */
export type StoreContents = Record<string, Map<string, string>>;

const S = Serdes.string();

function append(out: Map<string, string[]>, key: string, value: string): void {
  const list = out.get(key);
  if (list === undefined) out.set(key, [value]);
  else list.push(value);
}

function sortedMap<V>(m: Map<string, V>): Map<string, V> {
  return new Map([...m].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** The fault-free result: the test driver's outputs and stores for input lines 0 … records−1. */
export async function model(records: number): Promise<{ outputs: Outputs; stores: StoreContents }> {
  const driver = new TopologyTestDriver(crashTopology());
  try {
    const input = driver.createInputTopic(INPUT_TOPIC, S, S);
    for (let i = 0; i < records; i++) {
      const r = inputRecord(i);
      input.pipeInput(r.key, r.value, r.timestamp);
    }
    const outputs: Outputs = {};
    for (const topic of OUTPUT_TOPICS) {
      const out = new Map<string, string[]>();
      for (const r of driver.createOutputTopic(topic, S, S).readRecordsToList())
        append(out, r.key!, r.value!);
      outputs[topic] = out;
    }
    const counts = new Map<string, string>();
    for (const { key, value } of driver.getTimestampedKeyValueStore<string, number>('counts').all()) {
      counts.set(key, `${value.value}@${value.timestampMs}`);
    }
    const sums = new Map<string, string>();
    for (const { key, value } of driver.getTimestampedWindowStore<string, number>('window-sums').all()) {
      sums.set(`${key.key}@${key.window.startMs}`, `${value.value}@${value.timestampMs}`);
    }
    return { outputs, stores: { counts: sortedMap(counts), 'window-sums': sortedMap(sums) } };
  } finally {
    await driver.close();
  }
}

/** Every record of a partition below its last stable offset (read_committed) or high watermark. */
async function readPartition(
  client: EmbeddedLogClient,
  topic: string,
  partition: number,
  isolationLevel: 'read_committed' | 'read_uncommitted' = 'read_committed',
): Promise<{ key: string; value: string }[]> {
  const end = (await client.listOffset(topic, partition, -1, isolationLevel)).offset;
  const consumer = new Consumer(client, realClock, { isolationLevel, maxPollRecords: 10_000 });
  const tp = { topic, partition };
  consumer.assign([tp]);
  consumer.seek(tp, 0);
  const out: { key: string; value: string }[] = [];
  try {
    while ((consumer.position(tp) ?? 0) < end) {
      const { partitions } = await consumer.poll(200);
      for (const records of partitions.values()) {
        for (const r of records) out.push({ key: r.key!.toString(), value: r.value!.toString() });
      }
    }
  } finally {
    await consumer.close();
  }
  return out;
}

/** What the broker's log holds after the last run. */
export interface LogState {
  outputs: Outputs;
  /** Partitions whose last stable offset is below the high watermark (a hanging transaction). */
  hanging: string[];
  /** Partitions checked for hanging transactions. */
  checked: number;
  /**
   * Members still in the application's group, by group instance id. Threads of an app with a stable
   * instanceId are static members: they stay after a close until their session times out, and a
   * restarted thread takes its predecessor's place instead of adding a member.
   */
  groupMembers: string[];
  /** Data records in the log that read_committed hides (aborted transactions: kills mid-transaction). */
  abortedRecords: number;
}

/** Opens the broker's data directory in this process and reads the app's topics. */
export async function readLog(dir: string): Promise<LogState> {
  const cluster = EmbeddedCluster.start({ brokers: 1, dataDir: join(dir, 'log'), settings: BROKER_SETTINGS });
  const client = new EmbeddedLogClient(cluster.system, { node: 'checker', requestTimeoutMs: 5000 });
  try {
    await cluster.whenReady();
    return await readTopics(client, PARTITIONS);
  } finally {
    client.close();
    await cluster.shutdown();
  }
}

/** Reads the app's outputs, last stable offsets and group through `client`. */
export async function readTopics(client: EmbeddedLogClient, partitions: number): Promise<LogState> {
  const outputs: Outputs = {};
  for (const topic of OUTPUT_TOPICS) {
    const out = new Map<string, string[]>();
    for (let p = 0; p < partitions; p++) {
      for (const r of await retry(() => readPartition(client, topic, p))) append(out, r.key, r.value);
    }
    outputs[topic] = out;
  }
  const hanging: string[] = [];
  let checked = 0;
  let abortedRecords = 0;
  const topics = [...OUTPUT_TOPICS, ...repartitionTopics(), ...changelogTopics().map((c) => c.topic)];
  for (const topic of topics) {
    for (let p = 0; p < partitions; p++) {
      const hw = (await retry(() => client.listOffset(topic, p, -1))).offset;
      const lso = (await retry(() => client.listOffset(topic, p, -1, 'read_committed'))).offset;
      checked++;
      if (lso !== hw) hanging.push(`${topic}-${p}: LSO ${lso} < HW ${hw}`);
      const all = await retry(() => readPartition(client, topic, p, 'read_uncommitted'));
      const committed = await retry(() => readPartition(client, topic, p));
      abortedRecords += all.length - committed.length;
    }
  }
  const group = await retry(() => new Admin(client).describeGroup(APP_ID));
  const groupMembers = group.members.map((m) => m.groupInstanceId ?? `dynamic:${m.clientId}`).sort();
  return { outputs, hanging, checked, groupMembers, abortedRecords };
}

async function retry<T>(fn: () => Promise<T>): Promise<T> {
  for (let i = 0; ; i++) {
    try {
      return await fn();
    } catch (err) {
      if (i > 200) throw err;
      await new Promise((r) => setTimeout(r, 25));
    }
  }
}

/** Each store's contents, read from the tasks' RocksDB directories after the last run. */
export async function readStores(dir: string): Promise<StoreContents> {
  const topology = crashTopology();
  const stores: StoreContents = {};
  for (const sub of topology.subTopologies) {
    for (const name of storesOfSubTopology(topology, sub.id)) {
      const def = topology.stores.get(name)!;
      const contents = stores[name] ?? new Map<string, string>();
      stores[name] = contents;
      for (let p = 0; p < PARTITIONS; p++) {
        const engine = await RocksDbEngine.open({
          name,
          dir: join(dir, 'state', APP_ID, `${sub.id}_${p}`, name),
        });
        const store = buildStore(def, engine);
        try {
          if (def.kind === 'window') {
            const it = (store as WindowStore<string, ValueAndTimestamp<number>>).all();
            for (const { key, value } of it) {
              contents.set(`${key.key}@${key.window.startMs}`, `${value.value}@${value.timestampMs}`);
            }
            it.close();
          } else {
            const it = (store as KeyValueStore<string, ValueAndTimestamp<number>>).all();
            for (const { key, value } of it) contents.set(key, `${value.value}@${value.timestampMs}`);
            it.close();
          }
        } finally {
          await store.close();
        }
      }
    }
  }
  for (const name of Object.keys(stores)) stores[name] = sortedMap(stores[name]!);
  return stores;
}

/** Keys whose value sequence differs from the model's, with both sequences (at most `limit`). */
export function differences(got: Outputs, want: Outputs, limit = 5): string[] {
  const out: string[] = [];
  for (const topic of Object.keys(want)) {
    const g = got[topic] ?? new Map<string, string[]>();
    const w = want[topic]!;
    for (const key of new Set([...w.keys(), ...g.keys()])) {
      const a = g.get(key) ?? [];
      const b = w.get(key) ?? [];
      if (a.length === b.length && a.every((v, i) => v === b[i])) continue;
      if (out.length < limit) {
        const i = a.findIndex((v, j) => v !== b[j]);
        const at = i < 0 ? b.length : i;
        out.push(
          `${topic} ${key}: ${a.length} values, want ${b.length}; first difference at ${at}: got ${a.slice(at, at + 4).join(',')} want ${b.slice(at, at + 4).join(',')}`,
        );
      } else out.push('…');
    }
  }
  return out.filter((l, i, all) => l !== '…' || all.indexOf('…') === i);
}
