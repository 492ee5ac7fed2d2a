/**
 * The Avro serde: round trips of every kind of Avro type (a fixed example and a property over
 * values generated for a fixed schema), bytes given as any Uint8Array view, reading data written
 * with an older or newer schema through writerSchema, and clear errors: a SerializationError naming
 * the offending field paths for a value that does not fit, one saying the bytes are truncated or
 * have trailing bytes, and a ConfigError with avsc's reason for a schema that is not valid.
 *
 * A property failure prints fast-check's seed and path; pass them back (fc.assert's `seed` and
 * `path`) to replay the shrunk case.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError, MillraceError, SerializationError } from '../../src/common/errors.js';
import { avroSerde } from '../../src/serdes/avro-serde.js';
import { Serdes } from '../../src/serdes/serdes.js';

interface Customer {
  name: string;
  tier: number;
}

interface Order {
  id: number;
  customer: Customer;
  tags: string[];
  counts: Record<string, number>;
  note: string | null;
  shipTo: Customer | null;
  status: 'NEW' | 'PAID' | 'SHIPPED';
  payload: Buffer;
  amount: number;
  weight: number;
  gift: boolean;
}

const orderSchema = {
  type: 'record',
  name: 'Order',
  namespace: 'shop',
  fields: [
    { name: 'id', type: 'long' },
    {
      name: 'customer',
      type: {
        type: 'record',
        name: 'Customer',
        fields: [
          { name: 'name', type: 'string' },
          { name: 'tier', type: 'int' },
        ],
      },
    },
    { name: 'tags', type: { type: 'array', items: 'string' } },
    { name: 'counts', type: { type: 'map', values: 'int' } },
    { name: 'note', type: ['null', 'string'], default: null },
    { name: 'shipTo', type: ['null', 'Customer'], default: null },
    { name: 'status', type: { type: 'enum', name: 'Status', symbols: ['NEW', 'PAID', 'SHIPPED'] } },
    { name: 'payload', type: 'bytes' },
    { name: 'amount', type: 'double' },
    { name: 'weight', type: 'float' },
    { name: 'gift', type: 'boolean' },
  ],
};

const order: Order = {
  id: -9_007_199_254_740_991,
  customer: { name: 'Ada', tier: -3 },
  tags: ['fragile', 'café'],
  counts: { apples: 3, pears: -1 },
  note: 'leave at the door',
  shipTo: { name: 'Bob', tier: 2 },
  status: 'PAID',
  payload: Buffer.from([0, 1, 254, 255]),
  amount: -12.5,
  weight: 0.25,
  gift: true,
};

const customerArb = fc.record({
  name: fc.string({ unit: 'grapheme' }),
  tier: fc.integer({ min: -0x80000000, max: 0x7fffffff }),
});

// Map keys: avsc decodes a map by assigning keys to a plain object, so a `__proto__` key would set
// the prototype instead of a key; the schema's maps never hold one here.
const mapKey = fc.string().filter((k) => k !== '__proto__');

const orderArb: fc.Arbitrary<Order> = fc.record({
  id: fc.maxSafeInteger(),
  customer: customerArb,
  tags: fc.array(fc.string({ unit: 'grapheme' })),
  counts: fc.dictionary(mapKey, fc.integer({ min: -0x80000000, max: 0x7fffffff }), { noNullPrototype: true }),
  note: fc.option(fc.string(), { nil: null }),
  shipTo: fc.option(customerArb, { nil: null }),
  status: fc.constantFrom('NEW', 'PAID', 'SHIPPED'),
  payload: fc.uint8Array().map((a) => Buffer.from(a)),
  amount: fc.double(),
  weight: fc.float(),
  gift: fc.boolean(),
});

const orders = avroSerde<Order>(orderSchema);

/** The Avro spec's encoding of a long: the zig-zag of its 64 bits as a base-128 varint. */
function zigZagVarint(n: bigint): Buffer {
  let z = BigInt.asUintN(64, (n << 1n) ^ (n >> 63n));
  const out: number[] = [];
  while (z >= 0x80n) {
    out.push(Number(z & 0x7fn) | 0x80);
    z >>= 7n;
  }
  out.push(Number(z));
  return Buffer.from(out);
}

