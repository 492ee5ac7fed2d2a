/**
 * One clock timer standing for the earliest of many deadlines: arming it for a later time than it
 * is already set for does nothing, so a producer opening a batch per partition sets a timer only
 * when the new deadline comes first.
 */
import type { Clock, TimerHandle } from '../../../runtime/actor/clock.js';

/**
 * A re-armable timer on monotonic time.
 *
 * @example
 * ```ts
 * const timer = new DeadlineTimer(clock, () => checkDeadlines());
 * timer.schedule(clock.monotonicMs() + lingerMs);
 * ```
 */
export class DeadlineTimer {
  private readonly clock: Clock;
  private readonly onFire: () => void;
  private handle: TimerHandle | undefined;
  private dueMs = Number.POSITIVE_INFINITY;

  constructor(clock: Clock, onFire: () => void) {
    this.clock = clock;
    this.onFire = onFire;
  }

  /**
   * Arms the timer for `dueMs` (on `clock.monotonicMs()`) unless it is already armed for earlier.
   *
   * @example
   * ```ts
   * timer.schedule(batch.createdMs + lingerMs);
   * ```
   */
  schedule(dueMs: number): void {
    if (dueMs >= this.dueMs) return;
    this.handle?.cancel();
    this.dueMs = dueMs;
    this.handle = this.clock.setTimer(dueMs - this.clock.monotonicMs(), this.fire);
  }

  /**
   * Disarms the timer.
   *
   * @example
   * ```ts
   * timer.cancel();
   * ```
   */
  cancel(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.dueMs = Number.POSITIVE_INFINITY;
  }

  private readonly fire = (): void => {
    this.handle = undefined;
    this.dueMs = Number.POSITIVE_INFINITY;
    this.onFire();
  };
}
