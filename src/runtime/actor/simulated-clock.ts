/**
 * Virtual time for tests and the simulated cluster: time stands still until the caller advances
 * it, and timers fire in deadline order (ties in the order they were set) during `advance`.
 */
import { assert } from '../../common/assert.js';
import type { Clock, TimerHandle } from './clock.js';

interface PendingTimer {
  dueMs: number;
  seq: number;
  callback: () => void;
  cancelled: boolean;
}

/**
 * A Clock whose time moves only when told.
 *
 * @example
 * ```ts
 * const clock = new SimulatedClock(1_700_000_000_000);
 * clock.setTimer(50, () => fired.push(clock.nowMs()));
 * clock.advance(100); // fires the timer at +50, ends at +100
 * ```
 */
export class SimulatedClock implements Clock {
  private now: number;
  private readonly start: number;
  private seq = 0;
  // A binary heap ordered by (dueMs, seq): timers fire deterministically.
  private readonly heap: PendingTimer[] = [];

  constructor(startMs = 0) {
    assert(Number.isFinite(startMs), 'start time is finite');
    this.now = startMs;
    this.start = startMs;
  }

  nowMs(): number {
    return this.now;
  }

  monotonicMs(): number {
    return this.now - this.start;
  }

  setTimer(delayMs: number, callback: () => void): TimerHandle {
    // A NaN due time would compare false with everything and drag the clock to NaN when it fired.
    assert(!Number.isNaN(delayMs), 'timer delay is a number');
    const timer: PendingTimer = {
      dueMs: this.now + Math.max(0, delayMs),
      seq: this.seq++,
      callback,
      cancelled: false,
    };
    this.push(timer);
    return {
      cancel: () => {
        timer.cancelled = true;
      },
    };
  }

  /** The number of timers not yet fired or cancelled. */
  pendingTimers(): number {
    return this.heap.filter((t) => !t.cancelled).length;
  }

  /** The due time of the next live timer, or undefined if none. */
  nextTimerMs(): number | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0]?.dueMs;
  }

  /**
   * Moves time forward by `ms`, firing every timer that falls due on the way, at its own due time.
   * Timers set by callbacks fire too if they fall within the window.
   */
  advance(ms: number): void {
    assert(ms >= 0, 'virtual time only moves forward');
    this.advanceTo(this.now + ms);
  }

  /** Moves time forward to `targetMs` (see `advance`). */
  advanceTo(targetMs: number): void {
    assert(targetMs >= this.now, 'virtual time only moves forward');
    for (;;) {
      const due = this.nextTimerMs();
      if (due === undefined || due > targetMs) break;
      this.fireNext();
    }
    // A callback may itself have advanced the clock past targetMs; time never goes back.
    this.now = Math.max(this.now, targetMs);
  }

  /**
   * Fires the next live timer only (not others due at the same time), moving time to its due
   * time; returns false if there is none.
   */
  runNext(): boolean {
    if (this.nextTimerMs() === undefined) return false;
    this.fireNext();
    return true;
  }

  // Fires the heap's top timer, which the caller has checked is live.
  private fireNext(): void {
    const timer = this.pop()!;
    this.now = Math.max(this.now, timer.dueMs);
    timer.callback();
  }

  private push(timer: PendingTimer): void {
    const heap = this.heap;
    heap.push(timer);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): PendingTimer | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last !== undefined) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && before(heap[l]!, heap[m]!)) m = l;
        if (r < heap.length && before(heap[r]!, heap[m]!)) m = r;
        if (m === i) break;
        [heap[i], heap[m]] = [heap[m]!, heap[i]!];
        i = m;
      }
    }
    return top;
  }
}

function before(a: PendingTimer, b: PendingTimer): boolean {
  return a.dueMs < b.dueMs || (a.dueMs === b.dueMs && a.seq < b.seq);
}
