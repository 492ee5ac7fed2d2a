/** The streams runtime: executes a Topology. */
export { DeserializationError } from './deserialization-error.js';
export { InvalidTimestampError } from './invalid-timestamp-error.js';
export { memoryStoreFactory } from './memory-store-factory.js';
export {
  type ObjectSinkCallback,
  type SinkCallback,
  StreamTask,
  type StreamTaskOptions,
} from './stream-task.js';
export { SuppressionBufferFullError } from './suppression-buffer-full-error.js';
export type { StoreFactory } from './task-context.js';
