/**
 * Control batches: the transaction markers a transaction coordinator has each partition leader
 * write when a transaction commits or aborts. A control batch is transactional and has the control
 * attribute; it holds one record whose key is (version int16, type int16) and, for COMMIT and
 * ABORT, whose value is (version int16, coordinatorEpoch int32). Kafka defines other control types
 * (2 is a KRaft leader change), so a reader must report unknown types rather than crash on them.
 */
import { readInt16, readInt32 } from '../../common/bytes.js';
import { intInRange, oneOf } from '../../common/config.js';
import { CorruptRecordError } from '../../common/errors.js';
import type { Record } from './record.js';
import { buildRecordBatch } from './record-batch-builder.js';

/** The control types millrace writes, with Kafka's type numbers. */
const TYPE_CODES = { ABORT: 0, COMMIT: 1 } as const;
/** Current key and value versions; larger versions may append fields, which are ignored. */
const CONTROL_KEY_VERSION = 0;
const END_TXN_MARKER_VERSION = 0;
const KEY_BYTES = 4;
const END_TXN_MARKER_BYTES = 6;

/**
 * What a transaction marker records.
 *
 * @example
 * ```ts
 * const input: ControlBatchInput = { type: 'ABORT', producerId, producerEpoch, coordinatorEpoch, timestamp };
 * ```
 */
export interface ControlBatchInput {
  type: 'COMMIT' | 'ABORT';
  producerId: number;
  producerEpoch: number;
  /** Epoch of the transaction coordinator that wrote the marker, so a stale one can be fenced. */
  coordinatorEpoch: number;
  /** Milliseconds since the epoch: the record's timestamp and the batch's base/max timestamps. */
  timestamp: number;
  /** Default 0; the leader assigns the real offset on append. */
  baseOffset?: number;
  /** Default -1. */
  partitionLeaderEpoch?: number;
}

/**
 * A decoded control record: a transaction marker, or a type millrace does not interpret.
 *
 * @example
 * ```ts
 * const marker: ControlRecord = parseControlRecord(record);
 * if (marker.type === 'UNKNOWN') skip(marker.rawType);
 * ```
 */
export type ControlRecord =
  | { type: 'COMMIT' | 'ABORT'; rawType: number; version: number; coordinatorEpoch: number }
  | { type: 'UNKNOWN'; rawType: number; version: number };

/**
 * Builds a control batch holding one COMMIT or ABORT marker for `producerId`.
 *
 * @example
 * ```ts
 * const marker = buildControlBatch({
 *   type: 'COMMIT', producerId: 4000, producerEpoch: 2, coordinatorEpoch: 1, timestamp: clock.nowMs(),
 * });
 * ```
 * @throws ConfigError for an unknown type or an out-of-range id, epoch or timestamp.
 */
export function buildControlBatch(input: ControlBatchInput): Buffer {
  const type = oneOf('type', input.type, ['COMMIT', 'ABORT'] as const);
  const coordinatorEpoch = intInRange('coordinatorEpoch', input.coordinatorEpoch, -0x80000000, 0x7fffffff);
  const timestamp = intInRange(
    'timestamp',
    input.timestamp,
    -Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER,
  );
  const key = Buffer.allocUnsafe(KEY_BYTES);
  key.writeInt16BE(CONTROL_KEY_VERSION, 0);
  key.writeInt16BE(TYPE_CODES[type], 2);
  const value = Buffer.allocUnsafe(END_TXN_MARKER_BYTES);
  value.writeInt16BE(END_TXN_MARKER_VERSION, 0);
  value.writeInt32BE(coordinatorEpoch, 2);
  return buildRecordBatch([{ key, value, timestamp }], {
    baseOffset: input.baseOffset ?? 0,
    partitionLeaderEpoch: input.partitionLeaderEpoch ?? -1,
    producerId: input.producerId,
    producerEpoch: input.producerEpoch,
    baseSequence: -1,
    isTransactional: true,
    isControl: true,
  });
}

/**
 * Interprets the record of a control batch. COMMIT and ABORT markers are decoded fully; any other
 * type is returned as 'UNKNOWN' with its raw type number, for the caller to skip.
 *
 * @example
 * ```ts
 * for (const record of view) {
 *   const marker = parseControlRecord(record);
 *   if (marker.type === 'COMMIT') completeTransaction(view.producerId);
 * }
 * ```
 * @throws CorruptRecordError when the key is missing or shorter than 4 bytes, a version is
 * negative, or a COMMIT/ABORT value is missing or malformed.
 */
export function parseControlRecord(record: Pick<Record, 'key' | 'value'>): ControlRecord {
  const { key, value } = record;
  if (key === null || key.length < KEY_BYTES) {
    throw new CorruptRecordError(
      `control record key is ${key === null ? 'null' : `${key.length} bytes`}; expected at least ${KEY_BYTES} ` +
        '(version int16, type int16)',
    );
  }
  const version = readInt16(key, 0);
  checkVersion('control record key', version, key.length, KEY_BYTES);
  const rawType = readInt16(key, 2);
  if (rawType !== TYPE_CODES.ABORT && rawType !== TYPE_CODES.COMMIT) {
    return { type: 'UNKNOWN', rawType, version };
  }
  const type = rawType === TYPE_CODES.COMMIT ? 'COMMIT' : 'ABORT';
  if (value === null || value.length < END_TXN_MARKER_BYTES) {
    throw new CorruptRecordError(
      `${type} marker value is ${value === null ? 'null' : `${value.length} bytes`}; expected at least ` +
        `${END_TXN_MARKER_BYTES} (version int16, coordinatorEpoch int32)`,
    );
  }
  checkVersion(`${type} marker value`, readInt16(value, 0), value.length, END_TXN_MARKER_BYTES);
  return { type, rawType, version, coordinatorEpoch: readInt32(value, 2) };
}

/**
 * Refuses negative versions, and extra bytes at version 0: only a later version may append fields,
 * so trailing bytes at version 0 mean the record is damaged.
 */
function checkVersion(what: string, version: number, length: number, v0Length: number): void {
  if (version < 0) throw new CorruptRecordError(`${what} has negative version ${version}`);
  if (version === 0 && length !== v0Length) {
    throw new CorruptRecordError(`${what} version 0 is ${length} bytes; expected exactly ${v0Length}`);
  }
}
