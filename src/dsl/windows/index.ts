/** Window, join-window, emit-strategy and suppression definitions of the DSL (plain, frozen data). */
export {
  DURATION_UNITS_MS,
  type Duration,
  type DurationUnit,
  durationMs,
  formatDuration,
  signedDurationMs,
} from './duration.js';
export { EmitStrategy } from './emit-strategy.js';
export { JoinWindows } from './join-windows.js';
export { SessionWindows } from './session-windows.js';
export { SlidingWindows } from './sliding-windows.js';
export {
  BufferConfig,
  type BufferFullStrategy,
  type EagerBufferConfig,
  type StrictBufferConfig,
  Suppressed,
  untilTimeLimit,
  untilWindowCloses,
} from './suppressed.js';
export { TimeWindows } from './time-windows.js';
export { type Window, type Windowed, WindowedSerdes, windowed } from './windowed.js';
