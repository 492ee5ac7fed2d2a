import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AssertionFailedError } from '../../../src/common/errors.js';
import type { TimerHandle } from '../../../src/runtime/actor/clock.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';

const START_MS = 1_700_000_000_000;

describe('SimulatedClock time', () => {
  it('starts at the given wall time with monotonic time at zero, and stands still until advanced', () => {
    const clock = new SimulatedClock(START_MS);
    expect(clock.nowMs()).toBe(START_MS);
    expect(clock.monotonicMs()).toBe(0);
    expect(clock.nowMs()).toBe(START_MS);
    clock.advance(250);
    expect(clock.nowMs()).toBe(START_MS + 250);
    expect(clock.monotonicMs()).toBe(250);
    clock.advanceTo(START_MS + 1000);
    expect(clock.nowMs()).toBe(START_MS + 1000);
    expect(clock.monotonicMs()).toBe(1000);
  });

  it('starts at zero by default', () => {
    expect(new SimulatedClock().nowMs()).toBe(0);
  });

  it('refuses a non-finite start time', () => {
    expect(() => new SimulatedClock(Number.NaN)).toThrow(AssertionFailedError);
    expect(() => new SimulatedClock(Number.POSITIVE_INFINITY)).toThrow(AssertionFailedError);
  });

  it('never moves back: advance by a negative amount or advanceTo an earlier time asserts', () => {
    const clock = new SimulatedClock(100);
    expect(() => clock.advance(-1)).toThrow(AssertionFailedError);
    expect(() => clock.advanceTo(99)).toThrow(AssertionFailedError);
    expect(() => clock.advance(Number.NaN)).toThrow(AssertionFailedError);
    expect(() => clock.advanceTo(Number.NaN)).toThrow(AssertionFailedError);
    expect(clock.nowMs()).toBe(100);
    clock.advanceTo(100); // standing still is allowed
    expect(clock.nowMs()).toBe(100);
  });

  it('time seen from callbacks and after each advance never decreases, even when a callback advances the clock', () => {
    const clock = new SimulatedClock();
    const seen: number[] = [];
    clock.setTimer(10, () => {
      seen.push(clock.nowMs());
      clock.advance(100); // a callback that "sleeps" past the outer target
      seen.push(clock.nowMs());
    });
    clock.setTimer(20, () => seen.push(clock.nowMs()));
    clock.advance(50);
    seen.push(clock.nowMs());
    // The inner advance fires the timer at 20 on its way to 110; the outer one must not pull time
    // back to its own target of 50.
    expect(seen).toEqual([10, 20, 110, 110]);
    clock.advance(1);
    expect(clock.nowMs()).toBe(111);
  });
});

