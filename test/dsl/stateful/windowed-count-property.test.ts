/**
 * Property: a windowed count (tumbling or hopping, random grace, out-of-order timestamps) equals a
 * brute-force model of the input. The model walks the records in arrival order, tracking stream
 * time (the largest timestamp so far, late records included); a window [s, s + size) accepts a
 * record iff s <= t < s + size and s + size + grace > stream time at its arrival. Its final counts
 * per (key, window) must equal the last value emitted per windowed key and the window store's
 * contents (those windows the store still retains: start > latest start put − (size + grace)), and
 * the records no window accepted must equal the dropped-records count.
 *
 * Replay a failure: fast-check prints `seed` and `path`; pass them to fc.assert as
 * `{ seed, path, endOnFailure: true }` next to numRuns below.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.js';
import { type Windowed, WindowedSerdes } from '../../../src/dsl/windows/windowed.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();

interface Input {
  readonly key: string;
  readonly t: number;
}

const scenario = fc.record({
  sizeMs: fc.integer({ min: 1, max: 40 }),
  /** Advance as a divisor-free fraction of the size: 1 means tumbling. */
  advanceNumerator: fc.integer({ min: 1, max: 40 }),
  graceMs: fc.integer({ min: 0, max: 30 }),
  records: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 200 }) }), {
    maxLength: 60,
  }),
});

function model(windows: TimeWindows, records: readonly Input[]) {
  const counts = new Map<string, number>();
  let streamTime = -1;
  let dropped = 0;
  let latestStart = -1;
  for (const { key, t } of records) {
    streamTime = Math.max(streamTime, t);
    let accepted = false;
    // Brute force over every window start, not windowsFor, so the model shares no code with it.
    for (let s = 0; s <= t; s += windows.advanceMs) {
      if (s <= t && t < s + windows.sizeMs && s + windows.sizeMs + windows.graceMs > streamTime) {
        const id = `${key}@${s}`;
        counts.set(id, (counts.get(id) ?? 0) + 1);
        accepted = true;
        latestStart = Math.max(latestStart, s);
      }
    }
    if (!accepted) dropped++;
  }
  const retained = new Map(
    [...counts].filter(([id]) => Number(id.split('@')[1]) > latestStart - windows.retentionMs),
  );
  return { counts, retained, dropped };
}

describe('windowed count', () => {
  it('equals a brute-force model of the input, in the store and in the last emitted values', async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ sizeMs, advanceNumerator, graceMs, records }) => {
        let windows = TimeWindows.ofSizeAndGrace(sizeMs, graceMs);
        const advanceMs = Math.min(sizeMs, advanceNumerator);
        if (advanceMs < sizeMs) windows = windows.advanceBy(advanceMs);
        const b = new StreamsBuilder();
        const WK = WindowedSerdes.timeWindowed(S, sizeMs);
        b.stream('in', { key: S, value: S })
          .groupByKey()
          .windowedBy(windows)
          .count({ as: 'counts' })
          .toStream()
          .to('out', { key: WK, value: N });
        const driver = new TopologyTestDriver(b.build());
        try {
          const input = driver.createInputTopic('in', S, S);
          for (const r of records) input.pipeInput(r.key, 'v', r.t);
          const expected = model(windows, records);

          const emitted = new Map<string, number>();
          for (const r of driver.createOutputTopic('out', WK, N).readRecordsToList()) {
            const w = r.key as Windowed<string>;
            expect(w.window.endMs).toBe(w.window.startMs + sizeMs);
            emitted.set(`${w.key}@${w.window.startMs}`, r.value!);
          }
          expect(emitted).toEqual(expected.counts);

          const stored = new Map<string, number>();
          for (const { key, value } of driver.getWindowStore<string, number>('counts').all()) {
            stored.set(`${key.key}@${key.window.startMs}`, value);
          }
          expect(stored).toEqual(expected.retained);
          expect(driver.droppedRecords).toBe(expected.dropped);
        } finally {
          await driver.close();
        }
      }),
      { numRuns: 200 },
    );
  });
});
