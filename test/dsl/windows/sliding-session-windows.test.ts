/**
 * SlidingWindows and SessionWindows: their factories as frozen data, and a readable ConfigError for
 * every invalid time difference, gap and grace.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/common/errors.js';
import { SessionWindows } from '../../../src/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../src/dsl/windows/sliding-windows.js';

describe('SlidingWindows', () => {
  it('ofTimeDifferenceWithNoGrace sets the time difference and no grace', () => {
    const w = SlidingWindows.ofTimeDifferenceWithNoGrace('5s');
    expect({ ...w }).toEqual({ kind: 'sliding', timeDifferenceMs: 5_000, graceMs: 0 });
    expect(Object.isFrozen(w)).toBe(true);
  });

  it('ofTimeDifferenceAndGrace keeps the grace', () => {
    expect(SlidingWindows.ofTimeDifferenceAndGrace(100, '1m')).toMatchObject({
      kind: 'sliding',
      timeDifferenceMs: 100,
      graceMs: 60_000,
    });
  });

  it('allows a zero time difference (records with equal timestamps), as Kafka does', () => {
    expect(SlidingWindows.ofTimeDifferenceWithNoGrace(0).timeDifferenceMs).toBe(0);
  });

  it('refuses a negative or malformed time difference or grace, naming which', () => {
    expect(() => SlidingWindows.ofTimeDifferenceWithNoGrace(-1)).toThrow(
      /^invalid config SlidingWindows timeDifference = -1: expected a whole number of milliseconds/,
    );
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace('5s', '1.5s')).toThrow(
      /^invalid config SlidingWindows grace = "1.5s": /,
    );
    expect(() => SlidingWindows.ofTimeDifferenceAndGrace(Number.MAX_SAFE_INTEGER, 1)).toThrow(ConfigError);
  });
});

describe('SessionWindows', () => {
  it('ofInactivityGapWithNoGrace sets the gap and no grace', () => {
    const w = SessionWindows.ofInactivityGapWithNoGrace('5m');
    expect({ ...w }).toEqual({ kind: 'session', gapMs: 300_000, graceMs: 0 });
    expect(Object.isFrozen(w)).toBe(true);
  });

  it('ofInactivityGapAndGrace keeps the grace', () => {
    expect(SessionWindows.ofInactivityGapAndGrace('30m', '30s')).toMatchObject({
      gapMs: 1_800_000,
      graceMs: 30_000,
    });
  });

  it('refuses a zero gap, saying every record would be a session of its own', () => {
    expect(() => SessionWindows.ofInactivityGapWithNoGrace('0s')).toThrow(
      new ConfigError(
        'SessionWindows inactivityGap',
        '0s',
        "an inactivity gap greater than zero, such as 300000 or '5m'; with no gap every record would be a " +
          'session of its own',
      ),
    );
  });

  it('refuses a negative gap or grace, naming which', () => {
    expect(() => SessionWindows.ofInactivityGapWithNoGrace(-5)).toThrow(/SessionWindows inactivityGap = -5/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(5, -5)).toThrow(/SessionWindows grace = -5/);
    expect(() => SessionWindows.ofInactivityGapAndGrace(Number.MAX_SAFE_INTEGER, 1)).toThrow(
      /added to the inactivity gap/,
    );
  });
});
