import { checkGraceFits, type Duration, durationMs } from './duration.js';

/**
 * Record-aligned windows of a maximum time difference, with a grace period.
 *
 * @example
 * ```ts
 * const windows = SlidingWindows.ofTimeDifferenceAndGrace('10s', '1m'); // records ≤ 10 s apart share a window
 * ```
 * @throws ConfigError from the factories when the time difference or grace is invalid.
 */
export class SlidingWindows {
  /** Tells the window definitions apart. */
  readonly kind = 'sliding' as const;
  /** The largest difference between two timestamps in one window; windows are `[t - diff, t]`. */
  readonly timeDifferenceMs: number;
  /** How long after a window ends records for it are still accepted (by stream time). */
  readonly graceMs: number;

  private constructor(timeDifferenceMs: number, graceMs: number) {
    checkGraceFits('SlidingWindows', 'time difference', timeDifferenceMs, graceMs);
    this.timeDifferenceMs = timeDifferenceMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  /**
   * Sliding windows of `timeDifference` that drop every record arriving after its windows have
   * ended. A time difference of 0 groups only records with the same timestamp, as in Kafka Streams.
   *
   * @example
   * ```ts
   * SlidingWindows.ofTimeDifferenceWithNoGrace('5s');
   * ```
   * @throws ConfigError when `timeDifference` is negative or malformed.
   */
  static ofTimeDifferenceWithNoGrace(timeDifference: Duration): SlidingWindows {
    return SlidingWindows.ofTimeDifferenceAndGrace(timeDifference, 0);
  }

  /**
   * Sliding windows of `timeDifference` that still accept records up to `grace` after a window ends.
   *
   * @example
   * ```ts
   * SlidingWindows.ofTimeDifferenceAndGrace('5s', '30s');
   * ```
   * @throws ConfigError when `timeDifference` or `grace` is negative or malformed.
   */
  static ofTimeDifferenceAndGrace(timeDifference: Duration, grace: Duration): SlidingWindows {
    return new SlidingWindows(
      durationMs(timeDifference, 'SlidingWindows timeDifference'),
      durationMs(grace, 'SlidingWindows grace'),
    );
  }
}
