import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionFailedError } from '../../../src/common/errors.js';
import { SeededRandom } from '../../../src/runtime/actor/seeded-random.js';

function take(random: SeededRandom, n: number): number[] {
  return Array.from({ length: n }, () => random.nextUint32());
}

const SEED = fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 });

describe('SeededRandom determinism', () => {
  it('gives the same sequence for the same seed, across all three methods', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        const a = new SeededRandom(seed);
        const b = new SeededRandom(seed);
        for (let i = 0; i < 50; i++) {
          expect(a.nextUint32()).toBe(b.nextUint32());
          expect(a.nextFloat()).toBe(b.nextFloat());
          expect(a.nextInt(-1000, 1000)).toBe(b.nextInt(-1000, 1000));
        }
      }),
    );
  });

  it('keeps the seed it was given', () => {
    expect(new SeededRandom(42).seed).toBe(42);
  });

  it('gives different sequences for different seeds, including adjacent ones', () => {
    fc.assert(
      fc.property(SEED, SEED, (s1, s2) => {
        fc.pre(s1 >>> 0 !== s2 >>> 0);
        expect(take(new SeededRandom(s1), 8)).not.toEqual(take(new SeededRandom(s2), 8));
      }),
    );
    for (let seed = 0; seed < 200; seed++) {
      expect(take(new SeededRandom(seed), 4)).not.toEqual(take(new SeededRandom(seed + 1), 4));
    }
  });

  it('nearby seeds give unrelated first outputs: no two of 10,000 consecutive seeds share one', () => {
    const firsts = new Set<number>();
    for (let seed = 0; seed < 10_000; seed++) firsts.add(new SeededRandom(seed).nextUint32());
    // 10,000 draws from 2^32 collide with probability about 1 in 86,000; the sequence is fixed.
    expect(firsts.size).toBe(10_000);
  });

  it('does not fall into a short cycle', () => {
    const random = new SeededRandom(7);
    const seen = new Set(take(random, 100_000));
    // 100,000 draws from 2^32 give about one repeat; a cycle would give many.
    expect(seen.size).toBeGreaterThan(99_990);
  });

  it('refuses a seed that is not an integer', () => {
    expect(() => new SeededRandom(1.5)).toThrow(AssertionFailedError);
    expect(() => new SeededRandom(Number.NaN)).toThrow(AssertionFailedError);
  });
});

