import { describe, expect, it } from 'vitest';
import {
  InvalidReplicationFactorError,
  InvalidRequestError,
  NotLeaderOrFollowerError,
  TopicAlreadyExistsError,
} from '../../../src/common/kafka-errors.js';
import { ControllerState } from '../../../src/log/broker/controller-state.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';

function threeBrokers(unclean = false) {
  const clock = new SimulatedClock(0);
  const state = new ControllerState(clock, 1000);
  for (const b of [1, 2, 3]) state.registerBroker(b, `i${b}`, true);
  state.createTopic({
    name: 't',
    partitions: 3,
    replicationFactor: 3,
    config: { uncleanLeaderElection: unclean },
  });
  return { clock, state };
}

describe('ControllerState', () => {
  it('places replicas round-robin, leaders spread, every replica in the ISR', () => {
    const { state } = threeBrokers();
    const parts = [0, 1, 2].map((p) => state.partitionState('t', p));
    expect(parts.map((p) => p.leader)).toEqual([1, 2, 3]);
    for (const p of parts) {
      expect([...p.replicas].sort()).toEqual([1, 2, 3]);
      expect(p.isr).toEqual(p.replicas);
    }
  });

  it('refuses bad topics with typed errors', () => {
    const { state } = threeBrokers();
    expect(() => state.createTopic({ name: 't', partitions: 1, replicationFactor: 1 })).toThrow(
      TopicAlreadyExistsError,
    );
    expect(() => state.createTopic({ name: 'x', partitions: 1, replicationFactor: 4 })).toThrow(
      InvalidReplicationFactorError,
    );
    expect(() => state.createTopic({ name: 'bad name', partitions: 1, replicationFactor: 1 })).toThrow(
      InvalidRequestError,
    );
    expect(() => state.createTopic({ name: 'y', partitions: 0, replicationFactor: 1 })).toThrow(
      InvalidRequestError,
    );
  });

  it('fences a silent broker and elects a new leader from the ISR with a higher epoch', () => {
    const { clock, state } = threeBrokers();
    clock.advance(1001);
    state.heartbeat(2, 'i2');
    state.heartbeat(3, 'i3');
    const changed = state.expireSessions();
    const p0 = state.partitionState('t', 0);
    expect(changed.length).toBe(3);
    expect(p0.leader).not.toBe(1);
    expect(p0.leaderEpoch).toBe(1);
    expect(p0.isr).not.toContain(1);
    expect(state.liveBrokers()).toEqual([2, 3]);
  });

  it('keeps the last in-sync replica listed but leaves the partition without a leader when it dies', () => {
    const { clock, state } = threeBrokers();
    for (let i = 0; i < 3; i++) {
      clock.advance(1001);
      state.expireSessions();
    }
    const p = state.partitionState('t', 0);
    expect(p.leader).toBe(-1);
    expect(p.isr.length).toBe(1);
    // The last in-sync replica coming back leads again.
    state.registerBroker(p.isr[0]!, 'again', true);
    expect(state.partitionState('t', 0).leader).toBe(p.isr[0]);
  });

  it('elects an out-of-sync replica only when the topic allows unclean election', () => {
    for (const unclean of [false, true]) {
      const { clock, state } = threeBrokers(unclean);
      state.alterIsr('t', 0, 1, 0, [1]);
      clock.advance(1001);
      state.heartbeat(2, 'i2');
      state.heartbeat(3, 'i3');
      state.expireSessions();
      const p = state.partitionState('t', 0);
      if (unclean) {
        expect([2, 3]).toContain(p.leader);
        expect(p.isr).toEqual([p.leader]);
      } else expect(p.leader).toBe(-1);
    }
  });

  it('takes a restarted broker that may have lost unflushed data out of the ISRs', () => {
    const { state } = threeBrokers();
    const changed = state.registerBroker(1, 'i1-new', false);
    expect(changed.length).toBe(3);
    for (const p of [0, 1, 2].map((i) => state.partitionState('t', i))) {
      expect(p.isr).not.toContain(1);
      expect(p.leader).not.toBe(1);
    }
    // A clean restart keeps it.
    const { state: s2 } = threeBrokers();
    expect(s2.registerBroker(1, 'i1-new', true)).toEqual([]);
  });

  it('commits ISR changes only from the current leader and epoch', () => {
    const { state } = threeBrokers();
    expect(state.alterIsr('t', 0, 1, 0, [1, 3]).isr).toEqual([1, 3]);
    expect(() => state.alterIsr('t', 0, 2, 0, [2])).toThrow(NotLeaderOrFollowerError);
    expect(() => state.alterIsr('t', 0, 1, 7, [1])).toThrow(NotLeaderOrFollowerError);
  });
});
