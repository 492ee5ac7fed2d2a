/**
 * The bytes of a producer-state snapshot file: the state of a partition's producers as of a log
 * offset, sealed (length, CRC-32C, magic) so that a torn, garbled or truncated file is recognised
 * and never trusted.
 *
 * ```
 * version int8 = 1 | offset int64 | lastTrackedOffset int64
 * producers int32, each: producerId int64 | epoch int32 | coordinatorEpoch int32 | lastTimestamp int64 |
 *   currentTxnFirstOffset int64 | batches int32, each: firstSeq int32 | lastSeq int32 | firstOffset int64 | lastOffset int64
 * completedTxns int32, each: producerId int64 | firstOffset int64 | lastOffset int64
 * aborted int32, each: producerId int64 | firstOffset int64 | lastOffset int64
 * ```
 */
import { readInt32, readInt64, writeInt32, writeInt64 } from '../../../common/bytes.js';
import { openSealedFile, sealFile } from '../sealed-file.js';
import type { TxnRange } from './aborted-transaction-index.js';
import { BATCHES_TO_KEEP, type ProducerBatchMetadata } from './producer-state-entry.js';
import type { ProducerEntryImage, ProducerStateImage } from './producer-state-image.js';

const VERSION = 1;
const HEADER_BYTES = 1 + 8 + 8;
const PRODUCER_BYTES = 8 + 4 + 4 + 8 + 8 + 4;
const BATCH_BYTES = 4 + 4 + 8 + 8;
const TXN_BYTES = 8 + 8 + 8;

/**
 * A decoded snapshot: the offset it was taken at (the log end it reflects) and the state.
 *
 * @example
 * ```ts
 * const { offset, image } = decodeProducerSnapshot(bytes) ?? { offset: 0, image: emptyImage };
 * ```
 */
export interface ProducerSnapshot {
  offset: number;
  image: ProducerStateImage;
}

/**
 * Encodes the state as of `offset` into a sealed snapshot file's bytes.
 *
 * @example
 * ```ts
 * writeFileAtomically(fs, dir, snapshotFileName(offset), encodeProducerSnapshot(offset, state.toImage()));
 * ```
 * @throws RangeError when an offset or timestamp is not a safe integer.
 */
export function encodeProducerSnapshot(offset: number, image: ProducerStateImage): Buffer {
  let size = HEADER_BYTES + 4 + 4 + 4;
  for (const p of image.producers) size += PRODUCER_BYTES + p.batches.length * BATCH_BYTES;
  size += (image.completedTxns.length + image.aborted.length) * TXN_BYTES;
  const buf = Buffer.alloc(size);
  let pos = 0;
  buf[pos++] = VERSION;
  writeInt64(buf, pos, offset);
  writeInt64(buf, pos + 8, image.lastTrackedOffset);
  pos += 16;
  writeInt32(buf, pos, image.producers.length);
  pos += 4;
  for (const p of image.producers) {
    writeInt64(buf, pos, p.producerId);
    writeInt32(buf, pos + 8, p.epoch);
    writeInt32(buf, pos + 12, p.coordinatorEpoch);
    writeInt64(buf, pos + 16, p.lastTimestamp);
    writeInt64(buf, pos + 24, p.currentTxnFirstOffset);
    writeInt32(buf, pos + 32, p.batches.length);
    pos += PRODUCER_BYTES;
    for (const b of p.batches) {
      writeInt32(buf, pos, b.firstSeq);
      writeInt32(buf, pos + 4, b.lastSeq);
      writeInt64(buf, pos + 8, b.firstOffset);
      writeInt64(buf, pos + 16, b.lastOffset);
      pos += BATCH_BYTES;
    }
  }
  for (const list of [image.completedTxns, image.aborted]) {
    writeInt32(buf, pos, list.length);
    pos += 4;
    for (const t of list) {
      writeInt64(buf, pos, t.producerId);
      writeInt64(buf, pos + 8, t.firstOffset);
      writeInt64(buf, pos + 16, t.lastOffset);
      pos += TXN_BYTES;
    }
  }
  return sealFile(buf);
}

/**
 * Decodes a snapshot file's bytes, or returns undefined if they are not a whole, intact snapshot
 * of a version this code reads (the caller then falls back to an older one, or the log).
 *
 * @example
 * ```ts
 * const snapshot = decodeProducerSnapshot(readWholeFile(fs, path));
 * ```
 */
export function decodeProducerSnapshot(bytes: Uint8Array): ProducerSnapshot | undefined {
  const payload = openSealedFile(bytes);
  if (payload === undefined || payload.length < HEADER_BYTES + 12 || payload[0] !== VERSION) return undefined;
  try {
    return decodePayload(payload);
  } catch {
    // An int64 out of range, or counts that run past the end: not a snapshot this code wrote.
    return undefined;
  }
}

function decodePayload(payload: Uint8Array): ProducerSnapshot | undefined {
  const r = new Cursor(payload, 1);
  const offset = r.int64();
  const lastTrackedOffset = r.int64();
  const producers: ProducerEntryImage[] = [];
  for (let n = r.count(PRODUCER_BYTES); n > 0; n--) {
    const producerId = r.int64();
    const epoch = r.int32();
    const coordinatorEpoch = r.int32();
    const lastTimestamp = r.int64();
    const currentTxnFirstOffset = r.int64();
    const batchCount = r.count(BATCH_BYTES);
    if (batchCount > BATCHES_TO_KEEP) return undefined;
    const batches: ProducerBatchMetadata[] = [];
    for (let b = 0; b < batchCount; b++) {
      batches.push({
        firstSeq: r.int32(),
        lastSeq: r.int32(),
        firstOffset: r.int64(),
        lastOffset: r.int64(),
      });
    }
    producers.push({ producerId, epoch, coordinatorEpoch, lastTimestamp, currentTxnFirstOffset, batches });
  }
  const completedTxns = r.txns();
  const aborted = r.txns();
  if (r.pos !== payload.length) return undefined;
  return { offset, image: { producers, completedTxns, aborted, lastTrackedOffset } };
}

/** Reads fields in order, refusing to read past the end. */
class Cursor {
  constructor(
    private readonly buf: Uint8Array,
    public pos: number,
  ) {}

  int64(): number {
    this.need(8);
    const v = readInt64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  int32(): number {
    this.need(4);
    const v = readInt32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  /** A count of items of `itemBytes` each, checked against the bytes left. */
  count(itemBytes: number): number {
    const n = this.int32();
    if (n < 0 || n * itemBytes > this.buf.length - this.pos) throw new RangeError(`count ${n} is impossible`);
    return n;
  }

  txns(): TxnRange[] {
    const out: TxnRange[] = [];
    for (let n = this.count(TXN_BYTES); n > 0; n--) {
      out.push({ producerId: this.int64(), firstOffset: this.int64(), lastOffset: this.int64() });
    }
    return out;
  }

  private need(bytes: number): void {
    if (this.pos + bytes > this.buf.length) throw new RangeError('snapshot ends early');
  }
}
