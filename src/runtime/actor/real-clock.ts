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
    const t = setTimeout(callback, Math.max(0, delayMs));
    // A pending flush or retention timer must not keep a finished process alive.
    t.unref();
    return { cancel: () => clearTimeout(t) };
  }
}

/** The process-wide real clock, for code that is not under simulation. */
export const realClock: Clock = new RealClock();
