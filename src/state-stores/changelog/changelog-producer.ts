/**
 * The part of a producer a changelogger needs: appending records with a delivery callback. The
 * runtime passes its stream thread's transactional producer, so changelog records commit in the
 * same transaction as the task's outputs and consumed offsets (DESIGN.md §7).
 */
import type { DeliveryCallback, ProducerRecord } from '../../log/client/producer/producer-types.js';

/**
 * What a changelogger sends through. `Producer` from log/client fits as it is.
 *
 * @example
 * ```ts
 * const producer: ChangelogProducer = new Producer(client, clock, random, { transactionalId: 'app-0_1' });
 * ```
 */
export interface ChangelogProducer {
  /** Appends a record; `callback` learns its offset once acknowledged. Resolves once batched. */
  append(record: ProducerRecord, callback?: DeliveryCallback): Promise<void>;
  /** The synchronous fast path, if the producer has one: false means "use append". */
  tryAppend?(record: ProducerRecord, callback?: DeliveryCallback): boolean;
}
