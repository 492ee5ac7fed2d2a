/** The error a source raises when a record's key or value cannot be deserialized. */
import { MillraceError } from '../../common/errors.js';

/**
 * A record whose key or value bytes its source's serde rejects. With the default handler the task
 * fails; with `log-and-continue` the record is dropped and counted.
 *
 * @example
 * ```ts
 * throw new DeserializationError('orders', 0, 42, 'value', cause);
 * ```
 */
export class DeserializationError extends MillraceError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    readonly part: 'key' | 'value',
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'DESERIALIZATION',
      `Could not deserialize the ${part} of the record at ${topic}-${partition} offset ${offset}: ${reason}. Fix the producer or the source's serde, or set deserializationErrorHandler: 'log-and-continue' to skip such records.`,
      false,
      { cause },
    );
  }
}
