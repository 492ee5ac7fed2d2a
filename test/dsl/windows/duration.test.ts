/**
 * Durations: numbers are milliseconds, strings an integer with a unit; anything else is refused
 * with a ConfigError that lists the accepted forms. Properties check that every unit string parses
 * to its milliseconds and that formatDuration round-trips. A failure prints fast-check's seed and
 * path; replay with `{ seed, path }` in the fc.assert options.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import {
  DURATION_UNITS_MS,
  type DurationUnit,
  durationMs,
  formatDuration,
  signedDurationMs,
} from '../../../src/dsl/windows/duration.js';

const UNITS = Object.keys(DURATION_UNITS_MS) as DurationUnit[];

describe('durationMs', () => {
  it.each([
    [0, 0],
    [250, 250],
    [Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
    ['0ms', 0],
    ['250ms', 250],
    ['10s', 10_000],
    ['1m', 60_000],
    ['2h', 7_200_000],
    ['1d', 86_400_000],
    ['007s', 7_000],
  ] as const)('reads %j as %d ms', (d, ms) => {
    expect(durationMs(d, 'test')).toBe(ms);
  });

  it('reads -0 as 0', () => {
    expect(Object.is(durationMs(-0, 'test'), 0)).toBe(true);
  });

  it.each([
    -1,
    1.5,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.MAX_SAFE_INTEGER + 1,
    '',
    '10',
    'ms',
    '1.5s',
    '1 s',
    ' 1s',
    '1M',
    '1S',
    '-1s',
    '+1s',
    '1e3ms',
    '1w',
    '9007199254740993ms',
    '104249991375d',
  ])('refuses %j with a ConfigError naming the accepted forms', (d) => {
    expect(() => durationMs(d, 'TimeWindows size')).toThrow(ConfigError);
    expect(() => durationMs(d, 'TimeWindows size')).toThrow(
      /^invalid config TimeWindows size = .*: expected a whole number of milliseconds from 0 to 9007199254740991, or a string of digits followed by a unit ms, s, m, h or d, such as '250ms', '10s', '1m', '2h' or '1d'$/,
    );
  });

  it('refuses a value that is neither a number nor a string (from plain JavaScript)', () => {
    expect(() => durationMs(undefined as unknown as number, 'grace')).toThrow(ConfigError);
    expect(() => durationMs(null as unknown as number, 'grace')).toThrow(ConfigError);
    expect(() => durationMs(10n as unknown as number, 'grace')).toThrow(ConfigError);
  });

  it('names what the duration is for in the error key', () => {
    try {
      durationMs('soon', 'SessionWindows grace');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).key).toBe('SessionWindows grace');
      expect((e as ConfigError).message).toContain('= "soon"');
    }
  });
});

describe('signedDurationMs', () => {
  it('accepts negative numbers and strings starting with a minus sign', () => {
    expect(signedDurationMs(-3, 'before')).toBe(-3);
    expect(signedDurationMs('-5s', 'before')).toBe(-5000);
    expect(signedDurationMs('5s', 'before')).toBe(5000);
    expect(Object.is(signedDurationMs('-0ms', 'before'), 0)).toBe(true);
  });

  it('refuses malformed strings and fractions, saying negative values are allowed', () => {
    for (const d of ['--5s', '- 5s', '-1.5s', -0.5]) {
      expect(() => signedDurationMs(d, 'before')).toThrow(/optionally negative \(such as -5000 or '-5s'\)$/);
    }
  });
});

describe('formatDuration', () => {
  it.each([
    [0, '0ms'],
    [1, '1ms'],
    [1_500, '1500ms'],
    [90_000, '90s'],
    [60_000, '1m'],
    [7_200_000, '2h'],
    [172_800_000, '2d'],
  ])('spells %d ms as %s', (ms, s) => {
    expect(formatDuration(ms)).toBe(s);
  });

  it('refuses what is not a duration', () => {
    expect(() => formatDuration(-1)).toThrow(ConfigError);
  });
});

describe('duration properties', () => {
  it('an integer with a unit parses to the integer times the unit, and its negation to minus that', () => {
    fc.assert(
      fc.property(fc.constantFrom(...UNITS), fc.nat(), (unit, n) => {
        const ms = n * DURATION_UNITS_MS[unit];
        fc.pre(Number.isSafeInteger(ms));
        expect(durationMs(`${n}${unit}`, 'test')).toBe(ms);
        expect(signedDurationMs(`-${n}${unit}`, 'test')).toBe(n === 0 ? 0 : -ms);
      }),
      { numRuns: 500 },
    );
  });

  it('formatDuration round-trips through durationMs and gives the shortest spelling', () => {
    const anyMs = fc.oneof(
      fc.nat({ max: 10_000_000 }),
      fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
      fc.tuple(fc.constantFrom(...UNITS), fc.nat({ max: 100_000 })).map(([u, n]) => n * DURATION_UNITS_MS[u]),
    );
    fc.assert(
      fc.property(anyMs, (ms) => {
        const s = formatDuration(ms);
        expect(durationMs(s, 'test')).toBe(ms);
        expect(durationMs(ms, 'test')).toBe(ms);
        // Shortest: no longer unit divides the value exactly.
        const unit = /[a-z]+$/.exec(s)![0] as DurationUnit;
        for (const longer of UNITS.filter((u) => DURATION_UNITS_MS[u] > DURATION_UNITS_MS[unit])) {
          expect(ms > 0 && ms % DURATION_UNITS_MS[longer] === 0).toBe(false);
        }
      }),
      { numRuns: 500 },
    );
  });

  it('any string that is not digits followed by a unit is refused', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 8 }), (s) => {
        fc.pre(!/^\d+(ms|s|m|h|d)$/.test(s));
        expect(() => durationMs(s, 'test')).toThrow(ConfigError);
      }),
      { numRuns: 500 },
    );
  });
});
