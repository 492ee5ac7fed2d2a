/** The error a source raises when a record's extracted timestamp is negative. */
import { MillraceError } from '../../common/errors.js';

/**
 * A record whose timestamp (as extracted) is negative: windows and stream time cannot place it.
 * With the default handler the task fails; with `log-and-skip` the record is dropped and counted.
 *
 * @example
 * ```ts
 * throw new InvalidTimestampError('orders', 0, 42, -1);
 * ```
 */
export class InvalidTimestampError extends MillraceError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly timestampMs: number,
  ) {
    super(
      'INVALID_TIMESTAMP',
      `The record at ${topic}-${partition} offset ${offset} has timestamp ${timestampMs}, which is negative. Fix the producer or the source's timestamp extractor, or set invalidTimestampHandler: 'log-and-skip' to drop such records.`,
      false,
    );
  }
}