function encode<T>(serde: { serialize(topic: string, value: T): Uint8Array | null }, value: T): Uint8Array {
  const bytes = serde.serialize('orders', value);
  expect(bytes).not.toBeNull();
  return bytes!;
}

function thrown<E extends Error>(kind: new (...args: never[]) => E, f: () => unknown): E {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(kind);
    expect(e).toBeInstanceOf(MillraceError);
    return e as E;
  }
  throw new Error(`expected a ${kind.name}, but nothing was thrown`);
}

describe('round trips', () => {
  it('keeps a record with nested record, array, map, null unions, enum, long, bytes and floats', () => {
    const bytes = encode(orders, order);
    expect(bytes).toBeInstanceOf(Uint8Array);
    const back = orders.deserialize('orders', bytes);
    expect(back).toEqual(order);
    expect(back.payload).toBeInstanceOf(Buffer);
    expect(orders.deserialize('orders', encode(orders, { ...order, note: null, shipTo: null }))).toEqual({
      ...order,
      note: null,
      shipTo: null,
    });
  });

  it('keeps every value generated for the schema, and decodes from any Uint8Array view', () => {
    fc.assert(
      fc.property(orderArb, fc.nat({ max: 7 }), (value, offset) => {
        const bytes = encode(orders, value);
        expect(orders.deserialize('orders', bytes)).toEqual(value);
        // The same bytes in the middle of a larger ArrayBuffer, as a plain Uint8Array.
        const larger = new Uint8Array(offset + bytes.length + 3);
        larger.set(bytes, offset);
        const view = larger.subarray(offset, offset + bytes.length);
        expect(orders.deserialize('orders', view)).toEqual(value);
      }),
    );
  });

  it('decoded bytes fields are copies, not views of the input', () => {
    const bytes = Buffer.from(encode(orders, order));
    const back = orders.deserialize('orders', bytes);
    bytes.fill(0);
    expect([...back.payload]).toEqual([0, 1, 254, 255]);
  });

  it('takes the schema as JSON text or a bare primitive name, and Serdes.avro builds the same serde', () => {
    const fromText = avroSerde<Order>(JSON.stringify(orderSchema));
    expect(fromText.name).toBe('avro(shop.Order)');
    expect(Buffer.from(encode(fromText, order)).equals(Buffer.from(encode(orders, order)))).toBe(true);
    const longs = avroSerde<number>('long');
    expect(longs.name).toBe('avro(long)');
    expect(longs.deserialize('t', encode(longs, -1234567890123))).toBe(-1234567890123);
    expect(avroSerde<string[]>('{"type":"array","items":"string"}').name).toBe('avro(array)');
    const viaSerdes = Serdes.avro<Order>(orderSchema);
    expect(viaSerdes.name).toBe('avro(shop.Order)');
    expect(viaSerdes.deserialize('orders', encode(orders, order))).toEqual(order);
  });
});

describe('long is exact over the whole safe integer range', () => {
  // avsc's own long rounds beyond ±2^52 (-(2^52 + 1) came back as +2^52); the spec's encoding is a
  // zig-zag varint of the 64-bit value, computed here with bigints as any other Avro writer would.
  const longs = avroSerde<number>('long');

  it('writes the bytes the Avro spec gives and reads them back, at the edges and everywhere', () => {
    const edges = [0, -1, 1, 2 ** 52, -(2 ** 52), 2 ** 52 + 1, -(2 ** 52) - 1, 2 ** 53 - 1, -(2 ** 53) + 1];
    fc.assert(
      fc.property(fc.oneof(fc.constantFrom(...edges), fc.maxSafeInteger()), (n) => {
        const bytes = encode(longs, n);
        expect(Buffer.from(bytes).toString('hex')).toBe(zigZagVarint(BigInt(n)).toString('hex'));
        expect(longs.deserialize('t', bytes)).toBe(n);
      }),
    );
  });

  it('reads an int written by an older schema as a long', () => {
    const ints = avroSerde<number>('int');
    const promoted = avroSerde<number>('long', { writerSchema: 'int' });
    expect(promoted.deserialize('t', encode(ints, -(2 ** 31)))).toBe(-(2 ** 31));
  });

  it('refuses numbers that are not safe integers instead of rounding them', () => {
    for (const n of [2 ** 53, -(2 ** 53), 1.5, Number.NaN]) {
      expect(thrown(SerializationError, () => longs.serialize('t', n)).message).toContain('is not a "long"');
    }
  });
});

