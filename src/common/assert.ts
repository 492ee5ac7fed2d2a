import { AssertionFailedError } from './errors.js';

/**
 * Checks an invariant of millrace's own code. A failure is a bug: it throws
 * AssertionFailedError, which supervision treats as a crash, never as bad input.
 *
 * @example
 * ```ts
 * assert(nextOffset >= baseOffset, 'offsets go forward');
 * ```
 * @throws AssertionFailedError when `condition` is false.
 */
export function assert(condition: unknown, message: string): asserts condition {
  if (!condition) throw new AssertionFailedError(message);
}
