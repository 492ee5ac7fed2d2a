/**
 * Suppressed and BufferConfig in Kafka's vocabulary: buffer limits and full-buffer strategies,
 * untilWindowCloses refusing a buffer that emits early, untilTimeLimit, withName, and the lowercase
 * helpers that make `suppress(untilWindowCloses())` read as a sentence.
 */
import { describe, expect, it } from 'vitest';
import { ConfigError, TopologyError } from '../../../src/common/errors.js';
import {
  BufferConfig,
  type StrictBufferConfig,
  Suppressed,
  untilTimeLimit,
  untilWindowCloses,
} from '../../../src/dsl/windows/suppressed.js';

describe('BufferConfig', () => {
  it('maxRecords and maxBytes are bounded and emit early when full, as in Kafka', () => {
    expect({ ...BufferConfig.maxRecords(1000) }).toEqual({
      kind: 'buffer',
      maxRecords: 1000,
      maxBytes: null,
      bufferFullStrategy: 'emit-early',
    });
    expect(BufferConfig.maxBytes(1 << 20)).toMatchObject({ maxRecords: null, maxBytes: 1 << 20 });
    expect(BufferConfig.maxBytes(1).bufferFullStrategy).toBe('emit-early');
  });

  it('unbounded has no limits and shut-down semantics', () => {
    expect({ ...BufferConfig.unbounded() }).toEqual({
      kind: 'buffer',
      maxRecords: null,
      maxBytes: null,
      bufferFullStrategy: 'shut-down',
    });
  });

  it('limits combine, and the strategy switches both ways on a bounded buffer', () => {
    const strict = BufferConfig.maxRecords(10).withMaxBytes(100).shutDownWhenFull();
    expect(strict).toMatchObject({ maxRecords: 10, maxBytes: 100, bufferFullStrategy: 'shut-down' });
    expect(strict.emitEarlyWhenFull()).toMatchObject({
      maxRecords: 10,
      maxBytes: 100,
      bufferFullStrategy: 'emit-early',
    });
    expect(BufferConfig.unbounded().withMaxRecords(5)).toMatchObject({
      maxRecords: 5,
      bufferFullStrategy: 'shut-down',
    });
    expect({ ...BufferConfig.maxRecords(10).withNoBound() }).toEqual({ ...BufferConfig.unbounded() });
  });

  it('every config is frozen, and a change returns a new one', () => {
    const a = BufferConfig.maxRecords(10);
    const b = a.withMaxBytes(50);
    expect(Object.isFrozen(a) && Object.isFrozen(b)).toBe(true);
    expect(a.maxBytes).toBe(null);
  });

  it('refuses emitEarlyWhenFull on an unbounded buffer, which is never full', () => {
    expect(() => BufferConfig.unbounded().emitEarlyWhenFull()).toThrow(
      new TopologyError(
        'An unbounded suppression buffer is never full, so emitEarlyWhenFull() cannot apply to it. Set a ' +
          'limit first, such as BufferConfig.maxRecords(1000) or .withMaxBytes(n), or keep it unbounded.',
      ),
    );
  });

  it('refuses a limit that is not a whole number from 1, pointing to unbounded()', () => {
    for (const n of [0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => BufferConfig.maxRecords(n)).toThrow(ConfigError);
      expect(() => BufferConfig.maxBytes(n)).toThrow(/for no limit use BufferConfig\.unbounded\(\)$/);
      expect(() => BufferConfig.unbounded().withMaxRecords(n)).toThrow(/BufferConfig maxRecords/);
      expect(() => BufferConfig.unbounded().withMaxBytes(n)).toThrow(/BufferConfig maxBytes/);
    }
  });
});

describe('Suppressed', () => {
  it('untilWindowCloses takes a strict buffer and has no time limit', () => {
    const buffer = BufferConfig.maxRecords(100).shutDownWhenFull();
    const s = Suppressed.untilWindowCloses(buffer);
    expect({ ...s }).toEqual({
      kind: 'until-window-closes',
      timeToWaitForMoreEventsMs: null,
      bufferConfig: buffer,
      name: null,
    });
    expect(Object.isFrozen(s)).toBe(true);
  });

  it('untilWindowCloses refuses a buffer that emits early, as its results would not be final', () => {
    const eager = BufferConfig.maxRecords(100) as unknown as StrictBufferConfig; // past the type check
    const expected = new TopologyError(
      'Suppressed.untilWindowCloses needs a buffer that never emits early, or its results would not be ' +
        'final. Use BufferConfig.unbounded(), or a bounded buffer with .shutDownWhenFull(), such as ' +
        'BufferConfig.maxRecords(1000).shutDownWhenFull().',
    );
    expect(() => Suppressed.untilWindowCloses(eager)).toThrow(expected);
    expect(() => untilWindowCloses(eager)).toThrow(expected);
    expect(() => Suppressed.untilWindowCloses(undefined as unknown as StrictBufferConfig)).toThrow(
      TopologyError,
    );
  });

  it('untilTimeLimit takes a duration and any buffer', () => {
    const s = Suppressed.untilTimeLimit('30s', BufferConfig.maxBytes(1024));
    expect(s).toMatchObject({ kind: 'until-time-limit', timeToWaitForMoreEventsMs: 30_000, name: null });
    expect(s.bufferConfig.bufferFullStrategy).toBe('emit-early');
    expect(Suppressed.untilTimeLimit(0, BufferConfig.unbounded()).timeToWaitForMoreEventsMs).toBe(0);
  });

  it('untilTimeLimit refuses a negative or malformed wait and a missing buffer', () => {
    expect(() => Suppressed.untilTimeLimit(-1, BufferConfig.unbounded())).toThrow(
      /^invalid config Suppressed timeToWaitForMoreEvents = -1: /,
    );
    expect(() => Suppressed.untilTimeLimit('1x', BufferConfig.unbounded())).toThrow(ConfigError);
    expect(() => Suppressed.untilTimeLimit('1s', undefined as unknown as BufferConfig)).toThrow(
      /needs a BufferConfig/,
    );
  });

  it('withName returns a named copy and refuses an empty name', () => {
    const s = untilWindowCloses();
    const named = s.withName('final-counts');
    expect(named.name).toBe('final-counts');
    expect(named.kind).toBe('until-window-closes');
    expect(s.name).toBe(null);
    expect(Object.isFrozen(named)).toBe(true);
    expect(() => s.withName('')).toThrow(
      new TopologyError('A name given to Suppressed.withName must be a non-empty string.'),
    );
  });
});

describe('the lowercase helpers', () => {
  it('untilWindowCloses() uses an unbounded buffer unless given one', () => {
    expect(untilWindowCloses()).toMatchObject({
      kind: 'until-window-closes',
      bufferConfig: { maxRecords: null, maxBytes: null, bufferFullStrategy: 'shut-down' },
    });
    const strict = BufferConfig.maxBytes(10).shutDownWhenFull();
    expect(untilWindowCloses(strict).bufferConfig).toBe(strict);
  });

  it('untilTimeLimit(...) uses an unbounded buffer unless given one', () => {
    expect(untilTimeLimit('1m')).toMatchObject({
      kind: 'until-time-limit',
      timeToWaitForMoreEventsMs: 60_000,
      bufferConfig: { maxRecords: null, maxBytes: null },
    });
    expect(untilTimeLimit(5, BufferConfig.maxRecords(3)).bufferConfig.maxRecords).toBe(3);
  });
});
