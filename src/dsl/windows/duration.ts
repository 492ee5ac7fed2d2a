/**
 * Durations in the DSL: a number of milliseconds, or an integer with a unit (`'250ms'`, `'10s'`,
 * `'1m'`, `'2h'`, `'1d'`). Strings read like the windows they define (`ofSizeAndGrace('1m', '10s')`);
 * everything is converted to whole milliseconds once, at build time, so the runtime only sees numbers.
 */
import { ConfigError } from '../../common/errors.js';

/**
 * A length of time: a number is milliseconds; a string is an integer followed by `ms`, `s`, `m`, `h`
 * or `d`.
 *
 * @example
 * ```ts
 * const size: Duration = '1m'; // the same as 60_000
 * ```
 */
export type Duration = number | string;

/**
 * The units a duration string may carry, with their length in milliseconds.
 *
 * @example
 * ```ts
 * DURATION_UNITS_MS.h; // 3_600_000
 * ```
 */
export const DURATION_UNITS_MS = Object.freeze({ ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 });

/**
 * A unit of a duration string.
 *
 * @example
 * ```ts
 * const unit: DurationUnit = 's';
 * ```
 */
export type DurationUnit = keyof typeof DURATION_UNITS_MS;

// Longest unit first, so formatDuration picks the shortest spelling.
const UNITS_DESCENDING: readonly DurationUnit[] = ['d', 'h', 'm', 's', 'ms'];
const PATTERN = /^(-?)(\d+)(ms|s|m|h|d)$/;
const ACCEPTED =
  'a whole number of milliseconds from 0 to 9007199254740991, or a string of digits followed by a unit ' +
  "ms, s, m, h or d, such as '250ms', '10s', '1m', '2h' or '1d'";
const ACCEPTED_SIGNED = `${ACCEPTED}, optionally negative (such as -5000 or '-5s')`;

/**
 * Converts a duration to whole milliseconds.
 *
 * @param d the duration: a number of milliseconds or a string such as `'10s'`.
 * @param what what the duration is for, named in the error (such as `'TimeWindows size'`).
 * @example
 * ```ts
 * durationMs('1m', 'TimeWindows size'); // 60000
 * durationMs(250, 'TimeWindows grace'); // 250
 * ```
 * @throws ConfigError when `d` is negative, not a whole number, larger than `Number.MAX_SAFE_INTEGER`
 * milliseconds, or a string of another form (`'1.5s'`, `'1 m'`, `'1M'`, `'-1s'`).
 */
export function durationMs(d: Duration, what: string): number {
  const ms = parse(d);
  if (ms === undefined || ms < 0) throw new ConfigError(what, d, ACCEPTED);
  return ms;
}

/**
 * Like `durationMs`, but a duration may be negative (a number below 0 or a string starting with
 * `-`). Only the boundaries of join windows take negative values, as in Kafka Streams.
 *
 * @example
 * ```ts
 * signedDurationMs('-5s', 'JoinWindows before'); // -5000
 * ```
 * @throws ConfigError when `d` is not a whole number of milliseconds within ±`Number.MAX_SAFE_INTEGER`
 * or a string of another form.
 */
export function signedDurationMs(d: Duration, what: string): number {
  const ms = parse(d);
  if (ms === undefined) throw new ConfigError(what, d, ACCEPTED_SIGNED);
  return ms;
}

/**
 * Spells milliseconds as the shortest duration string: the longest unit that divides it exactly.
 * `durationMs(formatDuration(ms), …)` gives back `ms`.
 *
 * @example
 * ```ts
 * formatDuration(90_000); // '90s'
 * formatDuration(7_200_000); // '2h'
 * formatDuration(1_500); // '1500ms'
 * ```
 * @throws ConfigError when `ms` is not a valid duration (see `durationMs`).
 */
export function formatDuration(ms: number): string {
  durationMs(ms, 'formatDuration milliseconds');
  for (const unit of UNITS_DESCENDING) {
    const unitMs = DURATION_UNITS_MS[unit];
    if (ms % unitMs === 0 && (ms > 0 || unit === 'ms')) return `${ms / unitMs}${unit}`;
  }
  return `${ms}ms`; // unreachable: every integer is a multiple of 1 ms
}

/** Whole milliseconds, possibly negative, or undefined when `d` is not a duration. */
function parse(d: unknown): number | undefined {
  if (typeof d === 'number') return Number.isSafeInteger(d) ? d + 0 : undefined; // + 0 turns -0 into 0
  if (typeof d !== 'string') return undefined;
  const match = PATTERN.exec(d);
  if (match === null) return undefined;
  const [, sign, digits, unit] = match as unknown as [string, string, string, DurationUnit];
  const ms = Number(digits) * DURATION_UNITS_MS[unit];
  // Digits past 2^53 lose precision in Number(); the result would no longer be what was written.
  if (!Number.isSafeInteger(ms) || !Number.isSafeInteger(Number(digits))) return undefined;
  return sign === '-' ? -ms + 0 : ms;
}

/**
 * Refuses a grace period that, added to a window's own span, leaves the safe-integer range (window
 * ends plus grace are compared with stream time).
 *
 * @example
 * ```ts
 * checkGraceFits('SessionWindows', 'inactivity gap', gapMs, graceMs);
 * ```
 * @throws ConfigError naming `<owner> grace` when `spanMs + graceMs` exceeds Number.MAX_SAFE_INTEGER.
 */
export function checkGraceFits(owner: string, span: string, spanMs: number, graceMs: number): void {
  if (spanMs + graceMs <= Number.MAX_SAFE_INTEGER) return;
  throw new ConfigError(
    `${owner} grace`,
    graceMs,
    `a grace period that, added to the ${span} ${spanMs} ms, stays at most ` +
      `${Number.MAX_SAFE_INTEGER} ms; choose a shorter grace period`,
  );
}
