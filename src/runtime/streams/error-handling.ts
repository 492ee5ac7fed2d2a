/**
 * What a task does with a record it cannot handle (Kafka's deserialization, processing and
 * production exception handlers, KIP-1033/KIP-1034): fail the task (the default), log it and go
 * on, or send the input record as it came to a dead-letter topic with headers that say where it
 * came from and why it failed. Dropped records are counted either way.
 */
import { MillraceError } from '../../common/errors.js';
import type { Header } from '../../dsl/stream-record.js';

/**
 * A handler's policy.
 *
 * @example
 * ```ts
 * const handler: ErrorHandlerPolicy = { deadLetterTopic: 'page-views-dlq' };
 * ```
 */
export type ErrorHandlerPolicy = 'fail' | 'log-and-continue' | { readonly deadLetterTopic: string };

/** Header names of a dead-letter record, as Kafka Streams writes them (KIP-1034). */
export const DLQ_HEADERS = Object.freeze({
  exception: '__streams.errors.exception',
  message: '__streams.errors.message',
  topic: '__streams.errors.topic',
  partition: '__streams.errors.partition',
  offset: '__streams.errors.offset',
});

const encoder = new TextEncoder();

/**
 * The headers of a dead-letter record: the input's own headers, then where it came from and why
 * it failed.
 *
 * @example
 * ```ts
 * const headers = deadLetterHeaders(error, 'page-views', 2, 1041, record.headers);
 * ```
 * @throws nothing.
 */
export function deadLetterHeaders(
  error: unknown,
  topic: string,
  partition: number,
  offset: number,
  original: readonly Header[],
): Header[] {
  const cause = error instanceof MillraceError && error.cause !== undefined ? error.cause : error;
  const name = cause instanceof Error ? cause.name : typeof cause;
  const message = error instanceof Error ? error.message : String(error);
  return [
    ...original,
    { key: DLQ_HEADERS.exception, value: encoder.encode(name) },
    { key: DLQ_HEADERS.message, value: encoder.encode(message) },
    { key: DLQ_HEADERS.topic, value: encoder.encode(topic) },
    { key: DLQ_HEADERS.partition, value: encoder.encode(String(partition)) },
    { key: DLQ_HEADERS.offset, value: encoder.encode(String(offset)) },
  ];
}

/**
 * A user function threw while processing a record (and the handler is `fail`).
 *
 * @example
 * ```ts
 * throw new ProcessingError('page-views', 0, 42, cause);
 * ```
 */
export class ProcessingError extends MillraceError {
  constructor(
    readonly topic: string,
    readonly partition: number,
    readonly offset: number,
    cause: unknown,
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      'PROCESSING',
      `Processing the record at ${topic}-${partition} offset ${offset} failed: ${reason}. Fix the topology's function, or set processingErrorHandler to 'log-and-continue' or { deadLetterTopic } to skip such records.`,
      false,
      { cause },
    );
  }
}

/**
 * Whether an error thrown while processing is the record's fault (a user function or a serializer)
 * rather than the runtime's (a store failing, a broken topology), which always fails the task.
 *
 * @example
 * ```ts
 * if (!isRecordError(error)) throw error;
 * ```
 * @throws nothing.
 */
export function isRecordError(error: unknown): boolean {
  return !(error instanceof MillraceError) || error.code === 'SERIALIZATION_ERROR';
}
