/**
 * Test helpers for the RecordBatch v2 codec that deliberately share no code with it: a bitwise
 * CRC-32C, a hex literal parser, and a batch assembler that frames hand-written record bytes with
 * a header written field by field through a DataView. Tests use them to check the codec against
 * the published format rather than against itself.
 */

/** CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), one bit at a time: slow and obvious. */
export function referenceCrc32c(bytes: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  }
  return (crc ^ 0xffffffff) >>> 0;
}

/** Parses hex bytes, ignoring whitespace and `//` comments to the end of a line. */
export function hex(text: string): Buffer {
  const digits = text
    .split('\n')
    .map((line) => line.replace(/\/\/.*$/, ''))
    .join('')
    .replace(/\s+/g, '');
  if (!/^([0-9a-f]{2})*$/i.test(digits)) throw new Error(`not hex bytes: ${digits}`);
  return Buffer.from(digits, 'hex');
}

/** The header fields of a hand-assembled batch; everything else is derived. */
export interface RawBatchHeader {
  baseOffset?: number;
  partitionLeaderEpoch?: number;
  magic?: number;
  attributes?: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  recordsCount: number;
}

/** Frames `records` (already encoded) with a header; batchLength and the CRC are computed here. */
export function assembleBatch(header: RawBatchHeader, records: Uint8Array): Buffer {
  const out = Buffer.alloc(61 + records.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setBigInt64(0, BigInt(header.baseOffset ?? 0));
  view.setInt32(8, out.length - 12);
  view.setInt32(12, header.partitionLeaderEpoch ?? -1);
  view.setInt8(16, header.magic ?? 2);
  view.setInt16(21, header.attributes ?? 0);
  view.setInt32(23, header.lastOffsetDelta);
  view.setBigInt64(27, BigInt(header.baseTimestamp));
  view.setBigInt64(35, BigInt(header.maxTimestamp));
  view.setBigInt64(43, BigInt(header.producerId ?? -1));
  view.setInt16(51, header.producerEpoch ?? -1);
  view.setInt32(53, header.baseSequence ?? -1);
  view.setInt32(57, header.recordsCount);
  out.set(records, 61);
  view.setUint32(17, referenceCrc32c(out.subarray(21)));
  return out;
}

/** A copy of `batch` changed by `mutate`, with its CRC recomputed so only the change is wrong. */
export function patchBatch(batch: Uint8Array, mutate: (view: DataView, bytes: Buffer) => void): Buffer {
  const out = Buffer.from(batch);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  mutate(view, out);
  view.setUint32(17, referenceCrc32c(out.subarray(21)));
  return out;
}

/** Bytes (or null) as a hex string (or null), so records compare as plain data. */
export function hexOf(bytes: Uint8Array | null | undefined): string | null {
  return bytes == null ? null : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
