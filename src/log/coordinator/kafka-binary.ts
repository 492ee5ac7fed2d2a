/**
 * Kafka's fixed-width binary schema types (the non-flexible versions): big-endian int16, int32
 * and int64; STRING as an int16 length and UTF-8 bytes, NULLABLE_STRING with length -1 for null;
 * BYTES and NULLABLE_BYTES likewise with an int32 length; ARRAY as an int32 count then the items.
 * The records of `__consumer_offsets` and the consumer protocol's subscription and assignment
 * are written in these; so will be the wire protocol's older request versions.
 */
import { readInt16, readInt32, readInt64, writeInt16, writeInt32, writeInt64 } from '../../common/bytes.js';

const MAX_STRING_BYTES = 0x7fff;

/**
 * Whether a string fits a Kafka STRING (at most 32767 UTF-8 bytes): checked on the way in, so a
 * request that could never be written is refused rather than failing half-way.
 *
 * @example
 * ```ts
 * if (!fitsKafkaString(request.groupId)) throw new InvalidGroupIdError('the group id is too long');
 * ```
 */
export function fitsKafkaString(value: string): boolean {
  return value.length <= MAX_STRING_BYTES / 3 || Buffer.byteLength(value, 'utf8') <= MAX_STRING_BYTES;
}

/**
 * Writes Kafka schema types into a growing buffer.
 *
 * @example
 * ```ts
 * const bytes = new KafkaWriter().int16(1).string('group').string('orders').int32(0).finish();
 * ```
 */
export class KafkaWriter {
  private buf: Buffer;
  private pos = 0;

  constructor(initialBytes = 64) {
    this.buf = Buffer.allocUnsafe(initialBytes);
  }

  int16(value: number): this {
    this.reserve(2);
    writeInt16(this.buf, this.pos, value);
    this.pos += 2;
    return this;
  }

  int32(value: number): this {
    this.reserve(4);
    writeInt32(this.buf, this.pos, value);
    this.pos += 4;
    return this;
  }

  /** @throws RangeError when `value` is not a safe integer. */
  int64(value: number): this {
    this.reserve(8);
    writeInt64(this.buf, this.pos, value);
    this.pos += 8;
    return this;
  }

  /** @throws RangeError when the UTF-8 form is longer than 32767 bytes. */
  string(value: string): this {
    const length = Buffer.byteLength(value, 'utf8');
    if (length > MAX_STRING_BYTES) {
      throw new RangeError(`a Kafka string holds at most ${MAX_STRING_BYTES} bytes, not ${length}`);
    }
    this.int16(length);
    this.reserve(length);
    this.buf.write(value, this.pos, 'utf8');
    this.pos += length;
    return this;
  }

  nullableString(value: string | null): this {
    return value === null ? this.int16(-1) : this.string(value);
  }

  bytes(value: Uint8Array): this {
    this.int32(value.length);
    this.reserve(value.length);
    this.buf.set(value, this.pos);
    this.pos += value.length;
    return this;
  }

  nullableBytes(value: Uint8Array | null): this {
    return value === null ? this.int32(-1) : this.bytes(value);
  }

  array<T>(items: readonly T[], write: (item: T, writer: this) => void): this {
    this.int32(items.length);
    for (const item of items) write(item, this);
    return this;
  }

  /** The bytes written, as a fresh plain Uint8Array. */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.subarray(0, this.pos));
  }

  private reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.pos + n, this.buf.length * 2));
    this.buf.copy(grown, 0, 0, this.pos);
    this.buf = grown;
  }
}

/**
 * Reads Kafka schema types. Every read checks the bounds, and a bad length fails with the error
 * that `fail` makes (the caller knows whether bad bytes are a corrupt record or a bad request).
 *
 * @example
 * ```ts
 * const r = new KafkaReader(key, (m) => new CorruptRecordError(`__consumer_offsets key: ${m}`));
 * const version = r.int16();
 * const group = r.string();
 * ```
 */
export class KafkaReader {
  private readonly buf: Uint8Array;
  private pos = 0;
  private readonly fail: (message: string) => Error;

  constructor(bytes: Uint8Array, fail: (message: string) => Error) {
    this.buf = bytes;
    this.fail = fail;
  }

  /** Bytes not yet read. */
  get remaining(): number {
    return this.buf.length - this.pos;
  }

  int16(): number {
    this.need(2, 'int16');
    const v = readInt16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  int32(): number {
    this.need(4, 'int32');
    const v = readInt32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  int64(): number {
    this.need(8, 'int64');
    try {
      return readInt64(this.buf, this.pos);
    } catch {
      throw this.fail(`int64 at byte ${this.pos} is outside the safe integer range`);
    } finally {
      this.pos += 8;
    }
  }

  string(): string {
    const s = this.nullableString();
    if (s === null) throw this.fail(`null string at byte ${this.pos - 2} where a string is required`);
    return s;
  }

  nullableString(): string | null {
    const length = this.int16();
    if (length === -1) return null;
    if (length < 0) throw this.fail(`string length ${length} at byte ${this.pos - 2}`);
    this.need(length, 'string');
    const s = Buffer.from(this.buf.buffer, this.buf.byteOffset + this.pos, length).toString('utf8');
    this.pos += length;
    return s;
  }

  bytes(): Uint8Array {
    const b = this.nullableBytes();
    if (b === null) throw this.fail(`null bytes at byte ${this.pos - 4} where bytes are required`);
    return b;
  }

  /** A plain Uint8Array copy, so the result outlives the buffer it was read from. */
  nullableBytes(): Uint8Array | null {
    const length = this.int32();
    if (length === -1) return null;
    if (length < 0) throw this.fail(`bytes length ${length} at byte ${this.pos - 4}`);
    this.need(length, 'bytes');
    const b = new Uint8Array(this.buf.subarray(this.pos, this.pos + length));
    this.pos += length;
    return b;
  }

  array<T>(read: (reader: this) => T): T[] {
    const count = this.int32();
    if (count < 0) throw this.fail(`array length ${count} at byte ${this.pos - 4}`);
    // Each item takes at least one byte; a larger count is garbage, not a reason to allocate.
    if (count > this.remaining) throw this.fail(`array of ${count} items in ${this.remaining} bytes`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(read(this));
    return items;
  }

  private need(n: number, what: string): void {
    if (this.pos + n > this.buf.length) {
      throw this.fail(`${what} at byte ${this.pos} runs past the end (${this.buf.length} bytes)`);
    }
  }
}
