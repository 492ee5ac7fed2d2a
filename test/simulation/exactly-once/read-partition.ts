/** Reads a whole partition back through the client, as a checker needs it: every record with its batch's producer fields. */

import type { IsolationLevel } from '../../../src/log/broker/partition-replica.js';
import { decodeFetched } from '../../../src/log/client/consumer/fetched-records.js';
import type { EmbeddedLogClient } from '../../../src/log/client/embedded-log-client.js';
import type { Simulation } from '../../../src/runtime/actor/index.js';
import { settle } from '../../log/broker/cluster-fixtures.js';

/** A record as stored. */
export interface StoredRecord {
  offset: number;
  key: string;
  value: string;
}

/**
 * Every record of the partition from its start to its end (the high watermark, or the last stable
 * offset at read_committed), retrying through leader changes.
 */
export async function readPartition(
  sim: Simulation,
  client: EmbeddedLogClient,
  topic: string,
  partition: number,
  isolationLevel: IsolationLevel,
): Promise<StoredRecord[]> {
  const out: StoredRecord[] = [];
  const end = (
    await settle(
      sim,
      retrying(sim, () => client.listOffset(topic, partition, -1, isolationLevel)),
    )
  ).offset;
  let offset = 0;
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
      (o, _t, k, v) => ({
        offset: o,
        key: k === null ? '' : k.toString(),
        value: v === null ? '' : v.toString(),
      }),
    );
    out.push(...fetched.records.filter((r) => r.offset < end));
    if (fetched.nextOffset <= offset)
      throw new Error(`${topic}-${partition}: no progress at offset ${offset} (end ${end})`);
    offset = fetched.nextOffset;
  }
  return out;
}

/** Calls `fn` until it succeeds, waiting 100 ms of simulated time between tries (at most 100 tries). */
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
