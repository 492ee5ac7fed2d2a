/**
 * The fault and input arbitraries: schedules keep to their constraints, and a failing schedule
 * shrinks to the smallest, earliest, mildest one that still fails.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  describeFault,
  faultDurationMs,
  faultSchedule,
  inputRecords,
  SAFE_FAULT_KINDS,
} from '../../../src/testing/index.js';

describe('faultSchedule', () => {
  it('keeps to its kinds, count and time window, sorted by time, with no lost writes unless allowed', () => {
    fc.assert(
      fc.property(
        fc.subarray([...SAFE_FAULT_KINDS], { minLength: 1 }),
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.boolean(),
        (kinds, maxFaults, withinMs, loseUnflushedWrites) => {
          const [schedule] = fc.sample(faultSchedule({ kinds, maxFaults, withinMs, loseUnflushedWrites }), 1);
          expect(schedule!.length).toBeGreaterThanOrEqual(1);
          expect(schedule!.length).toBeLessThanOrEqual(maxFaults);
          for (const [i, { atMs, fault }] of schedule!.entries()) {
            expect(kinds).toContain(fault.kind);
            expect(atMs).toBeGreaterThanOrEqual(0);
            expect(atMs).toBeLessThanOrEqual(withinMs);
            if (i > 0) expect(atMs).toBeGreaterThanOrEqual(schedule![i - 1]!.atMs);
            if (fault.kind === 'killBroker' && !loseUnflushedWrites) expect(fault.loseUnflushed).toBe(false);
            expect(faultDurationMs(fault)).toBeGreaterThanOrEqual(0);
            expect(describeFault(fault).length).toBeGreaterThan(0);
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it('shrinks a failing schedule to one fault, at time 0, restarting only when the cluster quiesces', () => {
    const details = fc.check(
      fc.property(faultSchedule({ kinds: ['crashInstance', 'addInstance'], maxFaults: 6 }), (schedule) =>
        schedule.every((f) => f.fault.kind !== 'crashInstance'),
      ),
      { seed: 7, numRuns: 200 },
    );
    expect(details.failed).toBe(true);
    expect(details.counterexample?.[0]).toEqual([{ atMs: 0, fault: { kind: 'crashInstance', instance: 0 } }]);
  });
});

describe('inputRecords', () => {
  it('generates records of the topic, and shrinks to the shortest failing input', () => {
    const arb = inputRecords({
      topic: 'lines',
      key: fc.string(),
      value: fc.constantFrom('a', 'b'),
      maxLength: 20,
    });
    for (const records of fc.sample(arb, 20)) {
      expect(records.length).toBeGreaterThanOrEqual(1);
      expect(records.length).toBeLessThanOrEqual(20);
      for (const r of records) expect(r.topic).toBe('lines');
    }
    const details = fc.check(
      fc.property(arb, (records) => records.every((r) => r.value !== 'b')),
      { seed: 3 },
    );
    expect(details.counterexample?.[0]).toEqual([{ topic: 'lines', key: '', value: 'b' }]);
  });
});
