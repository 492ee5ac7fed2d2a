/**
 * Retrying a request to an embedded cluster through a failover: right after a broker dies or comes
 * back, leaders and coordinators move and a request may fail once or twice before it lands.
 */
import type { Clock } from '../runtime/actor/clock.js';

/**
 * Calls `fn` until it succeeds, waiting `delayMs` on the clock between tries; after `attempts`
 * tries it rethrows the last error.
 *
 * @example
 * ```ts
 * const { offset } = await retrying(realClock, () => client.listOffset('input', 0, -1));
 * ```
 * @throws the last error of `fn` after `attempts` failures.
 */
export async function retrying<T>(
  clock: Clock,
  fn: () => Promise<T>,
  attempts = 50,
  delayMs = 100,
): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await new Promise<void>((resolve) => clock.setTimer(delayMs, resolve));
    }
  }
}
