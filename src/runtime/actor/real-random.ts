/**
 * The production Random, backed by Math.random. This file and real-clock.ts are the only places
 * under src/ allowed to touch ambient randomness or time.
 */
import type { Random } from './random.js';

/**
 * Non-reproducible randomness for production.
 *
 * @example
 * ```ts
 * const id = realRandom.nextUint32().toString(16);
 * ```
 */
export class RealRandom implements Random {
  nextUint32(): number {
    return Math.floor(Math.random() * 4294967296) >>> 0;
  }

  nextFloat(): number {
    return Math.random();
  }

  nextInt(min: number, max: number): number {
    return min + Math.floor(Math.random() * (max - min + 1));
  }
}

/** The process-wide real Random. */
export const realRandom: Random = new RealRandom();
