/**
 * Tumbling, hopping and sliding window aggregations through TopologyTestDriver with explicit
 * timestamps: window boundaries, grace and late drops, output timestamps (the largest input of the
 * window), null keys and values, emit-on-window-close, retention checks and the windowed serdes.
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { EmitStrategy } from '../../../src/dsl/windows/emit-strategy.js';
import { SlidingWindows } from '../../../src/dsl/windows/sliding-windows.js';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.js';
import { type Windowed, WindowedSerdes } from '../../../src/dsl/windows/windowed.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();

/** A topology counting 'in' per key in `windows`, writing 'out' with a time-windowed key. */
function counting(windows: TimeWindows | SlidingWindows, emit = EmitStrategy.onWindowUpdate()) {
  const size = windows.kind === 'time' ? windows.sizeMs : windows.timeDifferenceMs;
  const b = new StreamsBuilder();
  b.stream('in', { key: S, value: S })
    .groupByKey()
    .windowedBy(windows)
    .emitStrategy(emit)
    .count({ as: 'counts' })
    .toStream()
    .to('out', { key: WindowedSerdes.timeWindowed(S, size), value: N });
  const driver = new TopologyTestDriver(b.build());
  const input = driver.createInputTopic('in', S, S);
  const output = driver.createOutputTopic('out', WindowedSerdes.timeWindowed(S, size), N);
  const read = () =>
    output.readRecordsToList().map((r) => {
      const w = r.key as Windowed<string>;
      return [w.key, w.window.startMs, r.value, r.timestamp];
    });
  return { driver, input, read };
}

describe('TimeWindowedKStream (tumbling)', () => {
  it('puts a record at the start in the window and one at the end in the next window', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeAndGrace(10, 100));
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 9);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('a', 'x', 3);
    expect(read()).toEqual([
      ['a', 0, 1, 0],
      ['a', 0, 2, 9],
      ['a', 10, 1, 10],
      ['a', 0, 3, 9],
    ]);
    const store = driver.getTimestampedWindowStore<string, number>('counts');
    expect(store.fetch('a', 0)).toEqual({ value: 3, timestampMs: 9 });
    expect(driver.getWindowStore<string, number>('counts').fetch('a', 10)).toBe(1);
    await driver.close();
  });

  it('drops a record once its window end plus grace is at or before stream time, and counts it', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeAndGrace(10, 5));
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 14); // stream time 14: window [0,10) closes at 15
    input.pipeInput('a', 'x', 2); // accepted
    input.pipeInput('a', 'x', 15); // stream time 15: [0,10) is now closed
    input.pipeInput('a', 'x', 3); // late
    expect(read()).toEqual([
      ['a', 0, 1, 1],
      ['a', 10, 1, 14],
      ['a', 0, 2, 2],
      ['a', 10, 2, 15],
    ]);
    expect(driver.droppedRecords).toBe(1);
    expect([...driver.droppedRecordsByProcessor().keys()][0]).toMatch(/KSTREAM-AGGREGATE-\d+: late/);
    await driver.close();
  });

  it('skips null keys and null values and counts them', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeWithNoGrace(10));
    input.pipeInput(null, 'x', 1);
    input.pipeInput('a', null, 1);
    input.pipeInput('a', 'x', 1);
    expect(read()).toEqual([['a', 0, 1, 1]]);
    expect(driver.droppedRecords).toBe(2);
    await driver.close();
  });

  it('emits each window once when it closes under emitStrategy(onWindowClose)', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeAndGrace(10, 5), EmitStrategy.onWindowClose());
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'x', 4);
    input.pipeInput('a', 'x', 7);
    input.pipeInput('a', 'x', 12);
    expect(read()).toEqual([]);
    input.pipeInput('a', 'x', 15); // [0,10) closes at 15
    expect(read()).toEqual([
      ['a', 0, 2, 7],
      ['b', 0, 1, 4],
    ]);
    input.pipeInput('a', 'x', 16);
    input.pipeInput('a', 'x', 40);
    expect(read()).toEqual([['a', 10, 3, 16]]);
    await driver.close();
  });
});

