/**
 * The injected source of time (DESIGN.md §4). Nothing under src/ reads the ambient clock or sets a
 * timer directly: it asks a Clock, so the simulated cluster can run the same code on virtual time.
 */

/** A scheduled callback that can be cancelled. */
export interface TimerHandle {
  /** Cancels the timer; harmless if it already fired. */
  cancel(): void;
}

/**
 * Time and timers.
 *
 * @example
 * ```ts
 * function expireAfter(clock: Clock, ms: number, onExpire: () => void): TimerHandle {
 *   return clock.setTimer(ms, onExpire);
 * }
 * ```
 */
export interface Clock {
  /** Wall-clock time in milliseconds since the Unix epoch. */
  nowMs(): number;
  /** A monotonic time in milliseconds, for measuring durations; never goes backwards. */
  monotonicMs(): number;
  /** Runs `callback` once, `delayMs` from now. */
  setTimer(delayMs: number, callback: () => void): TimerHandle;
  /**
   * Keeps the process alive until released. Timers alone do not (a pending flush must not hold a
   * finished process open); a running server — an embedded cluster — holds one of these.
   */
  keepAlive?(): { release(): void };
}
