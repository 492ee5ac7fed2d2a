import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  readInt16,
  readInt32,
  readInt64,
  readUint32,
  writeInt16,
  writeInt32,
  writeInt64,
} from '../../src/common/bytes.js';
import { CorruptRecordError } from '../../src/common/errors.js';

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
const SAFE_BOUNDARIES = [
  0,
  1,
  -1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 32 - 1,
  2 ** 32,
  -(2 ** 32),
  -(2 ** 32) - 1,
  2 ** 52,
  -(2 ** 52),
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER,
];
const SAFE = fc.oneof(fc.maxSafeInteger(), fc.constantFrom(...SAFE_BOUNDARIES));

describe('int64', () => {
  it('writeInt64 writes the same bytes as Buffer.writeBigInt64BE for every safe integer', () => {
    fc.assert(
      fc.property(SAFE, fc.integer({ min: 0, max: 8 }), (value, pos) => {
        const ours = Buffer.alloc(16, 0xaa);
        writeInt64(ours, pos, value);
        const oracle = Buffer.alloc(16, 0xaa);
        oracle.writeBigInt64BE(BigInt(value), pos);
        expect(ours.equals(oracle)).toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

  it('readInt64 agrees with Buffer.readBigInt64BE on every int64 in the safe range', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: -MAX_SAFE, max: MAX_SAFE }),
        fc.integer({ min: 0, max: 8 }),
        (value, pos) => {
          const buf = Buffer.alloc(16);
          buf.writeBigInt64BE(value, pos);
          expect(readInt64(buf, pos)).toBe(Number(buf.readBigInt64BE(pos)));
          expect(BigInt(readInt64(buf, pos))).toBe(value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('readInt64 of writeInt64 returns every safe integer, including the boundaries', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        const buf = new Uint8Array(8);
        writeInt64(buf, 0, value);
        expect(readInt64(buf, 0)).toBe(value);
      }),
    );
    for (const value of SAFE_BOUNDARIES) {
      const buf = new Uint8Array(8);
      writeInt64(buf, 0, value);
      expect(readInt64(buf, 0)).toBe(value);
    }
  });

  it('readInt64 throws CorruptRecordError for every int64 outside ±(2^53 - 1)', () => {
    const outside = fc.oneof(
      fc.bigInt({ min: MAX_SAFE + 1n, max: 2n ** 63n - 1n }),
      fc.bigInt({ min: -(2n ** 63n), max: -MAX_SAFE - 1n }),
      fc.constantFrom(MAX_SAFE + 1n, -MAX_SAFE - 1n, 2n ** 63n - 1n, -(2n ** 63n)),
    );
    fc.assert(
      fc.property(outside, (value) => {
        const buf = Buffer.alloc(8);
        buf.writeBigInt64BE(value);
        expect(() => readInt64(buf, 0)).toThrow(CorruptRecordError);
      }),
      { numRuns: 1000 },
    );
  });

  it('readInt64 refuses -2^53, which a double holds exactly but is not a safe integer', () => {
    const buf = Buffer.alloc(8);
    buf.writeBigInt64BE(-(2n ** 53n));
    expect(() => readInt64(buf, 0)).toThrow(/outside the safe integer range/);
  });

  it('writeInt64 of a non-safe integer throws RangeError and writes nothing', () => {
    for (const value of [2 ** 53, -(2 ** 53), 2 ** 63, 1.5, -0.25, Number.NaN, Number.POSITIVE_INFINITY]) {
      const buf = new Uint8Array(8).fill(0x11);
      expect(() => writeInt64(buf, 0, value)).toThrow(RangeError);
      expect([...buf]).toEqual(Array(8).fill(0x11));
    }
  });
});

describe('int32 and uint32', () => {
  it('readInt32 agrees with Buffer.readInt32BE and readUint32 with readUInt32BE on any 4 bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 12 }), fc.nat(), (bytes, at) => {
        const buf = Buffer.from(bytes);
        const pos = at % (bytes.length - 3);
        expect(readInt32(buf, pos)).toBe(buf.readInt32BE(pos));
        expect(readUint32(buf, pos)).toBe(buf.readUInt32BE(pos));
      }),
      { numRuns: 1000 },
    );
  });

  it('writeInt32 writes the same bytes as Buffer.writeInt32BE for signed and writeUInt32BE for unsigned values', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
        fc.integer({ min: 0, max: 4 }),
        (value, pos) => {
          const ours = Buffer.alloc(8, 0x55);
          writeInt32(ours, pos, value);
          const oracle = Buffer.alloc(8, 0x55);
          oracle.writeInt32BE(value, pos);
          expect(ours.equals(oracle)).toBe(true);
          expect(readInt32(ours, pos)).toBe(value);
        },
      ),
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 32 - 1 }), (value) => {
        const ours = Buffer.alloc(4);
        writeInt32(ours, 0, value);
        const oracle = Buffer.alloc(4);
        oracle.writeUInt32BE(value);
        expect(ours.equals(oracle)).toBe(true);
        expect(readUint32(ours, 0)).toBe(value);
      }),
    );
  });
});

describe('int16', () => {
  it('readInt16 agrees with Buffer.readInt16BE on any 2 bytes', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), fc.integer({ min: 0, max: 255 }), (hi, lo) => {
        const buf = Buffer.from([0x99, hi, lo]);
        expect(readInt16(buf, 1)).toBe(buf.readInt16BE(1));
      }),
    );
  });

  it('writeInt16 writes the same bytes as Buffer.writeInt16BE and round-trips every int16', () => {
    fc.assert(
      fc.property(fc.integer({ min: -(2 ** 15), max: 2 ** 15 - 1 }), (value) => {
        const ours = Buffer.alloc(4, 0x77);
        writeInt16(ours, 1, value);
        const oracle = Buffer.alloc(4, 0x77);
        oracle.writeInt16BE(value, 1);
        expect(ours.equals(oracle)).toBe(true);
        expect(readInt16(ours, 1)).toBe(value);
      }),
    );
  });
});

it('reads through a Uint8Array view at a byteOffset relative to the view, not the backing buffer', () => {
  const backing = Buffer.alloc(32);
  backing.writeBigInt64BE(-123456789012345n, 10);
  backing.writeInt32BE(-7, 18);
  backing.writeInt16BE(-300, 22);
  const view = new Uint8Array(backing.buffer, backing.byteOffset + 8, 20);
  expect(readInt64(view, 2)).toBe(-123456789012345);
  expect(readInt32(view, 10)).toBe(-7);
  expect(readInt16(view, 14)).toBe(-300);
});
