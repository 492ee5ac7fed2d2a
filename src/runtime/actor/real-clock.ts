/**
 * The production Clock: the machine's wall clock, performance.now() and Node timers. This file and
 * real-random.ts are the only places under src/ allowed to touch ambient time.
 */
import type { Clock, TimerHandle } from './clock.js';

/**
 * The real clock.
 *
 * @example
 * ```ts
 * const clock = new RealClock();
 * const t = clock.setTimer(100, () => console.log('flushed at', clock.nowMs()));
 * ```
 */
export class RealClock implements Clock {
  nowMs(): number {
    return Date.now();
  }

  monotonicMs(): number {
    return performance.now();
  }

  keepAlive(): { release(): void } {
    // An interval that does nothing, but is referenced: the event loop stays up while it exists.
    const handle = setInterval(() => undefined, 2 ** 30);
    return { release: () => clearInterval(handle) };
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    if (!(delayMs > 0)) {
      // Node runs a 0 ms timeout after at least 1 ms: a loop that yields with setTimer(0) between
      // rounds of a few milliseconds (a stream thread) would sleep a third of the time. An
      // immediate runs right after pending I/O and expired timers, which is what a 0 delay means.
      // Referenced on purpose: libuv's poll phase only stays non-blocking for referenced
      // immediates, so an unreferenced one waits for the next I/O event or timer (≈ 1.6 ms per
      // round in a stream thread's worker: half its time idle). It runs at once, so it never
      // keeps a finished process alive.
      const i = setImmediate(callback);
      return { cancel: () => clearImmediate(i) };
    }
    const t = setTimeout(callback, delayMs);
    // A pending flush or retention timer must not keep a finished process alive.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}

/** The process-wide real clock, for code that is not under simulation. */
export const realClock: Clock = new RealClock();
