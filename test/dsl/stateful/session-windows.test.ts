/**
 * Session window aggregations through TopologyTestDriver: sessions within the gap (both ends
 * inclusive) merge, merged-away sessions are forwarded as deletes of their old windowed keys, late
 * sessions are dropped and counted, output timestamps are session ends, and emit-on-window-close
 * forwards each final session once.
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { EmitStrategy } from '../../../src/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../../src/dsl/windows/session-windows.js';
import { type Windowed, WindowedSerdes } from '../../../src/dsl/windows/windowed.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();
const SK = WindowedSerdes.sessionWindowed(S);

function sessions(windows: SessionWindows, emit = EmitStrategy.onWindowUpdate()) {
  const b = new StreamsBuilder();
  b.stream('in', { key: S, value: S })
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(emit)
    .count({ as: 'sessions' })
    .toStream()
    .to('out', { key: SK, value: N });
  const driver = new TopologyTestDriver(b.build());
  const input = driver.createInputTopic('in', S, S);
  const output = driver.createOutputTopic('out', SK, N);
  const read = () =>
    output.readRecordsToList().map((r) => {
      const w = r.key as Windowed<string>;
      return [w.key, w.window.startMs, w.window.endMs, r.value, r.timestamp];
    });
  return { driver, input, read };
}

describe('SessionWindowedKStream', () => {
  it('merges records within the gap, both ends inclusive, and deletes the merged sessions', async () => {
    const { driver, input, read } = sessions(SessionWindows.ofInactivityGapAndGrace(10, 100));
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 25);
    expect(read()).toEqual([
      ['a', 0, 0, 1, 0],
      ['a', 25, 25, 1, 25],
    ]);
    input.pipeInput('a', 'x', 10); // exactly gap after 0 and 15 before 25: joins only the first
    expect(read()).toEqual([
      ['a', 0, 0, null, 0],
      ['a', 0, 10, 2, 10],
    ]);
    input.pipeInput('a', 'x', 15); // within gap of both: merges them
    expect(read()).toEqual([
      ['a', 0, 10, null, 10],
      ['a', 25, 25, null, 25],
      ['a', 0, 25, 4, 25],
    ]);
    const store = driver.getSessionStore<string, number>('sessions');
    expect([...store.fetch('a')].map((e) => [e.key.window.startMs, e.key.window.endMs, e.value])).toEqual([
      [0, 25, 4],
    ]);
    await driver.close();
  });

  it('updates a session in place when a record falls inside it', async () => {
    const { driver, input, read } = sessions(SessionWindows.ofInactivityGapAndGrace(10, 100));
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 8);
    read();
    input.pipeInput('a', 'x', 4);
    expect(read()).toEqual([['a', 0, 8, 3, 8]]);
    await driver.close();
  });

  it('drops a record whose merged session ends before stream time minus grace', async () => {
    const { driver, input, read } = sessions(SessionWindows.ofInactivityGapAndGrace(5, 10));
    input.pipeInput('a', 'x', 100);
    input.pipeInput('b', 'x', 120);
    read();
    input.pipeInput('a', 'x', 110); // 110 + 10 is not before 120: on time; 10 apart from 100, no merge
    input.pipeInput('a', 'x', 109); // merges with 110 → [109, 110]
    input.pipeInput('a', 'x', 50); // 50 + 10 < 120: late
    expect(read()).toEqual([
      ['a', 110, 110, 1, 110],
      ['a', 110, 110, null, 110],
      ['a', 109, 110, 2, 110],
    ]);
    expect(driver.droppedRecords).toBe(1);
    await driver.close();
  });

  it('aggregate uses the merger and reduce combines values', async () => {
    const b = new StreamsBuilder();
    const windowed = b
      .stream('in', { key: S, value: N })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10));
    windowed
      .aggregate(
        () => 0,
        (_k, v, sum) => sum + v,
        (_k, x, y) => x + y,
        { as: 'sums', value: N },
      )
      .toStream()
      .to('sums', { key: SK });
    windowed
      .reduce((x, y) => Math.max(x, y), { as: 'max' })
      .toStream()
      .to('max', { key: SK });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, N);
    input.pipeInput('k', 1, 0);
    input.pipeInput('k', 7, 20);
    input.pipeInput('k', 3, 10);
    expect(driver.createOutputTopic('sums', SK, N).readValuesToList()).toEqual([1, 7, null, null, 11]);
    expect(driver.createOutputTopic('max', SK, N).readValuesToList()).toEqual([1, 7, null, null, 7]);
    await driver.close();
  });

  it('emits each session once when stream time passes its end plus gap plus grace, with no merge deletes', async () => {
    const { driver, input, read } = sessions(
      SessionWindows.ofInactivityGapAndGrace(10, 5),
      EmitStrategy.onWindowClose(),
    );
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('b', 'x', 12);
    input.pipeInput('a', 'x', 24);
    expect(read()).toEqual([]);
    input.pipeInput('c', 'x', 25); // a's [0, 10] could still be extended at 10 + 10 + 5
    expect(read()).toEqual([]);
    input.pipeInput('c', 'x', 26);
    expect(read()).toEqual([['a', 0, 10, 2, 10]]);
    input.pipeInput('d', 'x', 100);
    expect(read().sort()).toEqual([
      ['a', 24, 24, 1, 24],
      ['b', 12, 12, 1, 12],
      ['c', 25, 26, 2, 26],
    ]);
    await driver.close();
  });

  it('refuses an explicit retention below gap plus grace', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', { key: S, value: S }).groupByKey();
    expect(() =>
      grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(10, 5)).count({ retentionMs: 14 }),
    ).toThrow(TopologyError);
  });
});