describe('schema evolution through writerSchema', () => {
  const pointV1 = {
    type: 'record',
    name: 'Point',
    fields: [
      { name: 'x', type: 'int' },
      { name: 'y', type: 'int' },
    ],
  };
  const pointV2 = {
    type: 'record',
    name: 'Point',
    fields: [
      { name: 'x', type: 'int' },
      { name: 'y', type: 'long' },
      { name: 'label', type: 'string', default: 'origin-relative' },
      { name: 'z', type: ['null', 'int'], default: null },
    ],
  };

  it('reads data of an older schema: defaults for fields the writer lacked, int promoted to long', () => {
    const v1 = avroSerde<{ x: number; y: number }>(pointV1);
    const v2ReadingV1 = avroSerde<{ x: number; y: number; label: string; z: number | null }>(pointV2, {
      writerSchema: pointV1,
    });
    fc.assert(
      fc.property(fc.integer({ min: -0x80000000, max: 0x7fffffff }), fc.integer(), (x, y) => {
        expect(v2ReadingV1.deserialize('points', encode(v1, { x, y }))).toEqual({
          x,
          y,
          label: 'origin-relative',
          z: null,
        });
      }),
    );
  });

  it('reads data of a newer schema, skipping fields the reader lacks', () => {
    const v2 = avroSerde<{ x: number; y: number; label: string; z: number | null }>(pointV2);
    const xOnly = { type: 'record', name: 'Point', fields: [{ name: 'x', type: 'int' }] };
    const xReadingV2 = avroSerde<{ x: number }>(xOnly, { writerSchema: JSON.stringify(pointV2) });
    expect(xReadingV2.deserialize('points', encode(v2, { x: 1, y: 2 ** 40, label: 'a', z: 3 }))).toEqual({
      x: 1,
    });
  });

  it('without writerSchema, data of another schema fails to decode with a hint to set it', () => {
    const v1 = avroSerde<{ x: number; y: number }>(pointV1);
    const v2 = avroSerde<unknown>(pointV2);
    const e = thrown(SerializationError, () => v2.deserialize('points', encode(v1, { x: 1, y: 2 })));
    expect(e.message).toContain('truncated');
  });

  it('refuses a writer schema whose data the serde’s schema cannot read', () => {
    // long → int narrows, which Avro does not allow.
    const e = thrown(ConfigError, () => avroSerde(pointV1, { writerSchema: pointV2 }));
    expect(e.key).toBe('writerSchema');
    expect(e.code).toBe('INVALID_CONFIG');
    expect(e.message).toContain('Point');
  });
});

