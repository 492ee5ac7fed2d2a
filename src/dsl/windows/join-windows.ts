/**
 * Join windows (Kafka Streams 4.x `JoinWindows`) for stream-stream joins: how far apart in time
 * two records may be and still join. Seen from the left stream, a right record at `t2` joins a left
 * record at `t1` when `t1 - beforeMs <= t2 <= t1 + afterMs`. Pure data: the runtime performs the join.
 */
import { ConfigError } from '../../common/errors.js';
import { type Duration, durationMs, signedDurationMs } from './duration.js';

/**
 * The time range of a stream-stream join, symmetric or not, with a grace period.
 *
 * @example
 * ```ts
 * const near = JoinWindows.ofTimeDifferenceAndGrace('5m', '1m'); // t2 in [t1 - 5m, t1 + 5m]
 * const onlyLater = JoinWindows.ofTimeDifferenceWithNoGrace('5m').before(0); // [t1, t1 + 5m]
 * ```
 * @throws ConfigError from the factories when a time difference or grace is invalid.
 */
export class JoinWindows {
  /** Tells the window definitions apart. */
  readonly kind = 'join' as const;
  /** How much earlier than a left record a right record may be (negative: must be later). */
  readonly beforeMs: number;
  /** How much later than a left record a right record may be (negative: must be earlier). */
  readonly afterMs: number;
  /** How long after a window ends records for it are still accepted (by stream time). */
  readonly graceMs: number;

  private constructor(beforeMs: number, afterMs: number, graceMs: number, what: string, given: Duration) {
    // Kafka's rule: the window may be shifted either way, but must not end before it starts.
    if (beforeMs + afterMs < 0) {
      throw new ConfigError(
        `JoinWindows ${what}`,
        given,
        `a time difference that keeps beforeMs + afterMs at least 0 (now before ${beforeMs} ms, after ` +
          `${afterMs} ms); a negative boundary may shift the window, but the window must not end before it starts`,
      );
    }
    if (Math.abs(beforeMs) + Math.abs(afterMs) + graceMs > Number.MAX_SAFE_INTEGER) {
      throw new ConfigError(
        `JoinWindows ${what}`,
        given,
        `durations whose sum (before, after and grace) stays at most ${Number.MAX_SAFE_INTEGER} ms`,
      );
    }
    this.beforeMs = beforeMs;
    this.afterMs = afterMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  /**
   * Joins records at most `timeDifference` apart, either way, and drops late records at once.
   *
   * @example
   * ```ts
   * JoinWindows.ofTimeDifferenceWithNoGrace('10s'); // t2 in [t1 - 10s, t1 + 10s]
   * ```
   * @throws ConfigError when `timeDifference` is negative or malformed.
   */
  static ofTimeDifferenceWithNoGrace(timeDifference: Duration): JoinWindows {
    return JoinWindows.ofTimeDifferenceAndGrace(timeDifference, 0);
  }

  /**
   * Joins records at most `timeDifference` apart, either way, accepting records up to `grace` late.
   *
   * @example
   * ```ts
   * JoinWindows.ofTimeDifferenceAndGrace('10s', '1m');
   * ```
   * @throws ConfigError when `timeDifference` or `grace` is negative or malformed.
   */
  static ofTimeDifferenceAndGrace(timeDifference: Duration, grace: Duration): JoinWindows {
    const diffMs = durationMs(timeDifference, 'JoinWindows timeDifference');
    const graceMs = durationMs(grace, 'JoinWindows grace');
    return new JoinWindows(diffMs, diffMs, graceMs, 'timeDifference', timeDifference);
  }

  /**
   * The same window with a new lower bound: a right record may be up to `timeDifference` earlier than
   * the left one. It may be negative (`'-5s'`) to require the right record to be later, as long as
   * `before + after` stays at least 0.
   *
   * @example
   * ```ts
   * JoinWindows.ofTimeDifferenceWithNoGrace('10s').before('2s'); // t2 in [t1 - 2s, t1 + 10s]
   * ```
   * @throws ConfigError when `timeDifference` is malformed or makes `before + after` negative.
   */
  before(timeDifference: Duration): JoinWindows {
    const beforeMs = signedDurationMs(timeDifference, 'JoinWindows before');
    return new JoinWindows(beforeMs, this.afterMs, this.graceMs, 'before', timeDifference);
  }

  /**
   * The same window with a new upper bound: a right record may be up to `timeDifference` later than
   * the left one. It may be negative (`'-5s'`) to require the right record to be earlier, as long as
   * `before + after` stays at least 0.
   *
   * @example
   * ```ts
   * JoinWindows.ofTimeDifferenceWithNoGrace('10s').after(0); // t2 in [t1 - 10s, t1]
   * ```
   * @throws ConfigError when `timeDifference` is malformed or makes `before + after` negative.
   */
  after(timeDifference: Duration): JoinWindows {
    const afterMs = signedDurationMs(timeDifference, 'JoinWindows after');
    return new JoinWindows(this.beforeMs, afterMs, this.graceMs, 'after', timeDifference);
  }

  /**
   * Whether a right record at `otherTimestampMs` joins a left record at `timestampMs`:
   * `timestampMs - beforeMs <= otherTimestampMs <= timestampMs + afterMs`. For the right stream's
   * view, swap the arguments.
   *
   * @example
   * ```ts
   * JoinWindows.ofTimeDifferenceWithNoGrace(10).before(2).joins(100, 97); // false: 3 ms earlier
   * ```
   */
  joins(timestampMs: number, otherTimestampMs: number): boolean {
    return timestampMs - this.beforeMs <= otherTimestampMs && otherTimestampMs <= timestampMs + this.afterMs;
  }
}
