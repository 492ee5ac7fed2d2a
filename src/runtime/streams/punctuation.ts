/**
 * Punctuation schedules of one task, with Kafka Streams' timing: stream-time punctuators are aligned
 * to multiples of their interval from 0 and fire on the first record that reaches the next multiple;
 * wall-clock punctuators first fire one interval after they were scheduled. Either fires once for a
 * jump over several intervals (missed ones are skipped, not replayed) and is handed the current
 * time, not the scheduled one.
 */
import { ConfigError } from '../../common/errors.js';
import type { Cancellable, PunctuationType } from '../../dsl/processor-api.js';

interface Schedule {
  readonly anchorMs: number;
  nextMs: number;
  readonly intervalMs: number;
  readonly callback: (timestampMs: number) => void;
  cancelled: boolean;
}

/**
 * The punctuators of one task.
 *
 * @example
 * ```ts
 * const punctuation = new Punctuation();
 * punctuation.schedule(1_000, 'stream-time', (t) => emit(t), 0);
 * punctuation.punctuate('stream-time', 2_500); // fires once, with 2500
 * ```
 * @throws ConfigError from `schedule` for an interval that is not a positive integer.
 */
export class Punctuation {
  private readonly byType: Record<PunctuationType, Schedule[]> = { 'stream-time': [], 'wall-clock-time': [] };

  /** True when some punctuator of `type` is scheduled. */
  has(type: PunctuationType): boolean {
    return this.byType[type].length > 0;
  }

  /** Adds a punctuator; `nowMs` is the wall clock's time (ignored for stream time). */
  schedule(
    intervalMs: number,
    type: PunctuationType,
    callback: (timestampMs: number) => void,
    nowMs: number,
  ): Cancellable {
    if (!Number.isSafeInteger(intervalMs) || intervalMs < 1) {
      throw new ConfigError('punctuation interval', intervalMs, 'a whole number of milliseconds, at least 1');
    }
    const anchorMs = type === 'stream-time' ? 0 : nowMs;
    const schedule: Schedule = {
      anchorMs,
      nextMs: type === 'stream-time' ? 0 : nowMs + intervalMs,
      intervalMs,
      callback,
      cancelled: false,
    };
    const list = this.byType[type];
    list.push(schedule);
    return {
      cancel: () => {
        schedule.cancelled = true;
        const at = list.indexOf(schedule);
        if (at >= 0) list.splice(at, 1);
      },
    };
  }

  /** Fires every punctuator of `type` that is due at `timeMs`; returns how many fired. */
  punctuate(type: PunctuationType, timeMs: number): number {
    let fired = 0;
    // A punctuator may schedule or cancel others: iterate over a snapshot.
    for (const s of [...this.byType[type]]) {
      if (s.cancelled || timeMs < s.nextMs) continue;
      const missed = Math.floor((timeMs - s.anchorMs) / s.intervalMs);
      s.nextMs = s.anchorMs + (missed + 1) * s.intervalMs;
      fired++;
      s.callback(timeMs);
    }
    return fired;
  }
}
