import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import {
  ByteReader,
  sizeOfVarint,
  sizeOfVarlong,
  writeVarint,
  writeVarlong,
  writeVarlongBig,
} from '../../src/common/varint.js';

const INT32 = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });
const INT64 = fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n });
const SAFE_BOUNDARIES = [
  0,
  1,
  -1,
  2 ** 30 - 1,
  2 ** 30,
  2 ** 30 + 1,
  -(2 ** 30) + 1,
  -(2 ** 30),
  -(2 ** 30) - 1,
  2 ** 31 - 1,
  2 ** 31,
  -(2 ** 31),
  -(2 ** 31) - 1,
  2 ** 52 - 1,
  2 ** 52,
  -(2 ** 52),
  -(2 ** 52) - 1,
  Number.MAX_SAFE_INTEGER - 1,
  Number.MAX_SAFE_INTEGER,
  Number.MIN_SAFE_INTEGER + 1,
  Number.MIN_SAFE_INTEGER,
];
// Safe integers, with the edges of each varint length and of the fast 32-bit path weighted in.
const SAFE = fc.oneof(
  fc.maxSafeInteger(),
  fc.constantFrom(...SAFE_BOUNDARIES),
  fc
    .tuple(fc.integer({ min: 0, max: 53 }), fc.integer({ min: -2, max: 2 }), fc.boolean())
    .map(([bits, delta, negative]) => {
      const v = Math.min(2 ** bits + delta, Number.MAX_SAFE_INTEGER);
      return negative ? 0 - v : v; // never -0
    }),
);

/** The zig-zag encoding written out from its definition with bigints: an independent oracle. */
function referenceZigZag(value: bigint): number[] {
  let z = value >= 0n ? value * 2n : -value * 2n - 1n;
  const out: number[] = [];
  do {
    const group = Number(z % 128n);
    z /= 128n;
    out.push(z > 0n ? group | 0x80 : group);
  } while (z > 0n);
  return out;
}

function bytesOf(write: (buf: Uint8Array, pos: number) => number): number[] {
  const buf = new Uint8Array(16);
  const end = write(buf, 0);
  return [...buf.subarray(0, end)];
}

function reader(bytes: readonly number[]): ByteReader {
  return new ByteReader(Uint8Array.from(bytes));
}

