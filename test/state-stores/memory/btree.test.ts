/**
 * Property tests of the BTree against a sorted array: random inserts, overwrites and deletes
 * (enough to split and merge nodes at several levels), range cursors both ways, and cursors that
 * stay on their snapshot while the tree changes under them.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compareBytes } from '../../../src/state-stores/byte-order.js';
import { BTree } from '../../../src/state-stores/memory/btree.js';
import { keyPrefix } from '../../../src/state-stores/memory/btree-node.js';

const RUNS = Number(process.env.MODEL_RUNS ?? 200);
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
/** Small keys over few byte values, so keys collide, share prefixes and include 0x00 and 0xff. */
const key = fc.array(fc.constantFrom(0, 1, 0x7f, 0xff), { maxLength: 4 }).map((a) => new Uint8Array(a));
/** Wider keys, for trees several levels deep. */
const wideKey = fc.integer({ min: 0, max: 5000 }).map((n) => Buffer.from(n.toString(16).padStart(4, '0')));

type Op = { kind: 'set'; key: Uint8Array; value: number } | { kind: 'delete'; key: Uint8Array };

function opsOf(k: fc.Arbitrary<Uint8Array>, maxLength = 3000) {
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('set' as const), key: k, value: fc.integer() }),
      fc.record({ kind: fc.constant('delete' as const), key: k }),
    ),
    // size 'max': lengths spread up to maxLength, so trees grow several levels deep.
    { maxLength, size: 'max' },
  );
}

function modelRange(
  model: Map<string, [Uint8Array, number]>,
  from: Uint8Array | null,
  to: Uint8Array | null,
) {
  return [...model.values()]
    .filter(
      ([k]) => (from === null || compareBytes(k, from) >= 0) && (to === null || compareBytes(k, to) < 0),
    )
    .sort((a, b) => compareBytes(a[0], b[0]))
    .map(([k, v]) => [hex(k), v]);
}

function cursorRange(tree: BTree<number>, from: Uint8Array | null, to: Uint8Array | null, reverse: boolean) {
  const out: [string, number][] = [];
  const c = tree.cursor(from, to, reverse);
  while (c.next()) out.push([hex(c.key), c.value]);
  return out;
}

function apply(ops: Op[], check: (tree: BTree<number>, model: Map<string, [Uint8Array, number]>) => void) {
  const tree = new BTree<number>();
  const model = new Map<string, [Uint8Array, number]>();
  for (const op of ops) {
    if (op.kind === 'set') {
      expect(tree.set(op.key, op.value)).toBe(model.get(hex(op.key))?.[1]);
      model.set(hex(op.key), [op.key, op.value]);
    } else {
      expect(tree.delete(op.key)).toBe(model.get(hex(op.key))?.[1]);
      model.delete(hex(op.key));
    }
  }
  tree.checkInvariants();
  expect(tree.size).toBe(model.size);
  check(tree, model);
}

describe('BTree', () => {
  it('agrees with a sorted model after random inserts, overwrites and deletes, keeping its invariants', () => {
    fc.assert(
      fc.property(opsOf(wideKey), fc.option(wideKey), fc.option(wideKey), (ops, from, to) => {
        apply(ops, (tree, model) => {
          for (const [k, v] of model.values()) expect(tree.get(k)).toBe(v);
          const expected = modelRange(model, from, to);
          expect(cursorRange(tree, from, to, false)).toEqual(expected);
          expect(cursorRange(tree, from, to, true)).toEqual(expected.reverse());
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('orders keys that are prefixes of each other and keys with 0x00 and 0xff bytes by byte order', () => {
    fc.assert(
      fc.property(opsOf(key, 300), fc.option(key), fc.option(key), (ops, from, to) => {
        apply(ops, (tree, model) => {
          const expected = modelRange(model, from, to);
          expect(cursorRange(tree, from, to, false)).toEqual(expected);
          expect(cursorRange(tree, from, to, true)).toEqual(expected.reverse());
        });
      }),
      { numRuns: RUNS },
    );
  });

  it('shrinks back to a single leaf when every key is deleted', () => {
    const tree = new BTree<number>();
    const keys = Array.from({ length: 20_000 }, (_, i) => Buffer.from(`k${i}`));
    keys.forEach((k, i) => {
      tree.set(k, i);
    });
    tree.checkInvariants();
    for (const k of keys.reverse()) tree.delete(k);
    tree.checkInvariants();
    expect(tree.size).toBe(0);
    expect(cursorRange(tree, null, null, false)).toEqual([]);
  });

  it('gives open cursors the entries as of their creation while the tree changes under them', () => {
    fc.assert(
      fc.property(
        opsOf(wideKey),
        opsOf(wideKey),
        fc.nat(50),
        fc.boolean(),
        (before, during, consumed, reverse) => {
          const tree = new BTree<number>();
          const model = new Map<string, [Uint8Array, number]>();
          for (const op of before) {
            if (op.kind === 'set') {
              tree.set(op.key, op.value);
              model.set(hex(op.key), [op.key, op.value]);
            } else {
              tree.delete(op.key);
              model.delete(hex(op.key));
            }
          }
          const expected = modelRange(model, null, null);
          if (reverse) expected.reverse();
          const c = tree.cursor(null, null, reverse);
          const got: [string, number][] = [];
          for (let i = 0; i < consumed && c.next(); i++) got.push([hex(c.key), c.value]);
          for (const op of during) {
            if (op.kind === 'set') tree.set(op.key, op.value);
            else tree.delete(op.key);
          }
          while (c.next()) got.push([hex(c.key), c.value]);
          expect(got).toEqual(expected);
          tree.checkInvariants();
        },
      ),
      { numRuns: RUNS },
    );
  });
});

describe('keyPrefix', () => {
  it('orders keys as byte order does whenever two prefixes differ', () => {
    const k = fc.uint8Array({ maxLength: 9 });
    fc.assert(
      fc.property(k, k, (a, b) => {
        const pa = keyPrefix(a);
        const pb = keyPrefix(b);
        expect(Number.isSafeInteger(pa)).toBe(true);
        if (pa !== pb) expect(Math.sign(pa - pb)).toBe(Math.sign(compareBytes(a, b)));
        if (compareBytes(a, b) === 0) expect(pa).toBe(pb);
      }),
      { numRuns: RUNS * 10 },
    );
  });
});
