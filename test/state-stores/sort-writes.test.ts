/**
 * sortByKey, the commit-time sort of a transaction's writes: it puts distinct keys in byte order
 * whatever their shape — shared prefixes, keys that are prefixes of others or end in zero bytes,
 * and long stretches of equal bytes (window store keys of two segments in one commit, which once
 * made every key of a segment tie and the sort quadratic).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from '../../src/state-stores/byte-order.js';
import { sortByKey } from '../../src/state-stores/sort-writes.js';

/** Distinct keys (by content) as write-like objects, in the order given. */
function distinctOps(keys: readonly Uint8Array[]): { key: Uint8Array; i: number }[] {
  const seen = new Set<string>();
  const out: { key: Uint8Array; i: number }[] = [];
  for (const key of keys) {
    const id = Buffer.from(key).toString('hex');
    if (seen.has(id)) continue;
    seen.add(id);
    out.push({ key, i: out.length });
  }
  return out;
}

function expectSorted(ops: { key: Uint8Array; i: number }[]): void {
  const expected = ops.slice().sort((a, b) => compareBytes(a.key, b.key));
  const got = sortByKey(ops.slice());
  expect(got.map((o) => o.i)).toEqual(expected.map((o) => o.i));
}

/** A key of a few bytes drawn from a small alphabet (zeros included), so keys collide in stretches. */
const narrowKey = fc
  .uint8Array({ minLength: 0, maxLength: 12 })
  .map((a) => a.map((b) => [0, 1, 97, 255][b % 4]!));

describe('sortByKey', () => {
  it('orders distinct keys like a byte comparison', () => {
    fc.assert(
      fc.property(
        fc.array(narrowKey, { maxLength: 400 }),
        fc.uint8Array({ maxLength: 20 }),
        (keys, prefix) => {
          expectSorted(distinctOps(keys.map((k) => Uint8Array.from([...prefix, ...k]))));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('orders arbitrary byte keys, zero-ended and prefix keys included', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 9 }), { maxLength: 300 }), (keys) => {
        const withPads = keys.flatMap((k) => [
          k,
          Uint8Array.from([...k, 0]),
          Uint8Array.from([...k, 0, 0, 0, 0]),
        ]);
        expectSorted(distinctOps(withPads));
      }),
      { numRuns: 200 },
    );
  });

  it('orders window-store-shaped keys of two segments in one commit', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3000 }), fc.integer({ min: 0, max: 2 ** 20 }), (count, seed) => {
        const keys: Uint8Array[] = [];
        for (let i = 0; i < count; i++) {
          const segment = (i + seed) % 2;
          const id = `k${String((i * 7919 + seed) % 100_000).padStart(9, '0')}`;
          keys.push(
            Uint8Array.from([0, 0, 0, 0, 0, 0, 0, segment, ...Buffer.from(id), 0, 0, 1, 2, 3, 4, 5, 6, 7, 8]),
          );
        }
        expectSorted(distinctOps(keys));
      }),
      { numRuns: 30 },
    );
  });
});
