/**
 * The built-in serdes: round trips, Kafka-compatible byte layouts, the byte order of the number
 * encodings against numeric order (kept for non-negative values, documented otherwise), and a clear
 * SerializationError naming the serde and what was wrong for bad values and bad bytes.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MillraceError, SerializationError } from '../../src/common/errors.js';
import { bytesSerde } from '../../src/serdes/bytes-serde.js';
import { jsonSerde } from '../../src/serdes/json-serde.js';
import { doubleSerde, int32Serde, int64BigIntSerde, int64Serde } from '../../src/serdes/number-serdes.js';
import type { Serde } from '../../src/serdes/serde.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { stringSerde } from '../../src/serdes/string-serde.js';

const hex = (b: Uint8Array | null) => (b === null ? null : Buffer.from(b).toString('hex'));

function roundTrip<T>(serde: Serde<T>, value: T): T {
  const bytes = serde.serialize('t', value);
  expect(bytes).not.toBeNull();
  return serde.deserialize('t', bytes!);
}

function serializationError(f: () => unknown): SerializationError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(SerializationError);
    expect(e).toBeInstanceOf(MillraceError);
    return e as SerializationError;
  }
  throw new Error('expected a SerializationError, but nothing was thrown');
}

/** Byte order of two encodings: negative when a sorts first. */
function byteOrder(a: Uint8Array, b: Uint8Array): number {
  return Math.sign(Buffer.compare(a, b));
}

describe('round trips', () => {
  it('string keeps every string made of whole code points, including a byte-order mark', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        expect(roundTrip(stringSerde, s)).toBe(s);
      }),
    );
    expect(roundTrip(stringSerde, '\ufeffbom')).toBe('\ufeffbom');
  });

  it('json keeps JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (v) => {
        expect(roundTrip(jsonSerde(), v)).toEqual(JSON.parse(JSON.stringify(v)));
      }),
    );
  });

  it('bytes returns a copy with the same contents', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (a) => {
        const out = roundTrip(bytesSerde, a);
        expect(hex(out)).toBe(hex(a));
        if (a.length > 0) expect(out.buffer).not.toBe(a.buffer);
      }),
    );
    const buffer = Buffer.from('abc');
    const copy = bytesSerde.deserialize('t', buffer);
    buffer.write('xyz');
    expect(Buffer.from(copy).toString()).toBe('abc');
  });

  it('int32, int64, int64 bigint and double keep every value in their range', () => {
    fc.assert(
      fc.property(fc.integer(), (n) => {
        expect(roundTrip(int32Serde, n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeInteger(), (n) => {
        expect(roundTrip(int64Serde, n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (n) => {
        expect(roundTrip(int64BigIntSerde, n)).toBe(n);
      }),
    );
    fc.assert(
      fc.property(fc.double(), (d) => {
        expect(Object.is(roundTrip(doubleSerde, d), d)).toBe(true);
      }),
    );
  });

  it('Serdes hands out the same serdes', () => {
    expect(Serdes.string()).toBe(stringSerde);
    expect(Serdes.int64()).toBe(int64Serde);
    expect(Serdes.json<{ a: number }>().name).toBe('json');
  });
});

describe('byte layouts compatible with Kafka’s serdes', () => {
  it('encodes numbers big-endian as IntegerSerde, LongSerde and DoubleSerde do', () => {
    expect(hex(int32Serde.serialize('t', 258))).toBe('00000102');
    expect(hex(int32Serde.serialize('t', -1))).toBe('ffffffff');
    expect(hex(int64Serde.serialize('t', 1))).toBe('0000000000000001');
    expect(hex(int64Serde.serialize('t', -2))).toBe('fffffffffffffffe');
    expect(hex(int64BigIntSerde.serialize('t', -(2n ** 63n)))).toBe('8000000000000000');
    expect(hex(doubleSerde.serialize('t', 1.5))).toBe('3ff8000000000000');
    expect(hex(stringSerde.serialize('t', 'héllo'))).toBe('68c3a96c6c6f');
  });

  it('int64 reads the largest safe integers written by other clients', () => {
    expect(int64Serde.deserialize('t', Buffer.from('001fffffffffffff', 'hex'))).toBe(Number.MAX_SAFE_INTEGER);
    expect(int64Serde.deserialize('t', Buffer.from('ffe0000000000001', 'hex'))).toBe(Number.MIN_SAFE_INTEGER);
  });
});

describe('byte order against numeric order', () => {
  it('is numeric order for non-negative int32, int64 and double values', () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), (a, b) => {
        expect(byteOrder(int32Serde.serialize('t', a)!, int32Serde.serialize('t', b)!)).toBe(
          Math.sign(a - b),
        );
      }),
    );
    fc.assert(
      fc.property(fc.maxSafeNat(), fc.maxSafeNat(), (a, b) => {
        expect(byteOrder(int64Serde.serialize('t', a)!, int64Serde.serialize('t', b)!)).toBe(
          Math.sign(a - b),
        );
      }),
    );
    const nonNegative = fc.double({ min: 0, noNaN: true }).filter((d) => !Object.is(d, -0));
    fc.assert(
      fc.property(nonNegative, nonNegative, (a, b) => {
        expect(byteOrder(doubleSerde.serialize('t', a)!, doubleSerde.serialize('t', b)!)).toBe(
          Math.sign(a - b),
        );
      }),
    );
  });

  it('puts every negative integer after every non-negative one, as documented', () => {
    fc.assert(
      fc.property(fc.integer({ max: -1 }), fc.nat(), (neg, pos) => {
        expect(byteOrder(int32Serde.serialize('t', neg)!, int32Serde.serialize('t', pos)!)).toBe(1);
        expect(byteOrder(int64Serde.serialize('t', neg)!, int64Serde.serialize('t', pos)!)).toBe(1);
      }),
    );
    expect(byteOrder(doubleSerde.serialize('t', -1)!, doubleSerde.serialize('t', 1)!)).toBe(1);
    expect(byteOrder(doubleSerde.serialize('t', -2)!, doubleSerde.serialize('t', -1)!)).toBe(1);
  });
});

