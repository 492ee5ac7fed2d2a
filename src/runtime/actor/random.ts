/**
 * The injected source of randomness (DESIGN.md §4). Code under src/ never calls Math.random: it
 * takes a Random, so a simulated run is a function of its seed.
 */

/**
 * Random numbers.
 *
 * @example
 * ```ts
 * function jitter(random: Random, baseMs: number): number {
 *   return baseMs + random.nextInt(0, baseMs / 10);
 * }
 * ```
 */
export interface Random {
  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number;
  /** A uniformly distributed float in [0, 1). */
  nextFloat(): number;
  /** A uniformly distributed integer in [min, max] (both inclusive). */
  nextInt(min: number, max: number): number;
}