describe('SimulatedClock timers', () => {
  it('fires a timer at its own due time, not at the end of the advance', () => {
    const clock = new SimulatedClock(START_MS);
    const firedAt: number[] = [];
    clock.setTimer(50, () => firedAt.push(clock.nowMs()));
    clock.advance(100);
    expect(firedAt).toEqual([START_MS + 50]);
    expect(clock.nowMs()).toBe(START_MS + 100);
  });

  it('does not fire a timer before its due time, and fires it when time reaches it exactly', () => {
    const clock = new SimulatedClock();
    let fired = 0;
    clock.setTimer(30, () => fired++);
    clock.advance(29);
    expect(fired).toBe(0);
    clock.advance(1);
    expect(fired).toBe(1);
    clock.advance(1000);
    expect(fired).toBe(1); // once only
  });

  it('fires a zero or negative delay at the current time on the next advance, even advance(0)', () => {
    const clock = new SimulatedClock(5);
    const firedAt: number[] = [];
    clock.setTimer(0, () => firedAt.push(clock.nowMs()));
    clock.setTimer(-10, () => firedAt.push(clock.nowMs()));
    expect(firedAt).toEqual([]); // setTimer never runs a callback synchronously
    clock.advance(0);
    expect(firedAt).toEqual([5, 5]);
  });

  it('refuses a NaN delay', () => {
    const clock = new SimulatedClock();
    expect(() => clock.setTimer(Number.NaN, () => {})).toThrow(AssertionFailedError);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('fires timers with equal deadlines in the order they were set', () => {
    const clock = new SimulatedClock();
    const order: string[] = [];
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']) clock.setTimer(10, () => order.push(name));
    clock.advance(10);
    expect(order).toEqual(['a', 'b', 'c', 'd', 'e', 'f', 'g', 'h']);
  });

  it('fires a timer set inside a callback when it falls within the window, at its own due time', () => {
    const clock = new SimulatedClock();
    const log: string[] = [];
    clock.setTimer(10, () => {
      log.push(`outer@${clock.nowMs()}`);
      clock.setTimer(15, () => log.push(`inner@${clock.nowMs()}`));
      clock.setTimer(0, () => log.push(`immediate@${clock.nowMs()}`));
      clock.setTimer(500, () => log.push(`late@${clock.nowMs()}`));
    });
    clock.setTimer(20, () => log.push(`other@${clock.nowMs()}`));
    clock.advance(100);
    expect(log).toEqual(['outer@10', 'immediate@10', 'other@20', 'inner@25']);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(410);
    expect(log.at(-1)).toBe('late@510');
  });

  it('a cancelled timer never fires and no longer counts as pending', () => {
    const clock = new SimulatedClock();
    let fired = 0;
    const handle = clock.setTimer(10, () => fired++);
    clock.setTimer(20, () => {});
    expect(clock.pendingTimers()).toBe(2);
    handle.cancel();
    expect(clock.pendingTimers()).toBe(1);
    expect(clock.nextTimerMs()).toBe(20);
    clock.advance(100);
    expect(fired).toBe(0);
    expect(clock.pendingTimers()).toBe(0);
  });

  it('cancelling a timer that already fired, or cancelling twice, is harmless', () => {
    const clock = new SimulatedClock();
    let fired = 0;
    const handle = clock.setTimer(1, () => fired++);
    clock.advance(1);
    handle.cancel();
    handle.cancel();
    clock.advance(10);
    expect(fired).toBe(1);
  });

  it('a callback can cancel a timer due at the same moment, and it does not fire', () => {
    const clock = new SimulatedClock();
    const order: string[] = [];
    let victim: TimerHandle | undefined;
    clock.setTimer(10, () => {
      order.push('first');
      victim?.cancel();
    });
    victim = clock.setTimer(10, () => order.push('victim'));
    clock.setTimer(10, () => order.push('third'));
    clock.advance(10);
    expect(order).toEqual(['first', 'third']);
  });

  it('a callback that throws propagates, leaving time at its due time and later timers pending', () => {
    const clock = new SimulatedClock();
    let later = 0;
    clock.setTimer(5, () => {
      throw new Error('boom');
    });
    clock.setTimer(8, () => later++);
    expect(() => clock.advance(10)).toThrow('boom');
    expect(clock.nowMs()).toBe(5);
    expect(clock.pendingTimers()).toBe(1);
    clock.advance(5);
    expect(later).toBe(1);
  });
});

describe('SimulatedClock nextTimerMs and runNext', () => {
  it('nextTimerMs is undefined with no timers and the earliest live due time otherwise', () => {
    const clock = new SimulatedClock(1000);
    expect(clock.nextTimerMs()).toBeUndefined();
    const early = clock.setTimer(5, () => {});
    clock.setTimer(30, () => {});
    clock.setTimer(12, () => {});
    expect(clock.nextTimerMs()).toBe(1005);
    early.cancel();
    expect(clock.nextTimerMs()).toBe(1012);
    expect(clock.nowMs()).toBe(1000); // asking does not move time
  });

  it('runNext returns false and leaves time alone when nothing is pending', () => {
    const clock = new SimulatedClock(7);
    expect(clock.runNext()).toBe(false);
    clock.setTimer(3, () => {}).cancel();
    expect(clock.runNext()).toBe(false);
    expect(clock.nowMs()).toBe(7);
  });

  it('runNext fires exactly one timer, the earliest, moving time to its due time', () => {
    const clock = new SimulatedClock();
    const order: string[] = [];
    clock.setTimer(20, () => order.push(`b@${clock.nowMs()}`));
    clock.setTimer(10, () => order.push(`a@${clock.nowMs()}`));
    clock.setTimer(10, () => order.push(`a2@${clock.nowMs()}`));
    expect(clock.runNext()).toBe(true);
    expect(order).toEqual(['a@10']);
    expect(clock.nowMs()).toBe(10);
    expect(clock.runNext()).toBe(true);
    expect(order).toEqual(['a@10', 'a2@10']);
    expect(clock.runNext()).toBe(true);
    expect(order).toEqual(['a@10', 'a2@10', 'b@20']);
    expect(clock.nowMs()).toBe(20);
    expect(clock.runNext()).toBe(false);
  });

  it('runNext does not fire a zero-delay timer that its callback sets; the next runNext does', () => {
    const clock = new SimulatedClock();
    const order: string[] = [];
    clock.setTimer(4, () => {
      order.push('parent');
      clock.setTimer(0, () => order.push('child'));
    });
    clock.runNext();
    expect(order).toEqual(['parent']);
    clock.runNext();
    expect(order).toEqual(['parent', 'child']);
    expect(clock.nowMs()).toBe(4);
  });
});

// --- Model-based property: the clock against a sorted list -------------------------------------

type Op =
  | { kind: 'set'; delayMs: number; childDelayMs: number | null }
  | { kind: 'cancel'; pick: number }
  | { kind: 'advance'; ms: number }
  | { kind: 'runNext' };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant('set' as const),
      delayMs: fc.integer({ min: -5, max: 60 }),
      childDelayMs: fc.option(fc.integer({ min: 0, max: 40 }), { nil: null }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('cancel' as const), pick: fc.nat() }) },
  {
    weight: 2,
    arbitrary: fc.record({ kind: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 50 }) }),
  },
  { weight: 1, arbitrary: fc.constant({ kind: 'runNext' as const }) },
);

