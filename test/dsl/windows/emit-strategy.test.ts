/**
 * EmitStrategy: the two strategies as frozen data, and every window definition re-exported from the
 * DSL's entry point.
 */
import { describe, expect, it } from 'vitest';
import * as dsl from '../../../src/dsl/index.js';
import { EmitStrategy } from '../../../src/dsl/windows/emit-strategy.js';

describe('EmitStrategy', () => {
  it('onWindowUpdate and onWindowClose are frozen, distinct kinds', () => {
    const update = EmitStrategy.onWindowUpdate();
    const close = EmitStrategy.onWindowClose();
    expect(update).toEqual({ kind: 'on-window-update' });
    expect(close).toEqual({ kind: 'on-window-close' });
    expect(Object.isFrozen(update) && Object.isFrozen(close) && Object.isFrozen(EmitStrategy)).toBe(true);
  });
});

describe('the DSL entry point', () => {
  it('re-exports the window, suppression and duration definitions', () => {
    for (const name of [
      'TimeWindows',
      'SlidingWindows',
      'SessionWindows',
      'JoinWindows',
      'Suppressed',
      'BufferConfig',
      'EmitStrategy',
      'untilWindowCloses',
      'untilTimeLimit',
      'durationMs',
      'formatDuration',
    ]) {
      expect(dsl, name).toHaveProperty(name);
    }
    expect(dsl.TimeWindows.ofSizeAndGrace('1m', '10s').retentionMs).toBe(70_000);
    expect(dsl.untilWindowCloses().kind).toBe('until-window-closes');
  });
});
