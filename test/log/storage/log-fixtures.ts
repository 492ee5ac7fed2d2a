/** Shared helpers for the storage tests: batches of known contents and logs on a memory fs. */
import { buildRecordBatch } from '../../../src/log/format/record-batch-builder.js';
import { decodeRecords } from '../../../src/log/format/record-batch-decoder.js';
import { MemoryStorageFs } from '../../../src/log/storage/fs/memory-storage-fs.js';
import type { LogConfigInput } from '../../../src/log/storage/log-config.js';
import { PartitionLog } from '../../../src/log/storage/partition-log.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';

export const DIR = '/data/topic-0';

/** A record as the tests model it: value text and timestamp (keys optional). */
export interface TestRecord {
  key?: string | null;
  value: string | null;
  timestamp: number;
}

/** A batch holding `records`, with values as UTF-8. */
export function batchOf(records: TestRecord[]): Buffer {
  return buildRecordBatch(
    records.map((r) => ({
      key: r.key == null ? null : Buffer.from(r.key),
      value: r.value === null ? null : Buffer.from(r.value),
      timestamp: r.timestamp,
    })),
  );
}

/** Decodes whole batches back to test records with their offsets. */
export function recordsIn(bytes: Uint8Array): (TestRecord & { offset: number })[] {
  return decodeRecords(bytes).map((r) => ({
    offset: r.offset,
    key: r.key === null ? null : Buffer.from(r.key).toString(),
    value: r.value === null ? null : Buffer.from(r.value).toString(),
    timestamp: r.timestamp,
  }));
}

/** Reads every record from `from` to the log end (or `maxOffset`). */
export function readAll(log: PartitionLog, from = log.logStartOffset, maxBytes = 4096, maxOffset?: number) {
  const out: (TestRecord & { offset: number })[] = [];
  let offset = from;
  for (;;) {
    const r = log.read(offset, maxBytes, maxOffset === undefined ? {} : { maxOffset });
    if (r.records.length === 0) break;
    out.push(...recordsIn(r.records).filter((x) => x.offset >= offset));
    offset = r.nextOffset;
  }
  return out;
}

/** A fresh memory fs, simulated clock and log. */
export function newLog(
  config: LogConfigInput = {},
  fs = new MemoryStorageFs(),
  clock = new SimulatedClock(1_000_000),
) {
  const log = PartitionLog.open({ dir: DIR, fs, clock, config });
  return { log, fs, clock };
}

/** Reopens the log in DIR on the same fs and clock. */
export function reopen(
  fs: MemoryStorageFs,
  clock: SimulatedClock,
  config: LogConfigInput = {},
  repairCorruption = false,
) {
  return PartitionLog.open({ dir: DIR, fs, clock, config, repairCorruption });
}
