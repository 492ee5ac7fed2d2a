/**
 * Shared pieces of the streams assignor's userData encodings: a reader whose failures are
 * StreamsUserDataError, task ids as two INT32s, and the version rule (read any version up to
 * ours; a newer one is read as ours and its extra bytes ignored, Kafka's forward-compatibility
 * rule, so a newer member's subscription still reads during a rolling upgrade).
 */
import { KafkaReader, type KafkaWriter } from '../../../log/coordinator/kafka-binary.js';
import { StreamsUserDataError } from './streams-user-data-error.js';
import type { TaskId } from './task-id.js';

/** A reader of `what`'s bytes that fails with StreamsUserDataError. */
export function userDataReader(bytes: Uint8Array, what: string): KafkaReader {
  return new KafkaReader(bytes, (m) => new StreamsUserDataError(`malformed streams ${what}: ${m}`));
}

/** Reads the version; throws for one below 1 (no such version was ever written). */
export function readUserDataVersion(r: KafkaReader, what: string): number {
  const version = r.int16();
  if (version < 1) throw new StreamsUserDataError(`malformed streams ${what}: version ${version}`);
  return version;
}

/** Trailing bytes in a version we wrote ourselves mean garbage, not a newer layout. */
export function expectEnd(r: KafkaReader, version: number, newest: number, what: string): void {
  if (version <= newest && r.remaining > 0)
    throw new StreamsUserDataError(`malformed streams ${what}: ${r.remaining} trailing bytes`);
}

export function writeTask(w: KafkaWriter, id: TaskId): void {
  w.int32(id.subtopology).int32(id.partition);
}

export function readTask(r: KafkaReader, what: string): TaskId {
  const subtopology = r.int32();
  const partition = r.int32();
  if (subtopology < 0 || partition < 0)
    throw new StreamsUserDataError(`malformed streams ${what}: task ${subtopology}_${partition}`);
  return { subtopology, partition };
}