interface ModelTimer {
  id: number;
  dueMs: number;
  seq: number;
  childDelayMs: number | null;
}

/** The specification, written plainly: pending timers in a list, the next one found by sorting. */
class ClockModel {
  nowMs: number;
  pending: ModelTimer[] = [];
  fired: Array<[id: number, atMs: number]> = [];
  private seq = 0;
  private nextId = 0;

  constructor(startMs: number) {
    this.nowMs = startMs;
  }

  set(delayMs: number, childDelayMs: number | null): number {
    const id = this.nextId++;
    this.pending.push({ id, dueMs: this.nowMs + Math.max(0, delayMs), seq: this.seq++, childDelayMs });
    return id;
  }

  cancel(id: number): void {
    this.pending = this.pending.filter((t) => t.id !== id);
  }

  next(): ModelTimer | undefined {
    return [...this.pending].sort((a, b) => a.dueMs - b.dueMs || a.seq - b.seq)[0];
  }

  fire(timer: ModelTimer): void {
    this.cancel(timer.id);
    this.nowMs = timer.dueMs;
    this.fired.push([timer.id, timer.dueMs]);
    if (timer.childDelayMs !== null) this.set(timer.childDelayMs, null);
  }

  advanceTo(targetMs: number): void {
    for (let t = this.next(); t !== undefined && t.dueMs <= targetMs; t = this.next()) this.fire(t);
    this.nowMs = targetMs;
  }
}

describe('SimulatedClock against a model', () => {
  it('fires timers in deadline order, ties in set order, each seeing its own due time as now', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(opArb, { maxLength: 80 }),
        (startMs, ops) => {
          const clock = new SimulatedClock(startMs);
          const model = new ClockModel(startMs);
          const fired: Array<[number, number]> = [];
          const handles: TimerHandle[] = [];

          const set = (delayMs: number, childDelayMs: number | null): void => {
            const id = model.set(delayMs, childDelayMs);
            handles[id] = clock.setTimer(delayMs, () => {
              fired.push([id, clock.nowMs()]);
              if (childDelayMs !== null) {
                // Mirror the model's child timer; ids line up because both count the same way.
                const childId = handles.length;
                handles[childId] = clock.setTimer(childDelayMs, () => fired.push([childId, clock.nowMs()]));
              }
            });
          };

          for (const op of ops) {
            switch (op.kind) {
              case 'set':
                set(op.delayMs, op.childDelayMs);
                break;
              case 'cancel': {
                if (handles.length === 0) break;
                const id = op.pick % handles.length;
                handles[id]!.cancel();
                model.cancel(id);
                break;
              }
              case 'advance':
                clock.advance(op.ms);
                model.advanceTo(model.nowMs + op.ms);
                break;
              case 'runNext': {
                const next = model.next();
                expect(clock.runNext()).toBe(next !== undefined);
                if (next !== undefined) model.fire(next);
                break;
              }
            }
            expect(fired).toEqual(model.fired);
            expect(clock.nowMs()).toBe(model.nowMs);
            expect(clock.monotonicMs()).toBe(model.nowMs - startMs);
            expect(clock.pendingTimers()).toBe(model.pending.length);
            expect(clock.nextTimerMs()).toBe(model.next()?.dueMs);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('after advancing past every deadline, all timers have fired in sorted (due, set order) order', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 60 }), (delays) => {
        const clock = new SimulatedClock();
        const fired: Array<[index: number, atMs: number]> = [];
        for (const [i, d] of delays.entries()) clock.setTimer(d, () => fired.push([i, clock.nowMs()]));
        clock.advance(20);
        const expected = delays
          .map((d, i) => [i, d] as [number, number])
          .sort((a, b) => a[1] - b[1] || a[0] - b[0]);
        expect(fired).toEqual(expected);
      }),
    );
  });
});
