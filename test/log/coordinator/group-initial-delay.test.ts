/**
 * The initial rebalance delay (Kafka group.initial.rebalance.delay.ms) under virtual time: only a
 * group going from empty to preparingRebalance waits; each member joining during the delay extends
 * it by the delay again, never past the rebalance timeout; 0 completes the first generation at once;
 * later rebalances of a non-empty group do not wait. The network has no delay, so times are exact.
 */
import { describe, expect, it } from 'vitest';
import type { JoinGroupParams } from '../../../src/log/coordinator/membership-requests.js';
import { Harness, joined, type Outcome, track } from './coordinator-fixtures.js';

const EXACT = { minDelayMs: 0, maxDelayMs: 0 };

async function harness(delayMs: number): Promise<Harness> {
  return new Harness({ network: EXACT, config: { groupInitialRebalanceDelayMs: delayMs } }).start();
}

/** Runs the simulation until every outcome has settled; the virtual time it took. */
async function timeUntil(h: Harness, ...outcomes: Outcome<unknown>[]): Promise<number> {
  const start = h.sim.clock.nowMs();
  await h.sim.runUntil(() => outcomes.every((o) => o.done), 600_000);
  for (const o of outcomes) expect(o.done).toBe(true);
  return h.sim.clock.nowMs() - start;
}

/** A new member's join, past the member-id step (which is answered at once). */
async function joinNew(h: Harness, clientId: string, params: Partial<JoinGroupParams> = {}) {
  const first = track(h.join({ clientId, ...params }));
  await h.sim.runUntil(() => first.done, 1000);
  const memberId = first.value?.memberId ?? '';
  return track(h.join({ clientId, memberId, ...params }));
}

describe('the initial rebalance delay', () => {
  it('holds the first generation of an empty group for exactly the delay when nobody else joins', async () => {
    const h = await harness(500);
    const a = await joinNew(h, 'a');
    await h.sim.runFor(499);
    expect(a.done).toBe(false);
    await h.sim.runFor(1);
    expect(a.done).toBe(true);
    expect(joined(a.value)).toMatchObject({ generationId: 1 });
  });

  it('completes the first generation at once when it is 0', async () => {
    const h = await harness(0);
    const a = await joinNew(h, 'a');
    expect(await timeUntil(h, a)).toBe(0);
    expect(joined(a.value).generationId).toBe(1);
  });

  it('is extended by the delay for each new member, up to the rebalance timeout', async () => {
    const h = await harness(1000);
    // Rebalance timeout 2500: delays of 1000, then 1000, then the 500 left.
    const params = { rebalanceTimeoutMs: 2500 };
    const start = h.sim.clock.nowMs();
    const a = await joinNew(h, 'a', params);
    await h.sim.runFor(900);
    const b = await joinNew(h, 'b', params); // extends to 2000
    await h.sim.runFor(900);
    const c = await joinNew(h, 'c', params); // extends to 2500, all that is left
    await h.sim.runFor(600);
    const d = await joinNew(h, 'd', params); // no more room: still 2500
    await h.sim.runUntil(() => a.done && b.done && c.done && d.done, 10_000);
    expect(h.sim.clock.nowMs() - start).toBe(2500);
    for (const o of [a, b, c, d]) expect(joined(o.value).generationId).toBe(1);
    expect(joined(a.value).members).toHaveLength(4);
  });

  it('is not extended when the delay passes without a new member', async () => {
    const h = await harness(1000);
    const a = await joinNew(h, 'a');
    const b = await joinNew(h, 'b');
    // b joined in the first delay: one extension (to 2000), then no one: done.
    expect(await timeUntil(h, a, b)).toBe(2000);
    expect(joined(b.value).generationId).toBe(1);
  });

  it('does not hold a rebalance of a group that has members', async () => {
    const h = await harness(5000);
    const a = await joinNew(h, 'a');
    await h.sim.runUntil(() => a.done, 10_000);
    const memberId = joined(a.value).memberId;
    const synced = track(h.sync({ memberId, generationId: 1, assignments: [] }));
    await h.sim.runUntil(() => synced.done, 1000);
    // A second member: the group rebalances as soon as its known member has rejoined.
    const b = await joinNew(h, 'b');
    await h.sim.runFor(10);
    const again = track(h.join({ clientId: 'a', memberId }));
    expect(await timeUntil(h, again, b)).toBe(0);
    expect(joined(again.value).generationId).toBe(2);
    expect(joined(b.value).generationId).toBe(2);
  });

  it('holds the first generation again once the group has emptied', async () => {
    const h = await harness(700);
    const a = await joinNew(h, 'a');
    await h.sim.runUntil(() => a.done, 10_000);
    const memberId = joined(a.value).memberId;
    const left = track(h.leave([{ memberId, groupInstanceId: null }]));
    await h.sim.runUntil(() => left.done, 1000);
    const description = await h.run(h.describe());
    expect(description.state).toBe('Empty');
    const b = await joinNew(h, 'b');
    expect(await timeUntil(h, b)).toBe(700);
    // Generation 2 was the empty one the leave completed.
    expect(joined(b.value).generationId).toBe(3);
  });
});