describe('varint golden vectors', () => {
  const vectors: Array<[number, number[]]> = [
    [0, [0x00]],
    [-1, [0x01]],
    [1, [0x02]],
    [-2, [0x03]],
    [2, [0x04]],
    [63, [0x7e]],
    [-64, [0x7f]],
    [64, [0x80, 0x01]],
    [300, [0xd8, 0x04]],
    [2147483647, [0xfe, 0xff, 0xff, 0xff, 0x0f]],
    [-2147483648, [0xff, 0xff, 0xff, 0xff, 0x0f]],
  ];

  it.each(vectors)('writeVarint encodes %d as the zig-zag bytes %j', (value, expected) => {
    expect(bytesOf((buf, pos) => writeVarint(buf, pos, value))).toEqual(expected);
    expect(sizeOfVarint(value)).toBe(expected.length);
  });

  it.each(vectors)('readVarint decodes the zig-zag bytes of %d', (value, bytes) => {
    const r = reader(bytes);
    expect(r.readVarint()).toBe(value);
    expect(r.pos).toBe(bytes.length);
  });

  it.each(vectors)(
    'writeVarlong and writeVarlongBig encode %d exactly as writeVarint does',
    (value, expected) => {
      expect(bytesOf((buf, pos) => writeVarlong(buf, pos, value))).toEqual(expected);
      expect(bytesOf((buf, pos) => writeVarlongBig(buf, pos, BigInt(value)))).toEqual(expected);
    },
  );

  it('encodes the int64 and safe-integer extremes as the hand-worked bytes', () => {
    // 2^63 - 1 zig-zags to 2^64 - 2: nine 0xff-ish groups and a final 0x01.
    expect(bytesOf((b, p) => writeVarlongBig(b, p, 2n ** 63n - 1n))).toEqual([
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    expect(bytesOf((b, p) => writeVarlongBig(b, p, -(2n ** 63n)))).toEqual([
      0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01,
    ]);
    // 2^53 - 1 zig-zags to 2^54 - 2 and -(2^53 - 1) to 2^54 - 3: eight bytes, last 0x1f.
    expect(bytesOf((b, p) => writeVarlong(b, p, Number.MAX_SAFE_INTEGER))).toEqual([
      0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
    ]);
    expect(bytesOf((b, p) => writeVarlong(b, p, Number.MIN_SAFE_INTEGER))).toEqual([
      0xfd, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x1f,
    ]);
  });
});

describe('varint round trips', () => {
  it('readVarint returns every int32 that writeVarint wrote, consuming exactly sizeOfVarint bytes', () => {
    fc.assert(
      fc.property(INT32, (value) => {
        const buf = new Uint8Array(8);
        const end = writeVarint(buf, 0, value);
        expect(end).toBe(sizeOfVarint(value));
        expect(end).toBeLessThanOrEqual(5);
        const r = new ByteReader(buf, 0, end);
        expect(r.readVarint()).toBe(value);
        expect(r.pos).toBe(end);
      }),
      { numRuns: 2000 },
    );
  });

  it('writeVarint matches the zig-zag definition for every int32', () => {
    fc.assert(
      fc.property(INT32, (value) => {
        expect(bytesOf((buf, pos) => writeVarint(buf, pos, value))).toEqual(referenceZigZag(BigInt(value)));
      }),
      { numRuns: 2000 },
    );
  });

  it('readVarlong returns every safe integer that writeVarlong wrote, consuming exactly sizeOfVarlong bytes', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        const buf = new Uint8Array(12);
        const end = writeVarlong(buf, 0, value);
        expect(end).toBe(sizeOfVarlong(value));
        const r = new ByteReader(buf, 0, end);
        expect(r.readVarlong()).toBe(value);
        expect(r.pos).toBe(end);
      }),
      { numRuns: 3000 },
    );
  });

  it.each(SAFE_BOUNDARIES)('readVarlong round-trips the boundary value %d', (value) => {
    const buf = new Uint8Array(12);
    const end = writeVarlong(buf, 0, value);
    expect(new ByteReader(buf, 0, end).readVarlong()).toBe(value);
  });

  it('writeVarlong matches the zig-zag definition (and writeVarlongBig) for every safe integer', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        const expected = referenceZigZag(BigInt(value));
        expect(bytesOf((buf, pos) => writeVarlong(buf, pos, value))).toEqual(expected);
        expect(bytesOf((buf, pos) => writeVarlongBig(buf, pos, BigInt(value)))).toEqual(expected);
      }),
      { numRuns: 3000 },
    );
  });

  it('readVarlongBig returns every int64 that writeVarlongBig wrote', () => {
    fc.assert(
      fc.property(INT64, (value) => {
        const buf = new Uint8Array(12);
        const end = writeVarlongBig(buf, 0, value);
        expect([...buf.subarray(0, end)]).toEqual(referenceZigZag(value));
        expect(end).toBeLessThanOrEqual(10);
        const r = new ByteReader(buf, 0, end);
        expect(r.readVarlongBig()).toBe(value);
        expect(r.pos).toBe(end);
      }),
      { numRuns: 3000 },
    );
  });

  it('readVarlongBig round-trips the int64 extremes and their neighbours', () => {
    for (const value of [-(2n ** 63n), -(2n ** 63n) + 1n, 2n ** 63n - 1n, 2n ** 63n - 2n, 0n, -1n]) {
      const buf = new Uint8Array(12);
      const end = writeVarlongBig(buf, 0, value);
      expect(new ByteReader(buf, 0, end).readVarlongBig()).toBe(value);
    }
  });

  it('readVarlong and readVarlongBig agree on every varlong in the safe range', () => {
    fc.assert(
      fc.property(SAFE, (value) => {
        const buf = new Uint8Array(12);
        const end = writeVarlongBig(buf, 0, BigInt(value));
        expect(new ByteReader(buf, 0, end).readVarlong()).toBe(value);
      }),
    );
  });

  it('a sequence of mixed values reads back in order from one buffer', () => {
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            INT32.map((v) => ['int', v] as const),
            SAFE.map((v) => ['long', v] as const),
          ),
        ),
        (items) => {
          const buf = new Uint8Array(items.length * 10);
          let pos = 0;
          for (const [kind, v] of items)
            pos = kind === 'int' ? writeVarint(buf, pos, v) : writeVarlong(buf, pos, v);
          const r = new ByteReader(buf, 0, pos);
          for (const [kind, v] of items) expect(kind === 'int' ? r.readVarint() : r.readVarlong()).toBe(v);
          expect(r.pos).toBe(pos);
        },
      ),
    );
  });

  it('writes at the given position and leaves the bytes around it alone', () => {
    const buf = new Uint8Array(8).fill(0xaa);
    expect(writeVarint(buf, 3, 300)).toBe(5);
    expect([...buf]).toEqual([0xaa, 0xaa, 0xaa, 0xd8, 0x04, 0xaa, 0xaa, 0xaa]);
  });
});

