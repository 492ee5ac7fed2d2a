/** The streams runtime: executes a Topology. */
export { DeserializationError } from './deserialization-error.js';
export {
  type ObjectSinkCallback,
  type SinkCallback,
  StreamTask,
  type StreamTaskOptions,
} from './stream-task.js';