describe('SeededRandom ranges', () => {
  it('nextUint32 is an unsigned 32-bit integer', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        for (const v of take(new SeededRandom(seed), 100)) {
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(0);
          expect(v).toBeLessThanOrEqual(0xffffffff);
        }
      }),
    );
  });

  it('nextFloat is in [0, 1)', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        const random = new SeededRandom(seed);
        for (let i = 0; i < 100; i++) {
          const f = random.nextFloat();
          expect(f).toBeGreaterThanOrEqual(0);
          expect(f).toBeLessThan(1);
        }
      }),
    );
  });

  it('nextInt stays in [min, max] inclusive and is an integer, for arbitrary safe ranges', () => {
    const range = fc
      .tuple(fc.maxSafeInteger(), fc.maxSafeInteger())
      .map(([a, b]): readonly [number, number] => (a <= b ? [a, b] : [b, a]));
    const narrowRange = fc
      .tuple(fc.integer({ min: -1000, max: 1000 }), fc.integer({ min: 0, max: 3 }))
      .map(([min, width]) => [min, min + width] as const);
    fc.assert(
      fc.property(SEED, fc.oneof(range, narrowRange), (seed, [min, max]) => {
        const random = new SeededRandom(seed);
        for (let i = 0; i < 50; i++) {
          const v = random.nextInt(min, max);
          expect(Number.isInteger(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(min);
          expect(v).toBeLessThanOrEqual(max);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('nextInt stays in range at the extremes of the safe integers', () => {
    const random = new SeededRandom(3);
    for (let i = 0; i < 1000; i++) {
      const v = random.nextInt(Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER);
      expect(v).toBeGreaterThanOrEqual(Number.MIN_SAFE_INTEGER);
      expect(v).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
      expect(random.nextInt(Number.MAX_SAFE_INTEGER - 1, Number.MAX_SAFE_INTEGER)).toBeGreaterThanOrEqual(
        Number.MAX_SAFE_INTEGER - 1,
      );
    }
  });

  it('nextInt with min equal to max always returns it', () => {
    fc.assert(
      fc.property(SEED, fc.maxSafeInteger(), (seed, v) => {
        expect(new SeededRandom(seed).nextInt(v, v)).toBe(v);
      }),
    );
  });

  it('nextInt reaches both ends of a small range', () => {
    const random = new SeededRandom(11);
    const seen = new Set<number>();
    for (let i = 0; i < 1000; i++) seen.add(random.nextInt(-2, 2));
    expect([...seen].sort((a, b) => a - b)).toEqual([-2, -1, 0, 1, 2]);
  });

  it('nextInt refuses min > max and non-integer bounds', () => {
    const random = new SeededRandom(1);
    expect(() => random.nextInt(5, 4)).toThrow(AssertionFailedError);
    expect(() => random.nextInt(0.5, 4)).toThrow(AssertionFailedError);
    expect(() => random.nextInt(0, Number.NaN)).toThrow(AssertionFailedError);
  });
});

describe('SeededRandom uniformity', () => {
  // Deterministic seeds make these exact computations, so they cannot flake; the bounds are still
  // loose enough that any decent generator passes with any seed (a chi-square of 2x the 99.99th
  // percentile), and a biased or broken one fails.
  const BUCKETS = 16;
  const DRAWS = 160_000;
  const CHI_SQUARE_BOUND = 2 * 44.3; // df = 15, p = 0.0001 is about 44.3

  function chiSquare(counts: number[], expected: number): number {
    return counts.reduce((sum, c) => sum + (c - expected) ** 2 / expected, 0);
  }

  it.each([1, 42, 2 ** 31 - 1])('nextInt(0, 15) fills 16 buckets evenly with seed %d', (seed) => {
    const random = new SeededRandom(seed);
    const counts = new Array<number>(BUCKETS).fill(0);
    for (let i = 0; i < DRAWS; i++) counts[random.nextInt(0, BUCKETS - 1)]!++;
    expect(chiSquare(counts, DRAWS / BUCKETS)).toBeLessThan(CHI_SQUARE_BOUND);
    for (const c of counts) expect(Math.abs(c - DRAWS / BUCKETS)).toBeLessThan(DRAWS / BUCKETS / 10);
  });

  it('every bit of nextUint32 is set about half the time', () => {
    const random = new SeededRandom(99);
    const ones = new Array<number>(32).fill(0);
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const v = random.nextUint32();
      for (let bit = 0; bit < 32; bit++) if ((v >>> bit) & 1) ones[bit]!++;
    }
    // The standard deviation is about 112; 1,000 is about 9 sigma.
    for (const count of ones) expect(Math.abs(count - n / 2)).toBeLessThan(1000);
  });

  it('nextFloat has a mean near 1/2 and fills 16 buckets of [0, 1) evenly', () => {
    const random = new SeededRandom(5);
    const counts = new Array<number>(BUCKETS).fill(0);
    let sum = 0;
    for (let i = 0; i < DRAWS; i++) {
      const f = random.nextFloat();
      sum += f;
      counts[Math.floor(f * BUCKETS)]!++;
    }
    expect(Math.abs(sum / DRAWS - 0.5)).toBeLessThan(0.01);
    expect(chiSquare(counts, DRAWS / BUCKETS)).toBeLessThan(CHI_SQUARE_BOUND);
  });
});

describe('SeededRandom fork', () => {
  it('is deterministic: the same parent seed forks the same children', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        const a = new SeededRandom(seed);
        const b = new SeededRandom(seed);
        const childA = a.fork();
        const childB = b.fork();
        expect(childA.seed).toBe(childB.seed);
        expect(take(childA, 20)).toEqual(take(childB, 20));
        expect(take(a, 5)).toEqual(take(b, 5)); // the parents stay in step too
      }),
    );
  });

  it('gives a child a stream different from its parent and from its siblings', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        const parent = new SeededRandom(seed);
        const first = parent.fork();
        const second = parent.fork();
        const parentNext = take(parent, 8);
        const firstNext = take(first, 8);
        const secondNext = take(second, 8);
        expect(firstNext).not.toEqual(secondNext);
        expect(firstNext).not.toEqual(parentNext);
        expect(secondNext).not.toEqual(parentNext);
      }),
    );
  });

  it('advances the parent by exactly one draw', () => {
    fc.assert(
      fc.property(SEED, (seed) => {
        const forked = new SeededRandom(seed);
        forked.fork();
        const plain = new SeededRandom(seed);
        plain.nextUint32();
        expect(take(forked, 10)).toEqual(take(plain, 10));
      }),
    );
  });

  it('seeds the child from the parent’s next draw, as a signed 32-bit integer', () => {
    const parent = new SeededRandom(2024);
    const expectedSeed = new SeededRandom(2024).nextUint32() | 0;
    const child = parent.fork();
    expect(child.seed).toBe(expectedSeed);
    expect(take(child, 5)).toEqual(take(new SeededRandom(expectedSeed), 5));
  });
});
