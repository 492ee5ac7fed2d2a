/**
 * TimeWindows: tumbling and hopping windows with grace, as frozen data, their validation, and
 * windowsFor against a brute-force scan of every window start (small timestamps) and an exact BigInt
 * scan near the window that holds the timestamp (timestamps up to 2^53). A property failure prints
 * fast-check's seed and path; replay with `{ seed, path }` in the fc.assert options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.js';

describe('TimeWindows factories', () => {
  it('ofSizeWithNoGrace makes tumbling windows without grace', () => {
    const w = TimeWindows.ofSizeWithNoGrace('1m');
    expect(w).toMatchObject({
      kind: 'time',
      sizeMs: 60_000,
      advanceMs: 60_000,
      graceMs: 0,
      retentionMs: 60_000,
    });
  });

  it('ofSizeAndGrace keeps the grace, and the retention is size plus grace', () => {
    const w = TimeWindows.ofSizeAndGrace('1m', '10s');
    expect(w).toMatchObject({ kind: 'time', sizeMs: 60_000, advanceMs: 60_000, graceMs: 10_000 });
    expect(w.retentionMs).toBe(70_000);
  });

  it('advanceBy makes hopping windows with the same size and grace, leaving the original unchanged', () => {
    const tumbling = TimeWindows.ofSizeAndGrace(300, 20);
    const hopping = tumbling.advanceBy(100);
    expect(hopping).toMatchObject({ sizeMs: 300, advanceMs: 100, graceMs: 20, retentionMs: 320 });
    expect(tumbling.advanceMs).toBe(300);
    expect(hopping).not.toBe(tumbling);
    expect(hopping).toBeInstanceOf(TimeWindows);
  });

  it('an advance equal to the size gives tumbling windows', () => {
    expect(TimeWindows.ofSizeWithNoGrace('5m').advanceBy('5m').advanceMs).toBe(300_000);
  });

  it('is frozen plain data', () => {
    const w = TimeWindows.ofSizeAndGrace(10, 1).advanceBy(5);
    expect(Object.isFrozen(w)).toBe(true);
    expect(() => {
      (w as { sizeMs: number }).sizeMs = 1;
    }).toThrow(TypeError);
    expect({ ...w }).toEqual({ kind: 'time', sizeMs: 10, advanceMs: 5, graceMs: 1, retentionMs: 11 });
  });
});

describe('TimeWindows validation', () => {
  it('refuses a zero size, saying a window must last at least 1 ms', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(0)).toThrow(
      new ConfigError(
        'TimeWindows size',
        0,
        "a window size greater than zero, such as 60000 or '1m'; a window must last at least 1 ms",
      ),
    );
  });

  it('refuses a negative, fractional or malformed size', () => {
    for (const size of [-1, 0.5, '1.5m', 'one minute']) {
      expect(() => TimeWindows.ofSizeWithNoGrace(size)).toThrow(/^invalid config TimeWindows size = /);
    }
  });

  it('refuses a negative or malformed grace', () => {
    expect(() => TimeWindows.ofSizeAndGrace('1m', -1)).toThrow(/^invalid config TimeWindows grace = -1: /);
    expect(() => TimeWindows.ofSizeAndGrace('1m', '-10s')).toThrow(ConfigError);
  });

  it('refuses a size plus grace beyond the largest safe integer', () => {
    expect(() => TimeWindows.ofSizeAndGrace(Number.MAX_SAFE_INTEGER, 1)).toThrow(
      /TimeWindows grace = 1: expected a grace period that, added to the window size/,
    );
  });

  it('refuses an advance larger than the size, saying to leave advanceBy out for tumbling windows', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace('1m').advanceBy('2m')).toThrow(
      new ConfigError(
        'TimeWindows advance',
        '2m',
        'an advance greater than zero and at most the window size 60000 ms; an advance larger than the ' +
          'size would leave gaps no window covers (leave advanceBy out for tumbling windows)',
      ),
    );
  });

  it('refuses a zero or negative advance', () => {
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(0)).toThrow(/TimeWindows advance = 0/);
    expect(() => TimeWindows.ofSizeWithNoGrace(10).advanceBy(-5)).toThrow(/TimeWindows advance = -5/);
  });
});

describe('TimeWindows.windowsFor', () => {
  it('puts a timestamp in exactly one tumbling window, its start included and its end excluded', () => {
    const w = TimeWindows.ofSizeWithNoGrace(10);
    expect(w.windowsFor(0)).toEqual([0]);
    expect(w.windowsFor(9)).toEqual([0]);
    expect(w.windowsFor(10)).toEqual([10]);
    expect(w.windowsFor(25)).toEqual([20]);
  });

  it('puts a timestamp in size / advance hopping windows once past the first window', () => {
    const w = TimeWindows.ofSizeWithNoGrace(10).advanceBy(5);
    expect(w.windowsFor(12)).toEqual([5, 10]);
    expect(w.windowsFor(15)).toEqual([10, 15]);
    expect(w.windowsFor(3)).toEqual([0]);
    expect(TimeWindows.ofSizeWithNoGrace('5m').advanceBy('1m').windowsFor(600_000)).toEqual([
      360_000, 420_000, 480_000, 540_000, 600_000,
    ]);
  });

  it('handles an advance that does not divide the size', () => {
    const w = TimeWindows.ofSizeWithNoGrace(10).advanceBy(3);
    expect(w.windowsFor(11)).toEqual([3, 6, 9]);
  });

  it('puts a negative timestamp in no window (starts are never negative)', () => {
    expect(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5).windowsFor(-1)).toEqual([]);
  });

  it('equals a brute-force scan of every window start from 0', () => {
    fc.assert(
      fc.property(
        fc
          .integer({ min: 1, max: 200 })
          .chain((size) =>
            fc.tuple(
              fc.constant(size),
              fc.integer({ min: 1, max: size }),
              fc.integer({ min: -50, max: 5_000 }),
            ),
          ),
        ([size, advance, t]) => {
          const expected: number[] = [];
          for (let start = 0; start <= t; start += advance) {
            if (start <= t && t < start + size) expected.push(start);
          }
          expect(TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance).windowsFor(t)).toEqual(expected);
        },
      ),
      { numRuns: 1_000 },
    );
  });

  it('equals an exact BigInt scan for timestamps and sizes up to 2^53', () => {
    const big = fc
      .integer({ min: 1, max: 50 })
      .chain((ratio) =>
        fc.record({
          advance: fc.integer({ min: 1, max: Math.floor(Number.MAX_SAFE_INTEGER / ratio) }),
          ratio: fc.constant(ratio),
          less: fc.integer({ min: 0, max: 1_000_000 }),
          t: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
        }),
      )
      .map(({ advance, ratio, less, t }) => ({
        advance,
        size: Math.max(advance, advance * ratio - less),
        t,
      }));
    fc.assert(
      fc.property(big, ({ advance, size, t }) => {
        // Every k with k*a <= t < k*a + size lies in [t/a - size/a - 1, t/a] (integer division).
        const [a, s, tb] = [BigInt(advance), BigInt(size), BigInt(t)];
        const kMax = tb / a;
        const kMin = kMax - s / a - 1n > 0n ? kMax - s / a - 1n : 0n;
        const expected: number[] = [];
        for (let k = kMin; k <= kMax; k++) {
          if (k * a <= tb && tb < k * a + s) expected.push(Number(k * a));
        }
        expect(TimeWindows.ofSizeWithNoGrace(size).advanceBy(advance).windowsFor(t)).toEqual(expected);
      }),
      { numRuns: 1_000 },
    );
  });
});
