/**
 * The order-preserving composite key encodings: escaped keys followed by ordered timestamps sort
 * by key byte order, then by time — also when one key is a prefix of another or contains 0x00 —
 * and decode back to what was encoded; prefix bounds cover exactly the keys with a prefix.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../src/common/errors.js';
import { compareBytes, prefixEnd } from '../../src/state-stores/byte-order.js';
import {
  concatBytes,
  escapedKey,
  orderedInt64,
  readEscapedKey,
  readOrderedInt64,
} from '../../src/state-stores/key-encoding.js';
import { anyKey } from './store-fixtures.js';

const time = fc.maxSafeInteger();

describe('composite key encoding', () => {
  it('sorts escaped key + ordered time by key byte order, then numeric time', () => {
    fc.assert(
      fc.property(anyKey, time, anyKey, time, (a, ta, b, tb) => {
        const ea = concatBytes(escapedKey(a), orderedInt64(ta));
        const eb = concatBytes(escapedKey(b), orderedInt64(tb));
        const expected = Math.sign(compareBytes(a, b) || Math.sign(ta - tb));
        expect(Math.sign(compareBytes(ea, eb))).toBe(expected);
      }),
    );
  });

  it('decodes what it encoded', () => {
    fc.assert(
      fc.property(anyKey, time, (key, t) => {
        const encoded = concatBytes(orderedInt64(7), escapedKey(key), orderedInt64(t));
        const { key: back, end } = readEscapedKey(encoded, 8);
        expect(Buffer.from(back).equals(Buffer.from(key))).toBe(true);
        expect(readOrderedInt64(encoded, end)).toBe(t);
        expect(readOrderedInt64(encoded, 0)).toBe(7);
      }),
    );
  });

  it('refuses bytes without a terminated key', () => {
    expect(() => readEscapedKey(new Uint8Array([1, 2, 0]), 0)).toThrow(CorruptRecordError);
    expect(() => readEscapedKey(new Uint8Array([0, 7, 0, 0]), 0)).toThrow(CorruptRecordError);
  });

  it('bounds exactly the keys that start with a prefix', () => {
    fc.assert(
      fc.property(anyKey, anyKey, (prefix, key) => {
        const end = prefixEnd(prefix);
        const inside = compareBytes(key, prefix) >= 0 && (end === null || compareBytes(key, end) < 0);
        const startsWith =
          key.length >= prefix.length && compareBytes(key.subarray(0, prefix.length), prefix) === 0;
        expect(inside).toBe(startsWith);
      }),
    );
  });
});
