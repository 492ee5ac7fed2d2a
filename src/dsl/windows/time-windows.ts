/**
 * Tumbling and hopping windows (Kafka Streams 4.x `TimeWindows`): fixed-size windows
 * `[start, start + size)` aligned to the epoch, whose starts are the multiples of the advance. A
 * tumbling window advances by its size, so each timestamp falls in exactly one window; a hopping
 * window advances by less, so windows overlap. Pure data: the runtime interprets it.
 */
import { ConfigError } from '../../common/errors.js';
import { checkGraceFits, type Duration, durationMs } from './duration.js';

/**
 * Fixed-size, epoch-aligned windows with a grace period for out-of-order records.
 *
 * @example
 * ```ts
 * const tumbling = TimeWindows.ofSizeAndGrace('1m', '10s');
 * const hopping = TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m');
 * hopping.windowsFor(90_000); // [0, 60000]
 * ```
 * @throws ConfigError from the factories when a size, advance or grace is invalid.
 */
export class TimeWindows {
  /** Tells the window definitions apart. */
  readonly kind = 'time' as const;
  /** The length of every window in milliseconds; windows are `[start, start + sizeMs)`. */
  readonly sizeMs: number;
  /** The distance between consecutive window starts; equal to `sizeMs` for tumbling windows. */
  readonly advanceMs: number;
  /** How long after a window ends records for it are still accepted (by stream time). */
  readonly graceMs: number;
  /** The least time a window store must keep a window: `sizeMs + graceMs`. */
  readonly retentionMs: number;

  private constructor(sizeMs: number, advanceMs: number, graceMs: number) {
    checkGraceFits('TimeWindows', 'window size', sizeMs, graceMs);
    this.sizeMs = sizeMs;
    this.advanceMs = advanceMs;
    this.graceMs = graceMs;
    this.retentionMs = sizeMs + graceMs;
    Object.freeze(this);
  }

  /**
   * Tumbling windows of `size` that drop every record arriving after its window has ended.
   *
   * @example
   * ```ts
   * TimeWindows.ofSizeWithNoGrace('1m'); // [0, 60000), [60000, 120000), …
   * ```
   * @throws ConfigError when `size` is not a duration greater than zero.
   */
  static ofSizeWithNoGrace(size: Duration): TimeWindows {
    return TimeWindows.ofSizeAndGrace(size, 0);
  }

  /**
   * Tumbling windows of `size` that still accept records up to `grace` after the window ends.
   *
   * @example
   * ```ts
   * TimeWindows.ofSizeAndGrace('1m', '10s');
   * ```
   * @throws ConfigError when `size` is not greater than zero or `grace` is negative or malformed.
   */
  static ofSizeAndGrace(size: Duration, grace: Duration): TimeWindows {
    const sizeMs = durationMs(size, 'TimeWindows size');
    if (sizeMs === 0) {
      throw new ConfigError(
        'TimeWindows size',
        size,
        "a window size greater than zero, such as 60000 or '1m'; a window must last at least 1 ms",
      );
    }
    return new TimeWindows(sizeMs, sizeMs, durationMs(grace, 'TimeWindows grace'));
  }

  /**
   * Hopping windows: the same size and grace, with a new window starting every `advance`.
   *
   * @example
   * ```ts
   * TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m'); // every timestamp is in 5 windows
   * ```
   * @throws ConfigError when `advance` is zero or larger than the window size.
   */
  advanceBy(advance: Duration): TimeWindows {
    const advanceMs = durationMs(advance, 'TimeWindows advance');
    if (advanceMs === 0 || advanceMs > this.sizeMs) {
      throw new ConfigError(
        'TimeWindows advance',
        advance,
        `an advance greater than zero and at most the window size ${this.sizeMs} ms; an advance ` +
          'larger than the size would leave gaps no window covers (leave advanceBy out for tumbling windows)',
      );
    }
    return new TimeWindows(this.sizeMs, advanceMs, this.graceMs);
  }

  /**
   * The start times of every window that contains `timestampMs`, ascending. A window starting at
   * `s` contains `t` when `s <= t < s + sizeMs`; starts are the non-negative multiples of
   * `advanceMs`, so a negative timestamp is in no window.
   *
   * @example
   * ```ts
   * TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(12); // [5, 10]
   * ```
   */
  windowsFor(timestampMs: number): number[] {
    // The first window holding t is the lowest multiple of advance above t - size, that is
    // t - size + advance rounded down to a multiple of advance (Kafka's formula); then every
    // advance up to t.
    let start = Math.max(0, timestampMs - this.sizeMs + this.advanceMs);
    start -= start % this.advanceMs;
    const starts: number[] = [];
    for (; start <= timestampMs; start += this.advanceMs) starts.push(start);
    return starts;
  }
}
