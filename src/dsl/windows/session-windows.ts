/**
 * Session windows (Kafka Streams 4.x `SessionWindows`): per-key windows of activity that close
 * after an inactivity gap. Records less than a gap apart join one session; a record that bridges two
 * sessions merges them. Pure data: the runtime creates and merges the sessions.
 */
import { ConfigError } from '../../common/errors.js';
import { checkGraceFits, type Duration, durationMs } from './duration.js';

/**
 * Activity sessions separated by an inactivity gap, with a grace period.
 *
 * @example
 * ```ts
 * const visits = SessionWindows.ofInactivityGapAndGrace('30m', '1m'); // 30 min of quiet ends a visit
 * ```
 * @throws ConfigError from the factories when the gap or grace is invalid.
 */
export class SessionWindows {
  /** Tells the window definitions apart. */
  readonly kind = 'session' as const;
  /** The longest quiet time inside one session; a record further away starts a new session. */
  readonly gapMs: number;
  /** How long after a session ends records for it are still accepted (by stream time). */
  readonly graceMs: number;

  private constructor(gapMs: number, graceMs: number) {
    checkGraceFits('SessionWindows', 'inactivity gap', gapMs, graceMs);
    this.gapMs = gapMs;
    this.graceMs = graceMs;
    Object.freeze(this);
  }

  /**
   * Sessions closed by `inactivityGap`, dropping every record that arrives after its session ended.
   *
   * @example
   * ```ts
   * SessionWindows.ofInactivityGapWithNoGrace('5m');
   * ```
   * @throws ConfigError when `inactivityGap` is not a duration greater than zero.
   */
  static ofInactivityGapWithNoGrace(inactivityGap: Duration): SessionWindows {
    return SessionWindows.ofInactivityGapAndGrace(inactivityGap, 0);
  }

  /**
   * Sessions closed by `inactivityGap` that still accept records up to `grace` after a session ends.
   *
   * @example
   * ```ts
   * SessionWindows.ofInactivityGapAndGrace('5m', '30s');
   * ```
   * @throws ConfigError when `inactivityGap` is not greater than zero or `grace` is negative or
   * malformed.
   */
  static ofInactivityGapAndGrace(inactivityGap: Duration, grace: Duration): SessionWindows {
    const gapMs = durationMs(inactivityGap, 'SessionWindows inactivityGap');
    if (gapMs === 0) {
      throw new ConfigError(
        'SessionWindows inactivityGap',
        inactivityGap,
        "an inactivity gap greater than zero, such as 300000 or '5m'; with no gap every record " +
          'would be a session of its own',
      );
    }
    return new SessionWindows(gapMs, durationMs(grace, 'SessionWindows grace'));
  }
}
