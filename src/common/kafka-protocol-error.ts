/**
 * The base of Kafka's protocol errors and their wire form, in a file of their own so the error
 * families (kafka-errors.ts, transaction-errors.ts) can both extend it without importing each other.
 */
import { MillraceError } from './errors.js';

/**
 * An error as it crosses the network: Kafka's code, a message, and whether to retry. */
export interface WireError {
  readonly errorCode: number;
  readonly name: string;
  readonly message: string;
  readonly retriable: boolean;
}

/**
 * An error of Kafka's protocol.
 *
 * @example
 * ```ts
 * if (err instanceof KafkaProtocolError && err.retriable) await refreshMetadataAndRetry();
 * ```
 */
export class KafkaProtocolError extends MillraceError {
  /**
   * Kafka's numeric error code. */
  readonly errorCode: number;

  constructor(errorCode: number, code: string, message: string, retriable: boolean) {
    super(code, message, retriable);
    this.errorCode = errorCode;
  }
}
