import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidRecordError } from '../../../../src/common/errors.js';
import { murmur2, partitionForKey, toPositive } from '../../../../src/log/client/producer/murmur2.js';

/**
 * An independent reference: Kafka's murmur2 written from its description with BigInt arithmetic
 * (unsigned, reduced modulo 2^32 after every step), a byte-at-a-time little-endian word assembly
 * and a loop over the tail, sharing nothing with the Math.imul implementation under test.
 */
function referenceMurmur2(data: Uint8Array): number {
  const m = 0x5bd1e995n;
  const mul = (a: bigint, b: bigint) => BigInt.asUintN(32, a * b);
  let h = BigInt.asUintN(32, 0x9747b28cn ^ BigInt(data.length));
  let i = 0;
  for (; i + 4 <= data.length; i += 4) {
    let k = 0n;
    for (let j = 3; j >= 0; j--) k = k * 256n + BigInt(data[i + j]!);
    k = mul(k, m);
    k ^= k >> 24n;
    k = mul(k, m);
    h = mul(h, m) ^ k;
  }
  const rest = data.length - i;
  if (rest > 0) {
    for (let j = rest - 1; j >= 0; j--) h ^= BigInt(data[i + j]!) << BigInt(8 * j);
    h = mul(h, m);
  }
  h ^= h >> 13n;
  h = mul(h, m);
  h ^= h >> 15n;
  return Number(BigInt.asIntN(32, h));
}

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('murmur2', () => {
  // Published vectors. These six are the values Apache Kafka's own UtilsTest.testMurmur2 asserts for
  // the Java client's Utils.murmur2 (recalled from that test, not copied from a file here); both the
  // implementation under test and the BigInt reference above reproduce every one of them exactly,
  // which a misremembered value could not do.
  it.each([
    ['21', -973932308],
    ['foobar', -790332482],
    ['a-little-bit-long-string', -985981536],
    ['a-little-bit-longer-string', -1486304829],
    ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ['abc', 479470107],
  ])("hashes %j to %i, as Kafka's Java client does", (key, expected) => {
    expect(murmur2(bytes(key))).toBe(expected);
    expect(referenceMurmur2(bytes(key))).toBe(expected);
  });

  // The Java-compatible murmur2 vectors of kafkajs's partitioner tests (recalled likewise), which
  // cover every tail length and both signs; again both implementations agree with each.
  it.each([
    ['0', 971027396],
    ['1', -1993445489],
    ['128', -326012175],
    ['2187', -1508407203],
    ['16384', -325739742],
    ['78125', -1654490814],
    ['279936', 1462227128],
    ['823543', -2014198330],
    ['2097152', 607668903],
    ['4782969', -1182699775],
    ['10000000', -1830336757],
    ['19487171', -1603849305],
    ['35831808', -857013643],
    ['62748517', -1167431028],
    ['105413504', -381294639],
    ['170859375', -1658323481],
    ['100:48069', 1009543857],
  ])('hashes %j to %i, as kafkajs does for Java compatibility', (key, expected) => {
    expect(murmur2(bytes(key))).toBe(expected);
    expect(referenceMurmur2(bytes(key))).toBe(expected);
  });

  // Derived, not published: computed by both implementations here, which agree; pinned so that a
  // change to either shows.
  it('hashes the empty key and "key" to the values both implementations derive', () => {
    expect(murmur2(new Uint8Array(0))).toBe(275646681);
    expect(murmur2(bytes('key'))).toBe(-1079937367);
    expect(referenceMurmur2(bytes('key'))).toBe(-1079937367);
  });

  it('equals the BigInt reference on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        expect(murmur2(data)).toBe(referenceMurmur2(data));
      }),
      { numRuns: 2000 },
    );
  });

  it('always returns a signed 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (data) => {
        const h = murmur2(data);
        expect(h).toBe(h | 0);
      }),
    );
  });
});

describe('toPositive', () => {
  it('masks the sign bit the way Kafka does, including for -2^31', () => {
    expect(toPositive(-790332482)).toBe(1357151166);
    expect(toPositive(-(2 ** 31))).toBe(0);
    expect(toPositive(2 ** 31 - 1)).toBe(2 ** 31 - 1);
    expect(toPositive(-1)).toBe(2 ** 31 - 1);
    expect(toPositive(0)).toBe(0);
  });
});

describe('partitionForKey', () => {
  it("gives Kafka's default partition: toPositive(murmur2(key)) % count", () => {
    // murmur2("foobar") = -790332482 (Kafka's vector above) → toPositive 1357151166.
    expect(partitionForKey(bytes('foobar'), 10)).toBe(1357151166 % 10);
    expect(partitionForKey(bytes('foobar'), 7)).toBe(1357151166 % 7);
    // murmur2("key") = -1079937367 (derived above) → toPositive 1067546281.
    expect(partitionForKey(bytes('key'), 3)).toBe(1067546281 % 3);
  });

  it('always gives a partition in [0, count)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 10_000 }), (key, count) => {
        const p = partitionForKey(key, count);
        expect(Number.isInteger(p)).toBe(true);
        expect(p).toBeGreaterThanOrEqual(0);
        expect(p).toBeLessThan(count);
      }),
    );
  });

  it('gives the same key the same partition every time, whatever buffer holds it', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 32 }), fc.integer({ min: 1, max: 1000 }), (key, count) => {
        const copy = new Uint8Array(key.length + 8).subarray(4, 4 + key.length);
        copy.set(key);
        expect(partitionForKey(copy, count)).toBe(partitionForKey(key, count));
        expect(partitionForKey(key, count)).toBe(partitionForKey(Buffer.from(key), count));
      }),
    );
  });

  it('refuses a partition count below one', () => {
    expect(() => partitionForKey(bytes('k'), 0)).toThrow(InvalidRecordError);
    expect(() => partitionForKey(bytes('k'), 1.5)).toThrow(/at least 1/);
  });
});
