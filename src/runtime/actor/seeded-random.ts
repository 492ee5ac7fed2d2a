/**
 * A seeded, reproducible PRNG: sfc32 (Chris Doty-Humphrey's small fast counter), seeded through
 * splitmix32 so that nearby seeds give unrelated streams. The same seed always gives the same
 * sequence, on every platform.
 */
import { assert } from '../../common/assert.js';
import type { Random } from './random.js';

/**
 * The deterministic Random used by tests and the simulated cluster.
 *
 * @example
 * ```ts
 * const random = new SeededRandom(42);
 * const crashAt = random.nextInt(0, 1000); // same value every run with seed 42
 * ```
 */
export class SeededRandom implements Random {
  readonly seed: number;
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: number) {
    assert(Number.isInteger(seed), 'seed is an integer');
    this.seed = seed;
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) | 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    // Discard the first outputs, which are weakly mixed in sfc32.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  nextFloat(): number {
    return this.nextUint32() / 4294967296;
  }

  nextInt(min: number, max: number): number {
    assert(Number.isInteger(min) && Number.isInteger(max) && min <= max, 'nextInt takes integers min <= max');
    return min + Math.floor(this.nextFloat() * (max - min + 1));
  }

  /** A new generator seeded from this one, for giving each simulated node its own stream. */
  fork(): SeededRandom {
    return new SeededRandom(this.nextUint32() | 0);
  }
}
