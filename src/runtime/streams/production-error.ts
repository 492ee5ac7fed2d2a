/**
 * Errors producing an output record (Kafka Streams' ProductionExceptionHandler, with its
 * serialization hook): an output serializer that refuses a value, or a record the producer refuses
 * on its own (larger than maxRequestSize or bufferMemory). Such an error is the record's, so the
 * task's production handler decides: fail, skip the output, or also write the input record to a
 * dead-letter topic (KIP-1034). Anything else (a transaction in error, a closed producer) is the
 * runtime's and always fails.
 */
import { MillraceError } from '../../common/errors.js';

/**
 * An output record could not be produced, and the production handler is `fail`.
 *
 * @example
 * ```ts
 * throw new ProductionError('page-counts', 'page-views', 2, 1041, cause);
 * ```
 */
export class ProductionError extends MillraceError {
  constructor(
    /** Where the output was going. */
    readonly outputTopic: string,
    /** The input record being processed (none in a punctuation: topic '' and offset -1). */
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const from = offset >= 0 ? ` while processing ${topic}-${partition} offset ${offset}` : '';
    super(
      'PRODUCTION',
      `Producing a record to ${outputTopic}${from} failed: ${reason}. Fix the output serde (or the record's size), or set productionExceptionHandler to 'log-and-continue' or { deadLetterTopic } to skip such records.`,
      false,
      { cause },
    );
  }
}

/**
 * Whether an error from producing an output is the record's fault (a serializer, its size) rather
 * than the runtime's.
 *
 * @example
 * ```ts
 * if (!isProductionRecordError(error)) throw error;
 * ```
 * @throws nothing.
 */
export function isProductionRecordError(error: unknown): boolean {
  if (!(error instanceof MillraceError)) return true;
  return error.code === 'SERIALIZATION_ERROR' || error.code === 'RECORD_TOO_LARGE';
}
