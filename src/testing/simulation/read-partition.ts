/**
 * Reading a whole partition back through the client, as a checker needs it: every record, at
 * read_committed or read_uncommitted, retrying through leader changes.
 */
import type { IsolationLevel } from '../../log/broker/partition-replica.js';
import { decodeFetched } from '../../log/client/consumer/fetched-records.js';
import type { EmbeddedLogClient } from '../../log/client/embedded-log-client.js';
import type { Simulation } from '../../runtime/actor/index.js';
import { settle } from './simulated-brokers.js';

/**
 * A record as stored, key and value decoded as UTF-8 (null as '').
 *
 * @example
 * ```ts
 * const r: StoredRecord = { offset: 0, key: 'alpha', value: '1' };
 * ```
 */
export interface StoredRecord {
  offset: number;
  key: string;
  value: string;
}

/**
 * Every record of the partition from `from` (its start by default) to its end (the high
 * watermark, or the last stable offset at read_committed), retrying through leader changes.
 *
 * @example
 * ```ts
 * const records = await readPartition(sim, client, 'word-counts', 0, 'read_committed');
 * ```
 * @throws an Error when a fetch makes no progress; what the client throws after 100 retries.
 */
export async function readPartition(
  sim: Simulation,
  client: EmbeddedLogClient,
  topic: string,
  partition: number,
  isolationLevel: IsolationLevel,
  from = 0,
): Promise<StoredRecord[]> {
  const raw = await readPartitionBytes(sim, client, topic, partition, isolationLevel, from);
  return raw.map((r) => ({ offset: r.offset, key: text(r.key), value: text(r.value) }));
}

/**
 * A record as stored, with its key and value bytes (null for a null key or a tombstone).
 *
 * @example
 * ```ts
 * const r: RawStoredRecord = { offset: 3, key: Buffer.from('k'), value: null, timestamp: 0 };
 * ```
 */
export interface RawStoredRecord {
  offset: number;
  key: Uint8Array | null;
  value: Uint8Array | null;
  timestamp: number;
}

/**
 * Like readPartition, with raw bytes and timestamps.
 *
 * @example
 * ```ts
 * const records = await readPartitionBytes(sim, client, 'app-counts-changelog', 1, 'read_committed');
 * ```
 * @throws as readPartition.
 */
export async function readPartitionBytes(
  sim: Simulation,
  client: EmbeddedLogClient,
  topic: string,
  partition: number,
  isolationLevel: IsolationLevel,
  from = 0,
): Promise<RawStoredRecord[]> {
  const out: RawStoredRecord[] = [];
  const end = (
    await settle(
      sim,
      retrying(sim, () => client.listOffset(topic, partition, -1, isolationLevel)),
    )
  ).offset;
  let offset = from;
  while (offset < end) {
    const result = await settle(
      sim,
      retrying(sim, () => client.fetch(topic, partition, offset, { maxBytes: 1 << 20, isolationLevel })),
    );
    const fetched = decodeFetched(
      result.records,
      offset,
      isolationLevel,
      result.abortedTransactions,
      (o, t, k, v) => ({ offset: o, key: k, value: v, timestamp: t }),
    );
    for (const r of fetched.records) if (r.offset < end) out.push(r);
    if (fetched.nextOffset <= offset)
      throw new Error(`${topic}-${partition}: no progress at offset ${offset} (end ${end})`);
    offset = fetched.nextOffset;
  }
  return out;
}

function text(bytes: Uint8Array | null): string {
  return bytes === null ? '' : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString();
}

/**
 * Calls `fn` until it succeeds, waiting 100 ms of simulated time between tries (at most 100 tries).
 *
 * @example
 * ```ts
 * const end = await retrying(sim, () => client.listOffset('lines', 0, -1));
 * ```
 * @throws the last error after 100 failed tries.
 */
export async function retrying<T>(sim: Simulation, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 100; i++) {
    try {
      return await fn();
    } catch (err) {
      last = err;
      await new Promise<void>((resolve) => sim.clock.setTimer(100, resolve));
    }
  }
  throw last;
}
