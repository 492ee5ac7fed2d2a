/**
 * TraceRecorder keeps how a run began and where it ended up (a failing run's last events are the
 * ones that explain it), says how many events it left out between, and hashes every event.
 */
import { describe, expect, it } from 'vitest';
import type { ActorId } from '../../../src/runtime/actor/actor-event.js';
import { TraceRecorder } from '../../../src/runtime/actor/inspection.js';

const state = (i: number) => ({ kind: 'state' as const, atMs: i, actor: 'n/a' as ActorId, value: `s${i}` });

describe('TraceRecorder', () => {
  it('keeps the first and the last events, and counts those left out', () => {
    const trace = new TraceRecorder(10);
    for (let i = 0; i < 25; i++) trace.record(state(i));
    const lines = trace.text().split('\n');
    const values = lines.map((l) => (l.startsWith('{') ? (JSON.parse(l) as { value: string }).value : l));
    expect(values).toEqual([
      's0',
      's1',
      's2',
      's3',
      's4',
      '… 15 events left out …',
      's20',
      's21',
      's22',
      's23',
      's24',
    ]);
    expect(trace.size).toBe(25);
  });

  it('keeps everything while it fits, and its hash covers every event', () => {
    const a = new TraceRecorder(10);
    const b = new TraceRecorder(4);
    for (let i = 0; i < 7; i++) {
      a.record(state(i));
      b.record(state(i));
    }
    expect(a.text().split('\n')).toHaveLength(7);
    expect(b.hash()).toBe(a.hash());
    b.record(state(7));
    expect(b.hash()).not.toBe(a.hash());
  });
});
