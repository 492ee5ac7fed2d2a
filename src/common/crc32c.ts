/**
 * CRC-32C (Castagnoli), the checksum of Kafka's RecordBatch v2. Backed by @node-rs/crc32, which
 * uses the CPU's CRC32 instruction where there is one.
 */
import { crc32c as nativeCrc32c } from '@node-rs/crc32';

/**
 * CRC-32C of `bytes` as an unsigned 32-bit number; pass a previous result as `initial` to
 * continue a checksum over several pieces.
 *
 * @example
 * ```ts
 * crc32c(Buffer.from('123456789')) === 0xe3069283; // the check value
 * ```
 */
export function crc32c(bytes: Uint8Array, initial = 0): number {
  const buf = Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return nativeCrc32c(buf, initial) >>> 0;
}
