/**
 * JoinWindows: symmetric and asymmetric windows as frozen data (before/after return new objects),
 * negative boundaries as long as the window does not end before it starts, and `joins` against its
 * definition t1 - before <= t2 <= t1 + after. A property failure prints fast-check's seed and path;
 * replay with `{ seed, path }` in the fc.assert options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { JoinWindows } from '../../../src/dsl/windows/join-windows.js';

describe('JoinWindows', () => {
  it('ofTimeDifferenceWithNoGrace is symmetric without grace', () => {
    const w = JoinWindows.ofTimeDifferenceWithNoGrace('10s');
    expect({ ...w }).toEqual({ kind: 'join', beforeMs: 10_000, afterMs: 10_000, graceMs: 0 });
    expect(Object.isFrozen(w)).toBe(true);
  });

  it('ofTimeDifferenceAndGrace keeps the grace', () => {
    expect(JoinWindows.ofTimeDifferenceAndGrace(5, '1m')).toMatchObject({
      beforeMs: 5,
      afterMs: 5,
      graceMs: 60_000,
    });
  });

  it('before and after return new frozen windows and leave the original unchanged', () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace('10s', 7);
    const shifted = w.before('2s').after(0);
    expect({ ...shifted }).toEqual({ kind: 'join', beforeMs: 2_000, afterMs: 0, graceMs: 7 });
    expect(Object.isFrozen(shifted)).toBe(true);
    expect(w.beforeMs).toBe(10_000);
    expect(w.afterMs).toBe(10_000);
  });

  it('accepts a negative boundary that shifts the window, as Kafka does', () => {
    const laterOnly = JoinWindows.ofTimeDifferenceWithNoGrace(10).before('-5ms');
    expect(laterOnly.beforeMs).toBe(-5);
    expect(laterOnly.joins(100, 104)).toBe(false);
    expect(laterOnly.joins(100, 105)).toBe(true);
    expect(laterOnly.joins(100, 110)).toBe(true);
    expect(laterOnly.joins(100, 111)).toBe(false);
  });

  it('refuses a boundary that makes the window end before it starts', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(10).after(-11)).toThrow(
      new ConfigError(
        'JoinWindows after',
        -11,
        'a time difference that keeps beforeMs + afterMs at least 0 (now before 10 ms, after -11 ms); a ' +
          'negative boundary may shift the window, but the window must not end before it starts',
      ),
    );
    expect(JoinWindows.ofTimeDifferenceWithNoGrace(10).after(-10).afterMs).toBe(-10);
  });

  it('refuses a negative or malformed time difference or grace, naming which', () => {
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(/JoinWindows timeDifference = -1/);
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(1, '-1s')).toThrow(/JoinWindows grace = "-1s"/);
    expect(() => JoinWindows.ofTimeDifferenceWithNoGrace(1).before('5 s')).toThrow(/JoinWindows before/);
    expect(() => JoinWindows.ofTimeDifferenceAndGrace(Number.MAX_SAFE_INTEGER, 0)).toThrow(
      /stays at most 9007199254740991 ms/,
    );
  });

  it('joins t1 and t2 exactly when t1 - before <= t2 <= t1 + after', () => {
    const bounds = fc
      .tuple(fc.integer({ min: -1_000, max: 1_000 }), fc.integer({ min: -1_000, max: 1_000 }))
      .filter(([b, a]) => b + a >= 0);
    fc.assert(
      fc.property(
        bounds,
        fc.nat({ max: 100_000 }),
        fc.integer({ min: -3_000, max: 3_000 }),
        ([b, a], t1, d) => {
          // Start wide so the intermediate window (before 1000, after a) is valid too.
          const w = JoinWindows.ofTimeDifferenceWithNoGrace(1_000).after(a).before(b);
          const t2 = t1 + d;
          expect(w.joins(t1, t2)).toBe(t1 - b <= t2 && t2 <= t1 + a);
        },
      ),
      { numRuns: 1_000 },
    );
  });
});
