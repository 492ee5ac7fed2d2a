import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { crc32c } from '../../src/common/crc32c.js';

/** A plain table-driven CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): the oracle. */
const TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0x82f63b78 : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function referenceCrc32c(bytes: Uint8Array, initial = 0): number {
  let crc = ~initial >>> 0;
  for (const b of bytes) crc = (TABLE[(crc ^ b) & 0xff]! ^ (crc >>> 8)) >>> 0;
  return ~crc >>> 0;
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('the reference implementation itself gives the CRC-32C check value', () => {
    expect(referenceCrc32c(ascii('123456789'))).toBe(0xe3069283);
  });

  it('gives the CRC-32C check value 0xe3069283 for "123456789"', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
  });

  it('matches known vectors from RFC 3720 (iSCSI) appendix B.4', () => {
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('is 0 for no bytes', () => {
    expect(crc32c(new Uint8Array(0))).toBe(0);
  });

  it('agrees with a table-driven reference on random inputs', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), (bytes) => {
        expect(crc32c(bytes)).toBe(referenceCrc32c(bytes));
      }),
      { numRuns: 500 },
    );
  });

  it('always returns an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.nat({ max: 0xffffffff }), (bytes, initial) => {
        const crc = crc32c(bytes, initial);
        expect(Number.isInteger(crc)).toBe(true);
        expect(crc).toBeGreaterThanOrEqual(0);
        expect(crc).toBeLessThanOrEqual(0xffffffff);
      }),
    );
  });

  it('continues a checksum: crc32c(a + b) equals crc32c(b, crc32c(a))', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), fc.uint8Array({ maxLength: 300 }), (a, b) => {
        const whole = new Uint8Array(a.length + b.length);
        whole.set(a, 0);
        whole.set(b, a.length);
        expect(crc32c(b, crc32c(a))).toBe(crc32c(whole));
      }),
      { numRuns: 500 },
    );
  });

  it('continues from any initial value exactly as the reference does, including values above 2^31', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.oneof(fc.nat({ max: 0xffffffff }), fc.constantFrom(0x80000000, 0xffffffff)),
        (bytes, initial) => {
          expect(crc32c(bytes, initial)).toBe(referenceCrc32c(bytes, initial));
        },
      ),
    );
  });

  it('checksums only the bytes of a Uint8Array view with a byteOffset, not the whole backing buffer', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.nat(),
        fc.nat(),
        (backing, startSeed, lengthSeed) => {
          const start = startSeed % backing.length;
          const length = lengthSeed % (backing.length - start + 1);
          const view = new Uint8Array(backing.buffer, backing.byteOffset + start, length);
          const copy = Uint8Array.from(view);
          expect(crc32c(view)).toBe(referenceCrc32c(copy));
          expect(crc32c(view)).toBe(crc32c(copy));
          expect(crc32c(Buffer.from(view.buffer, view.byteOffset, view.byteLength))).toBe(crc32c(copy));
        },
      ),
    );
  });

  it('does not modify its input', () => {
    const bytes = Uint8Array.from({ length: 64 }, (_, i) => i * 7);
    const before = [...bytes];
    crc32c(bytes.subarray(5, 40), 12345);
    expect([...bytes]).toEqual(before);
  });

  it('detects every single-bit flip in a message', () => {
    const message = ascii('the quick brown fox jumps over the lazy dog');
    const good = crc32c(message);
    for (let bit = 0; bit < message.length * 8; bit++) {
      const flipped = Uint8Array.from(message);
      flipped[bit >> 3]! ^= 1 << (bit & 7);
      expect(crc32c(flipped)).not.toBe(good);
    }
  });
});