describe('TimeWindowedKStream (hopping)', () => {
  it('adds each record to every overlapping window', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeAndGrace(10, 100).advanceBy(5));
    input.pipeInput('a', 'x', 3);
    input.pipeInput('a', 'x', 12);
    expect(read()).toEqual([
      ['a', 0, 1, 3],
      ['a', 5, 1, 12],
      ['a', 10, 1, 12],
    ]);
    await driver.close();
  });

  it('still updates the open windows of a record whose earliest window closed', async () => {
    const { driver, input, read } = counting(TimeWindows.ofSizeWithNoGrace(10).advanceBy(5));
    input.pipeInput('a', 'x', 10); // windows [5,15) and [10,20)
    input.pipeInput('a', 'x', 9); // [0,10) closed at 10; [5,15) open
    expect(read()).toEqual([
      ['a', 5, 1, 10],
      ['a', 10, 1, 10],
      ['a', 5, 2, 10],
    ]);
    expect(driver.droppedRecords).toBe(0);
    await driver.close();
  });

  it('reduce and aggregate keep the largest timestamp per window', async () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', { key: S, value: N }).groupByKey();
    const windows = TimeWindows.ofSizeWithNoGrace(100);
    grouped
      .windowedBy(windows)
      .reduce((x, y) => x + y, { as: 'sums' })
      .toStream()
      .to('sums', { key: WindowedSerdes.timeWindowed(S, 100) });
    grouped
      .windowedBy(windows)
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}${v}`,
        { as: 'joined', value: S },
      )
      .toStream()
      .to('joined', { key: WindowedSerdes.timeWindowed(S, 100) });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, N);
    input.pipeInput('k', 3, 50);
    input.pipeInput('k', 4, 20);
    const sums = driver.createOutputTopic('sums', WindowedSerdes.timeWindowed(S, 100), N).readRecordsToList();
    expect(sums.map((r) => [r.value, r.timestamp])).toEqual([
      [3, 50],
      [7, 50],
    ]);
    const joined = driver.createOutputTopic('joined', WindowedSerdes.timeWindowed(S, 100), S);
    expect(joined.readValuesToList()).toEqual(['3', '34']);
    await driver.close();
  });
});

describe('TimeWindowedKStream (sliding)', () => {
  /** Window contents as the store holds them: [start, count, max timestamp]. */
  function contents(driver: TopologyTestDriver, key: string) {
    const store = driver.getTimestampedWindowStore<string, number>('counts');
    return [...store.fetchTimeRange(key, 0, 10_000)].map((e) => [e.key, e.value.value, e.value.timestampMs]);
  }

  it('creates left and right windows with both ends inclusive', async () => {
    const { driver, input, read } = counting(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    input.pipeInput('a', 'x', 100);
    input.pipeInput('a', 'x', 110); // exactly diff later: shares [100, 110]
    input.pipeInput('a', 'x', 105); // out of order: inside both
    expect(contents(driver, 'a')).toEqual([
      [90, 1, 100], // [90,100]: 100
      [95, 2, 105], // [95,105]: 100, 105
      [100, 3, 110], // [100,110]: all three
      [101, 2, 110], // right window of 100: 105, 110
      [106, 1, 110], // right window of 105: 110
    ]);
    expect(read().at(-1)).toEqual(['a', 106, 1, 110]);
    await driver.close();
  });

  it('keeps records before the time difference in one window starting at 0', async () => {
    const { driver, input } = counting(SlidingWindows.ofTimeDifferenceAndGrace(10, 100));
    input.pipeInput('a', 'x', 2);
    input.pipeInput('a', 'x', 5);
    expect(contents(driver, 'a')).toEqual([
      [0, 2, 5],
      [3, 1, 5],
    ]);
    await driver.close();
  });

  it('drops a record whose windows have all closed', async () => {
    const { driver, input, read } = counting(SlidingWindows.ofTimeDifferenceWithNoGrace(10));
    input.pipeInput('a', 'x', 100);
    input.pipeInput('a', 'x', 200);
    read();
    input.pipeInput('a', 'x', 150); // right window [151, 161] ends before 200
    expect(read()).toEqual([]);
    expect(driver.droppedRecords).toBe(1);
    await driver.close();
  });

  it('emits final sliding windows once they close', async () => {
    const { driver, input, read } = counting(
      SlidingWindows.ofTimeDifferenceWithNoGrace(10),
      EmitStrategy.onWindowClose(),
    );
    input.pipeInput('a', 'x', 100);
    expect(read()).toEqual([]);
    input.pipeInput('a', 'x', 105); // [90, 100] closed: 100 + 0 < 105
    expect(read()).toEqual([['a', 90, 1, 100]]);
    input.pipeInput('a', 'x', 200);
    expect(read()).toEqual([
      ['a', 95, 2, 105],
      ['a', 101, 1, 105],
    ]);
    await driver.close();
  });
});

describe('windowed stores', () => {
  it('refuse an explicit retention below size plus grace', () => {
    const b = new StreamsBuilder();
    const grouped = b.stream('in', { key: S, value: S }).groupByKey();
    expect(() =>
      grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count({ retentionMs: 69_999 }),
    ).toThrow(TopologyError);
    grouped.windowedBy(TimeWindows.ofSizeAndGrace(60_000, 10_000)).count({ as: 'c', retentionMs: 70_000 });
    const def = b.build().stores.get('c')!;
    expect([def.kind, def.windowSizeMs, def.retentionMs, def.timestamped]).toEqual([
      'window',
      60_000,
      70_000,
      true,
    ]);
  });

  it('are named with Kafka prefixes when not named', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeWithNoGrace(10))
      .reduce((x) => x);
    const t = b.build();
    expect([...t.stores.keys()]).toEqual(['KSTREAM-AGGREGATE-STATE-STORE-0000000001']);
    expect([...t.nodes.keys()]).toContain('KSTREAM-REDUCE-0000000002');
  });
});

describe('WindowedSerdes', () => {
  it('time-windowed keys are key bytes and an 8-byte start; the end is start plus size', () => {
    const serde = WindowedSerdes.timeWindowed(S, 60_000);
    const bytes = serde.serialize('t', { key: 'ab', window: { startMs: 120_000, endMs: 180_000 } })!;
    expect([...bytes]).toEqual([97, 98, 0, 0, 0, 0, 0, 1, 0xd4, 0xc0]);
    expect(serde.deserialize('t', bytes)).toEqual({
      key: 'ab',
      window: { startMs: 120_000, endMs: 180_000 },
    });
  });

  it('session-windowed keys are key bytes, the 8-byte end and the 8-byte start', () => {
    const serde = WindowedSerdes.sessionWindowed(S);
    const w = { key: 'k', window: { startMs: 5, endMs: 9 } };
    const bytes = serde.serialize('t', w)!;
    expect([...bytes]).toEqual([107, 0, 0, 0, 0, 0, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 5]);
    expect(serde.deserialize('t', bytes)).toEqual(w);
  });
});
