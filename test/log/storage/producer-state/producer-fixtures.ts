/** Helpers for the producer-state tests: producers' batches, and a log with its producer state on a memory fs. */
import { buildRecordBatch } from '../../../../src/log/format/record-batch-builder.js';
import type { StorageFs } from '../../../../src/log/storage/fs/storage-fs.js';
import type { LogConfigInput } from '../../../../src/log/storage/log-config.js';
import { PartitionLog } from '../../../../src/log/storage/partition-log.js';
import {
  PartitionProducerState,
  type ProducerStateSettings,
} from '../../../../src/log/storage/producer-state/partition-producer-state.js';
import type { SimulatedClock } from '../../../../src/runtime/actor/simulated-clock.js';

export const DIR = '/data/t-0';

/** What a test batch is: a producer's `count` records from sequence `seq`. */
export interface BatchSpec {
  /** -1 for a producer without idempotence. */
  pid: number;
  epoch?: number;
  /** -1 (NO_SEQUENCE) for a coordinator's transactional offsets. */
  seq?: number;
  count?: number;
  txn?: boolean;
}

/** A batch as a producer would send it. */
export function producerBatch(spec: BatchSpec): Buffer {
  const count = spec.count ?? 1;
  const records = Array.from({ length: count }, (_, i) => ({ value: Buffer.from(`v${i}`), timestamp: 1 }));
  if (spec.pid < 0) return buildRecordBatch(records);
  return buildRecordBatch(records, {
    producerId: spec.pid,
    producerEpoch: spec.epoch ?? 0,
    baseSequence: spec.seq ?? 0,
    isTransactional: spec.txn ?? false,
  });
}

/** Several batches in one request. */
export function concat(...batches: Buffer[]): Buffer {
  return Buffer.concat(batches);
}

/** Opens the log in DIR and its producer state. */
export function openLog(
  fs: StorageFs,
  clock: SimulatedClock,
  config: LogConfigInput = {},
  settings: ProducerStateSettings = {},
) {
  const log = PartitionLog.open({ dir: DIR, fs, clock, config });
  const state = PartitionProducerState.open({ ...settings, log, fs, clock, name: 't-0' });
  return { log, state };
}
