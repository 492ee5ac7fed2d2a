import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batchOf, newLog } from './log-fixtures.js';

describe('offsetForTimestamp', () => {
  it('finds the first offset whose timestamp is at or after the target, across segments (model: a linear scan)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.integer({ min: 0, max: 10_000 }), { minLength: 1, maxLength: 6 }), {
          minLength: 1,
          maxLength: 60,
        }),
        fc.array(fc.integer({ min: -5, max: 10_005 }), { minLength: 1, maxLength: 10 }),
        fc.nat(30),
        (batches, targets, startAt) => {
          const { log } = newLog({ segmentBytes: 1024, maxBatchBytes: 1024, indexIntervalBytes: 64 });
          const timestamps: number[] = [];
          for (const batch of batches) {
            log.append(batchOf(batch.map((ts, i) => ({ value: `${i}`, timestamp: ts }))));
            timestamps.push(...batch);
          }
          const start = Math.min(startAt, timestamps.length);
          log.advanceLogStartOffset(start);
          for (const target of targets) {
            const i = timestamps.findIndex((ts, offset) => offset >= start && ts >= target);
            const expected = i < 0 ? undefined : { offset: i, timestamp: timestamps[i] };
            expect(log.offsetForTimestamp(target)).toEqual(expected);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});
