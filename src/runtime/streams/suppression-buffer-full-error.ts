/** The error a suppress processor raises when its bounded shut-down buffer is full. */
import { MillraceError } from '../../common/errors.js';

/**
 * A suppression buffer configured with `shutDownWhenFull()` reached its record or byte limit.
 * Raising it stops the task rather than emit a result that is not final.
 *
 * @example
 * ```ts
 * throw new SuppressionBufferFullError('KTABLE-SUPPRESS-0000000004', 1000, 1000, null, 52_000);
 * ```
 */
export class SuppressionBufferFullError extends MillraceError {
  constructor(
    readonly processor: string,
    readonly records: number,
    readonly maxRecords: number | null,
    readonly maxBytes: number | null,
    readonly bytes: number,
  ) {
    const limit = [
      maxRecords === null ? null : `maxRecords ${maxRecords}`,
      maxBytes === null ? null : `maxBytes ${maxBytes}`,
    ]
      .filter((x) => x !== null)
      .join(', ');
    super(
      'SUPPRESSION_BUFFER_FULL',
      `The suppression buffer of '${processor}' is full (${records} records, ${bytes} bytes; limit ${limit}) and is set to shut down when full. Raise the limit (BufferConfig.maxRecords / withMaxBytes), use BufferConfig.unbounded(), shorten the grace period or time limit so entries leave sooner, or — for untilTimeLimit only — use emitEarlyWhenFull().`,
      false,
    );
  }
}
