/**
 * Kafka's exponential retry backoff (KIP-580): the first retry waits `retryBackoffMs`, each later
 * one twice the last, never more than `retryBackoffMaxMs`, each scaled by a random factor in
 * [0.8, 1.2) so producers that failed together do not retry together.
 */
import type { Random } from '../../../runtime/actor/random.js';

/** ±20 %, Kafka's jitter for client retry backoff. */
const JITTER = 0.2;

/**
 * The backoff before retry number `retry` (0 for the first retry).
 *
 * @example
 * ```ts
 * retryBackoffMs(0, 100, 1000, random); // 80..119
 * retryBackoffMs(5, 100, 1000, random); // 1000 (3200 ± 20 %, capped)
 * ```
 */
export function retryBackoffMs(retry: number, initialMs: number, maxMs: number, random: Random): number {
  // With the initial backoff at or above the cap, every retry waits the cap (KIP-580).
  const base = initialMs >= maxMs ? maxMs : initialMs * 2 ** Math.min(retry, 52);
  const jittered = Math.floor(base * (1 - JITTER + 2 * JITTER * random.nextFloat()));
  return Math.min(jittered, maxMs);
}