describe('varint corruption', () => {
  it('readVarint of a truncated varint throws CorruptRecordError and leaves pos unchanged', () => {
    fc.assert(
      fc.property(INT32, fc.nat(), (value, cut) => {
        const buf = new Uint8Array(8);
        const end = writeVarint(buf, 0, value);
        const truncatedEnd = cut % end; // strictly shorter than the encoding
        const r = new ByteReader(buf, 0, truncatedEnd);
        expect(() => r.readVarint()).toThrow(CorruptRecordError);
        expect(r.pos).toBe(0);
      }),
    );
  });

  it('readVarlong and readVarlongBig of a truncated varlong throw CorruptRecordError', () => {
    fc.assert(
      fc.property(INT64, fc.nat(), (value, cut) => {
        const buf = new Uint8Array(12);
        const end = writeVarlongBig(buf, 0, value);
        const truncatedEnd = cut % end;
        expect(() => new ByteReader(buf, 0, truncatedEnd).readVarlongBig()).toThrow(CorruptRecordError);
        expect(() => new ByteReader(buf, 0, truncatedEnd).readVarlong()).toThrow(CorruptRecordError);
      }),
    );
  });

  it('reading any varint from an empty range throws CorruptRecordError', () => {
    const r = new ByteReader(Uint8Array.of(0x02), 1);
    expect(() => r.readVarint()).toThrow(CorruptRecordError);
    expect(() => r.readVarlong()).toThrow(CorruptRecordError);
    expect(() => r.readVarlongBig()).toThrow(CorruptRecordError);
    expect(() => r.readInt8()).toThrow(CorruptRecordError);
  });

  it('a varint whose continuation bits run past 5 bytes throws CorruptRecordError', () => {
    const r = reader([0x80, 0x80, 0x80, 0x80, 0x80, 0x00]);
    expect(() => r.readVarint()).toThrow(/longer than 5 bytes/);
    expect(() => reader([0xff, 0xff, 0xff, 0xff, 0xff, 0x01]).readVarint()).toThrow(CorruptRecordError);
  });

  it('a varlong whose continuation bits run past 10 bytes throws CorruptRecordError', () => {
    const elevenBytes = [...Array(10).fill(0x80), 0x00];
    expect(() => reader(elevenBytes).readVarlong()).toThrow(CorruptRecordError);
    expect(() => reader(elevenBytes).readVarlongBig()).toThrow(CorruptRecordError);
    expect(() => reader(elevenBytes).readVarlong()).toThrow(/longer than 10 bytes/);
  });

  it('readVarlong refuses a varlong just outside the safe range but readVarlongBig reads it', () => {
    for (const value of [2n ** 53n, -(2n ** 53n), 2n ** 63n - 1n, -(2n ** 63n)]) {
      const bytes = referenceZigZag(value);
      expect(() => reader(bytes).readVarlong()).toThrow(CorruptRecordError);
      expect(reader(bytes).readVarlongBig()).toBe(value);
    }
  });

  it('a non-canonical varint padded with zero continuation groups still decodes to its value', () => {
    // Kafka's reader accepts these; so must we, within the length limit.
    expect(reader([0x82, 0x80, 0x00]).readVarint()).toBe(1);
    expect(reader([0x82, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00]).readVarlong()).toBe(1);
  });
});

describe('varlong input checks', () => {
  it('writeVarlong and sizeOfVarlong refuse a value outside the safe range with RangeError', () => {
    for (const value of [2 ** 53, -(2 ** 53), 2 ** 60, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 31 + 0.5]) {
      expect(() => writeVarlong(new Uint8Array(16), 0, value)).toThrow(RangeError);
      expect(() => sizeOfVarlong(value)).toThrow(RangeError);
    }
  });

  it('writeVarlongBig refuses a bigint outside int64 with RangeError', () => {
    expect(() => writeVarlongBig(new Uint8Array(16), 0, 2n ** 63n)).toThrow(RangeError);
    expect(() => writeVarlongBig(new Uint8Array(16), 0, -(2n ** 63n) - 1n)).toThrow(RangeError);
  });
});

describe('ByteReader', () => {
  it('readBytes returns a view of the next bytes and advances', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5);
    const r = new ByteReader(data, 1, 4);
    const view = r.readBytes(2);
    expect([...view]).toEqual([2, 3]);
    expect(view.buffer).toBe(data.buffer); // a view, not a copy
    expect(r.pos).toBe(3);
    expect([...r.readBytes(1)]).toEqual([4]);
    expect(r.readBytes(0).length).toBe(0);
  });

  it('readBytes past end throws CorruptRecordError without moving pos', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 0, max: 64 }),
        fc.integer({ min: 1, max: 64 }),
        (len, start, over) => {
          const begin = Math.min(start, len);
          const r = new ByteReader(new Uint8Array(len + 8), begin, len);
          expect(() => r.readBytes(len - begin + over)).toThrow(CorruptRecordError);
          expect(r.pos).toBe(begin);
          expect(r.readBytes(len - begin).length).toBe(len - begin);
        },
      ),
    );
  });

  it('readBytes of a negative length throws CorruptRecordError', () => {
    expect(() => new ByteReader(new Uint8Array(4)).readBytes(-1)).toThrow(CorruptRecordError);
  });

  it('readInt8 reads signed bytes and stops at end', () => {
    const r = new ByteReader(Uint8Array.of(0x7f, 0x80, 0xff, 0x00), 0, 3);
    expect([r.readInt8(), r.readInt8(), r.readInt8()]).toEqual([127, -128, -1]);
    expect(() => r.readInt8()).toThrow(CorruptRecordError);
  });

  it('respects an end before the buffer end: a varint that crosses it is truncated', () => {
    const buf = Uint8Array.of(0xd8, 0x04);
    expect(() => new ByteReader(buf, 0, 1).readVarint()).toThrow(CorruptRecordError);
    expect(new ByteReader(buf, 0, 2).readVarint()).toBe(300);
  });
});
