import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { rangeAssignor } from '../../../../src/log/client/assignors/range-assignor.js';
import { roundRobinAssignor } from '../../../../src/log/client/assignors/round-robin-assignor.js';
import { expectCompleteAndExclusive, member, members, names, partitionCounts } from './assignor-fixtures.js';

describe('the range assignor', () => {
  it('gives each member contiguous ranges, the first members one extra (Kafka’s documented example)', () => {
    // Two consumers, topics t0 and t1 with 3 partitions each.
    const result = rangeAssignor.assign(
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
      [member('C1', ['t0', 't1']), member('C0', ['t0', 't1'])],
    );
    expect(names(result)).toEqual({ C0: ['t0p0', 't0p1', 't1p0', 't1p1'], C1: ['t0p2', 't1p2'] });
  });

  it('splits each topic among its own subscribers only', () => {
    const result = rangeAssignor.assign(
      new Map([
        ['t0', 5],
        ['t1', 2],
      ]),
      [member('a', ['t0']), member('b', ['t0', 't1']), member('c', ['t1', 'missing'])],
    );
    expect(names(result)).toEqual({ a: ['t0p0', 't0p1', 't0p2'], b: ['t0p3', 't0p4', 't1p0'], c: ['t1p1'] });
  });

  it('orders static members first, by instance id, so restarts keep their ranges', () => {
    const result = rangeAssignor.assign(new Map([['t0', 3]]), [
      member('a-dynamic', ['t0']),
      member('z-1', ['t0'], [], -1, 'instance-2'),
      member('y-1', ['t0'], [], -1, 'instance-1'),
    ]);
    expect(names(result)).toEqual({ 'a-dynamic': ['t0p2'], 'y-1': ['t0p0'], 'z-1': ['t0p1'] });
  });

  it('assigns every subscribed partition exactly once, whatever the order of members', () => {
    fc.assert(
      fc.property(partitionCounts, members, (ppt, ms) => {
        const result = rangeAssignor.assign(ppt, ms);
        expectCompleteAndExclusive(ppt, ms, result);
        expect(names(rangeAssignor.assign(ppt, [...ms].reverse()))).toEqual(names(result));
      }),
      { numRuns: 300 },
    );
  });
});

describe('the round-robin assignor', () => {
  it('deals sorted partitions to sorted members in turn (Kafka’s documented examples)', () => {
    const same = roundRobinAssignor.assign(
      new Map([
        ['t0', 3],
        ['t1', 3],
      ]),
      [member('C0', ['t0', 't1']), member('C1', ['t0', 't1'])],
    );
    expect(names(same)).toEqual({ C0: ['t0p0', 't0p2', 't1p1'], C1: ['t0p1', 't1p0', 't1p2'] });
    // Different subscriptions: C0 takes t0; C1 t0, t1; C2 t0, t1, t2 (1, 2 and 3 partitions).
    const different = roundRobinAssignor.assign(
      new Map([
        ['t0', 1],
        ['t1', 2],
        ['t2', 3],
      ]),
      [member('C0', ['t0']), member('C1', ['t0', 't1']), member('C2', ['t0', 't1', 't2'])],
    );
    expect(names(different)).toEqual({ C0: ['t0p0'], C1: ['t1p0'], C2: ['t1p1', 't2p0', 't2p1', 't2p2'] });
  });

  it('assigns every subscribed partition exactly once, balanced when subscriptions are the same', () => {
    fc.assert(
      fc.property(partitionCounts, members, fc.boolean(), (ppt, ms, same) => {
        const input = same ? ms.map((m) => ({ ...m, topics: ['t0', 't1', 't2', 't3'] })) : ms;
        const result = roundRobinAssignor.assign(ppt, input);
        expectCompleteAndExclusive(ppt, input, result);
        if (same) {
          const counts = [...result.values()].map((l) => l.length);
          expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
        }
        expect(names(roundRobinAssignor.assign(ppt, [...input].reverse()))).toEqual(names(result));
      }),
      { numRuns: 300 },
    );
  });
});
