/**
 * A checksummed envelope for the log's side files (indexes, checkpoints). A file is its payload
 * followed by a 12-byte trailer: payload length (uint32), CRC-32C of the payload, and the magic
 * "MRSF". A half-written, empty, garbage or truncated file fails to open as a sealed file, and the
 * caller rebuilds what it held from the log.
 */
import { readUint32, writeInt32 } from '../../common/bytes.js';
import { crc32c } from '../../common/crc32c.js';

const MAGIC = 0x4d525346; // "MRSF"
const TRAILER_BYTES = 12;

/**
 * Appends the trailer to `payload`.
 *
 * @example
 * ```ts
 * writeFileAtomically(fs, dir, 'partition.checkpoint', sealFile(payload));
 * ```
 */
export function sealFile(payload: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(payload.length + TRAILER_BYTES);
  out.set(payload, 0);
  writeInt32(out, payload.length, payload.length);
  writeInt32(out, payload.length + 4, crc32c(payload));
  writeInt32(out, payload.length + 8, MAGIC);
  return out;
}

/**
 * Returns the payload of a sealed file, or undefined if the bytes are not a whole, intact one.
 *
 * @example
 * ```ts
 * const payload = openSealedFile(bytes) ?? rebuildFromLog();
 * ```
 */
export function openSealedFile(bytes: Uint8Array): Uint8Array | undefined {
  if (bytes.length < TRAILER_BYTES) return undefined;
  const t = bytes.length - TRAILER_BYTES;
  if (readUint32(bytes, t + 8) !== MAGIC) return undefined;
  if (readUint32(bytes, t) !== t) return undefined;
  const payload = bytes.subarray(0, t);
  return crc32c(payload) === readUint32(bytes, t + 4) ? payload : undefined;
}