describe('bad input', () => {
  it('refuses a value that does not match, naming serde, topic, field paths and what to do', () => {
    const bad = {
      ...order,
      id: 1.5,
      customer: { name: 3, tier: 1 },
      tags: ['ok', 7],
      status: 'LOST',
    } as unknown as Order;
    const e = thrown(SerializationError, () => orders.serialize('orders', bad));
    expect(e.code).toBe('SERIALIZATION_ERROR');
    expect(e.retriable).toBe(false);
    expect(e.serde).toBe('avro(shop.Order)');
    expect(e.topic).toBe('orders');
    expect(e.message).toContain('"orders"');
    for (const path of ['id (1.5', 'customer.name (3', 'tags.1 (7', 'status ("LOST"']) {
      expect(e.message).toContain(path);
    }
    expect(e.message).toContain('fix these fields');
    expect(e.cause).toBeInstanceOf(Error);
  });

  it('names a missing field, a plain Uint8Array for bytes, an unsafe long and a non-record value', () => {
    const { gift: _gift, ...missing } = order;
    expect(thrown(SerializationError, () => orders.serialize('t', missing as Order)).message).toContain(
      'gift (undefined (missing)',
    );
    const notBuffer = { ...order, payload: new Uint8Array(2) as Buffer };
    expect(thrown(SerializationError, () => orders.serialize('t', notBuffer)).message).toContain(
      'payload (a Uint8Array of 2 bytes is not a "bytes")',
    );
    expect(
      thrown(SerializationError, () => orders.serialize('t', { ...order, id: 2 ** 60 })).message,
    ).toContain('id (');
    expect(
      thrown(SerializationError, () => orders.serialize('t', null as unknown as Order)).message,
    ).toContain('the value itself (null');
  });

  it('lists at most five offending fields and counts the rest', () => {
    const manyBad = { ...order, tags: [1, 2, 3, 4, 5, 6, 7] } as unknown as Order;
    expect(thrown(SerializationError, () => orders.serialize('t', manyBad)).message).toContain('and 2 more');
  });

  it('refuses truncated bytes, saying so', () => {
    const bytes = encode(orders, order);
    const e = thrown(SerializationError, () =>
      orders.deserialize('orders', bytes.subarray(0, bytes.length - 1)),
    );
    expect(e.serde).toBe('avro(shop.Order)');
    expect(e.message).toContain(`${bytes.length - 1} bytes end before the value does (truncated)`);
    expect((e.cause as Error).message).toBe('truncated buffer');
    expect(
      thrown(SerializationError, () => orders.deserialize('orders', new Uint8Array(0))).message,
    ).toContain('truncated');
  });

  it('refuses every strict prefix and every extension of a valid encoding', () => {
    fc.assert(
      fc.property(orderArb, fc.nat(), fc.uint8Array({ minLength: 1, maxLength: 8 }), (value, cut, extra) => {
        const bytes = encode(orders, value);
        const prefix = bytes.subarray(0, cut % bytes.length);
        thrown(SerializationError, () => orders.deserialize('orders', prefix));
        const longer = Buffer.concat([bytes, extra]);
        const e = thrown(SerializationError, () => orders.deserialize('orders', longer));
        expect(e.message).toContain('trailing bytes');
      }),
    );
  });

  it('refuses trailing bytes, naming framing as a likely cause', () => {
    const bytes = Buffer.concat([encode(orders, order), Buffer.from([0])]);
    const e = thrown(SerializationError, () => orders.deserialize('orders', bytes));
    expect(e.message).toContain(`${bytes.length} bytes hold a value followed by trailing bytes`);
    expect(e.message).toContain('schema-registry header');
    expect((e.cause as Error).message).toBe('trailing data');
  });

  it('refuses bytes that do not decode, with the reason', () => {
    const longs = avroSerde<number>('long');
    const e = thrown(SerializationError, () => longs.deserialize('t', zigZagVarint(2n ** 63n - 1n)));
    expect(e.message).toContain(
      'do not decode (the long 9223372036854775807 is outside the safe integer range)',
    );
    const statuses = avroSerde<string>({ type: 'enum', name: 'Status', symbols: ['NEW'] });
    expect(thrown(SerializationError, () => statuses.deserialize('t', zigZagVarint(5n))).message).toContain(
      'do not decode',
    );
  });

  it('refuses an invalid schema with a ConfigError giving avsc’s reason', () => {
    const e = thrown(ConfigError, () =>
      Serdes.avro({ type: 'record', name: 'X', fields: [{ name: 'a', type: 'nope' }] }),
    );
    expect(e.key).toBe('schema');
    expect(e.message).toContain('undefined type name: nope');
    expect(thrown(ConfigError, () => Serdes.avro('{"type": "record"')).message).toContain('not JSON');
    expect(thrown(ConfigError, () => Serdes.avro({ type: 'enum', name: 'E', symbols: [] })).key).toBe(
      'schema',
    );
    expect(thrown(ConfigError, () => Serdes.avro('int', { writerSchema: 'nope' })).key).toBe('writerSchema');
  });
});