describe('bad input', () => {
  it.each([
    ['int32', int32Serde as Serde<unknown>, 3, 'expected 4 bytes, got 3'],
    ['int64', int64Serde as Serde<unknown>, 9, 'expected 8 bytes, got 9'],
    ['int64-bigint', int64BigIntSerde as Serde<unknown>, 0, 'expected 8 bytes, got 0'],
    ['double', doubleSerde as Serde<unknown>, 4, 'expected 8 bytes, got 4'],
  ])(
    '%s refuses bytes of the wrong length, naming itself, the topic and what to do',
    (name, serde, length, detail) => {
      const e = serializationError(() => serde.deserialize('orders', new Uint8Array(length)));
      expect(e.code).toBe('SERIALIZATION_ERROR');
      expect(e.retriable).toBe(false);
      expect(e.serde).toBe(name);
      expect(e.topic).toBe('orders');
      expect(e.message).toContain(detail);
      expect(e.message).toContain('"orders"');
      expect(e.message).toMatch(/check that the serde configured for it matches the data/i);
    },
  );

  it('string refuses bytes that are not UTF-8', () => {
    const e = serializationError(() => stringSerde.deserialize('words', new Uint8Array([0x68, 0xff, 0xfe])));
    expect(e.message).toContain('3 bytes are not valid UTF-8');
  });

  it('json refuses bytes that are not JSON, values without a JSON form, and values its validator refuses', () => {
    expect(serializationError(() => jsonSerde().deserialize('t', Buffer.from('{"a":'))).message).toContain(
      'are not JSON',
    );
    expect(serializationError(() => jsonSerde().deserialize('t', new Uint8Array([0xff]))).message).toContain(
      'not UTF-8',
    );
    expect(serializationError(() => jsonSerde().serialize('t', undefined)).message).toContain('no JSON form');
    expect(serializationError(() => jsonSerde().serialize('t', 1n)).message).toContain('no JSON form');
    const isPoint = (v: unknown): v is { x: number } => typeof (v as { x?: unknown }).x === 'number';
    const points = jsonSerde({ validate: isPoint, name: 'point' });
    expect(points.deserialize('t', Buffer.from('{"x":1}'))).toEqual({ x: 1 });
    const e = serializationError(() => points.deserialize('t', Buffer.from('{"y":1}')));
    expect(e.serde).toBe('point');
    expect(e.message).toContain('validator refused');
  });

  it('number serdes refuse values outside their range instead of wrapping or rounding', () => {
    expect(serializationError(() => int32Serde.serialize('t', 2 ** 31)).message).toContain(
      'not a 32-bit integer',
    );
    expect(serializationError(() => int32Serde.serialize('t', 1.5)).message).toContain(
      'not a 32-bit integer',
    );
    expect(serializationError(() => int64Serde.serialize('t', 2 ** 53)).message).toContain(
      'int64 bigint serde',
    );
    expect(serializationError(() => int64BigIntSerde.serialize('t', 2n ** 63n)).message).toContain('64-bit');
    expect(serializationError(() => doubleSerde.serialize('t', '1' as unknown as number)).message).toContain(
      'string',
    );
    expect(serializationError(() => stringSerde.serialize('t', 1 as unknown as string)).message).toContain(
      'number',
    );
    expect(
      serializationError(() => bytesSerde.serialize('t', 'x' as unknown as Uint8Array)).message,
    ).toContain('Uint8Array');
  });

  it('int64 refuses stored values beyond the safe integer range and names the bigint serde', () => {
    const e = serializationError(() => int64Serde.deserialize('t', Buffer.from('7fffffffffffffff', 'hex')));
    expect(e.message).toContain('9223372036854775807');
    expect(e.message).toContain('int64 bigint serde');
  });
});
