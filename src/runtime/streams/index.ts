/** The streams runtime: executes a Topology. */
export { type AppDefinition, defineApp, loadAppDefinition } from './define-app.js';
export { DeserializationError } from './deserialization-error.js';
export { DLQ_HEADERS, type ErrorHandlerPolicy, ProcessingError } from './error-handling.js';
export { InvalidTimestampError } from './invalid-timestamp-error.js';
export { memoryStoreFactory } from './memory-store-factory.js';
export { ProductionError } from './production-error.js';
export type { StandbyUpdateEvent, StandbyUpdateListener } from './standby-events.js';
export {
  type ObjectSinkCallback,
  type SinkCallback,
  StreamTask,
  type StreamTaskOptions,
} from './stream-task.js';
export type { StreamTaskState } from './stream-task-machine.js';
export type { StreamThreadMetrics, StreamThreadState, TaskStatus } from './stream-thread.js';
export { createStreamsApp, StreamsApp, type StreamsAppOptions } from './streams-app.js';
export type { StreamsAppState } from './streams-app-state.js';
export { type RecordErrorPolicy, resolveStreamsConfig, type StreamsConfig } from './streams-config.js';
export { SuppressionBufferFullError } from './suppression-buffer-full-error.js';
export type { StoreFactory } from './task-context.js';
export type { ThreadHandle } from './thread-handle.js';
