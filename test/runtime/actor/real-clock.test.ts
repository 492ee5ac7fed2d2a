/**
 * The real clock's zero-delay timer means "after pending I/O and expired timers", not "at the next
 * event": a loop that yields with setTimer(0) between rounds must not sleep until some unrelated
 * timer or message wakes the process (an unreferenced immediate did: libuv's poll phase blocked,
 * and a stream thread's worker sat idle half the time).
 */
import { describe, expect, it } from 'vitest';
import { realClock } from '../../../src/runtime/actor/real-clock.js';

describe('RealClock.setTimer(0)', () => {
  it('runs a chain of zero-delay rounds without waiting for a pending timer', async () => {
    const rounds = 200;
    let done = 0;
    let timerFired = false;
    // The only other event source: a referenced timer far off. A zero-delay round that waited
    // for the next event would run at most once before it.
    const far = setTimeout(() => {
      timerFired = true;
    }, 2000);
    await new Promise<void>((resolve) => {
      const round = () => {
        done++;
        if (done === rounds) resolve();
        else realClock.setTimer(0, round);
      };
      realClock.setTimer(0, round);
    });
    clearTimeout(far);
    expect(done).toBe(rounds);
    expect(timerFired).toBe(false);
  });

  it('cancels a zero-delay timer before it runs', async () => {
    let ran = false;
    realClock
      .setTimer(0, () => {
        ran = true;
      })
      .cancel();
    await new Promise<void>((resolve) => setImmediate(resolve));
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(ran).toBe(false);
  });
});
