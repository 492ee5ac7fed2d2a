/**
 * KTable.suppress through TopologyTestDriver: final window results (untilWindowCloses), rate
 * limiting (untilTimeLimit), deletes through the buffer, bounded buffers that emit early or shut
 * down, the buffer's store, and the build-time refusal on non-windowed tables.
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { SessionWindows } from '../../../src/dsl/windows/session-windows.js';
import { BufferConfig, untilTimeLimit, untilWindowCloses } from '../../../src/dsl/windows/suppressed.js';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.js';
import { type Windowed, WindowedSerdes } from '../../../src/dsl/windows/windowed.js';
import { SuppressionBufferFullError } from '../../../src/runtime/streams/suppression-buffer-full-error.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();
const WK = WindowedSerdes.timeWindowed(S, 10);

describe('suppress(untilWindowCloses)', () => {
  function finals(buffer = BufferConfig.unbounded()) {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(10, 5))
      .count()
      .filter((_, n) => n > 0)
      .suppress(untilWindowCloses(buffer).withName('finals'))
      .toStream()
      .to('out', { key: WK, value: N });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', WK, N);
    const read = () =>
      out
        .readRecordsToList()
        .map((r) => [(r.key as Windowed<string>).key, r.key!.window.startMs, r.value, r.timestamp]);
    return { driver, input, read };
  }

  it('emits only the final count of each window, once stream time reaches end plus grace', async () => {
    const { driver, input, read } = finals();
    input.pipeInput('a', 'x', 1);
    input.pipeInput('a', 'x', 3);
    input.pipeInput('b', 'x', 9);
    input.pipeInput('a', 'x', 14);
    expect(read()).toEqual([]);
    input.pipeInput('a', 'x', 2); // still within grace
    input.pipeInput('c', 'x', 15); // [0, 10) closes at 15
    expect(read()).toEqual([
      ['a', 0, 3, 3],
      ['b', 0, 1, 9],
    ]);
    input.pipeInput('c', 'x', 100);
    expect(read()).toEqual([
      ['a', 10, 1, 14],
      ['c', 10, 1, 15],
    ]);
    expect(driver.task.topology.stores.has('finals-store')).toBe(true);
    expect([...driver.getKeyValueStore<Windowed<string>, unknown>('finals-store').all()]).toHaveLength(1);
    await driver.close();
  });

  it('shuts down with a typed error when a bounded buffer is full', async () => {
    const { driver, input } = finals(BufferConfig.maxRecords(2).shutDownWhenFull());
    input.pipeInput('a', 'x', 1);
    input.pipeInput('b', 'x', 1);
    expect(() => input.pipeInput('c', 'x', 1)).toThrow(SuppressionBufferFullError);
    expect(() => input.pipeInput('d', 'x', 1)).toThrow(/BufferConfig\.unbounded\(\)/);
    await driver.close();
  });

  it('knows a session closes one gap after its end', async () => {
    const b = new StreamsBuilder();
    const SK = WindowedSerdes.sessionWindowed(S);
    b.stream('in', { key: S, value: S })
      .groupByKey()
      .windowedBy(SessionWindows.ofInactivityGapWithNoGrace(10))
      .count()
      .suppress(untilWindowCloses())
      .toStream()
      .to('out', { key: SK, value: N });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 0);
    input.pipeInput('a', 'x', 5); // merges: the deleted [0, 0] is never emitted
    input.pipeInput('b', 'x', 15);
    const out = driver.createOutputTopic('out', SK, N);
    expect(out.readValuesToList()).toEqual([]);
    input.pipeInput('b', 'x', 16); // 5 + 10 + 0 < 16
    expect(out.readKeyValuesToList()).toEqual([
      { key: { key: 'a', window: { startMs: 0, endMs: 5 } }, value: 2 },
    ]);
    await driver.close();
  });

  it('is refused on a table that is not windowed', () => {
    const b = new StreamsBuilder();
    const table = b.stream('in', { key: S, value: S }).groupByKey().count();
    expect(() => table.suppress(untilWindowCloses())).toThrow(TopologyError);
  });
});

describe('suppress(untilTimeLimit)', () => {
  function limited(buffer = BufferConfig.unbounded() as BufferConfig) {
    const b = new StreamsBuilder();
    b.table('in', { key: S, value: S })
      .suppress(untilTimeLimit(10, buffer))
      .toStream()
      .to('out', { key: S, value: S });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    const out = driver.createOutputTopic('out', S, S);
    const read = () => out.readRecordsToList().map((r) => [r.key, r.value, r.timestamp]);
    return { driver, input, read };
  }

  it("emits a key's latest value once the time limit has passed since its first buffered update", async () => {
    const { driver, input, read } = limited();
    input.pipeInput('a', '1', 0);
    input.pipeInput('a', '2', 5);
    input.pipeInput('b', '1', 6);
    expect(read()).toEqual([]);
    input.pipeInput('a', '3', 10); // a is due at 0 + 10
    expect(read()).toEqual([['a', '3', 10]]);
    input.pipeInput('c', '1', 16); // b is due at 16
    expect(read()).toEqual([['b', '1', 6]]);
    await driver.close();
  });

  it('passes deletes through the buffer, replacing a buffered value', async () => {
    const { driver, input, read } = limited();
    input.pipeInput('a', '1', 0);
    input.pipeInput('a', null, 3);
    input.pipeInput('z', '1', 20);
    expect(read()).toEqual([['a', null, 3]]);
    await driver.close();
  });

  it('emits the oldest keys early when an eager buffer is full', async () => {
    const { driver, input, read } = limited(BufferConfig.maxRecords(2));
    input.pipeInput('a', '1', 0);
    input.pipeInput('b', '1', 1);
    input.pipeInput('a', '2', 2);
    expect(read()).toEqual([]);
    input.pipeInput('c', '1', 3);
    expect(read()).toEqual([['a', '2', 2]]);
    await driver.close();
  });

  it('counts bytes of serialized keys and values against maxBytes', async () => {
    const { driver, input, read } = limited(BufferConfig.maxBytes(60));
    input.pipeInput('a', 'x'.repeat(20), 0);
    expect(read()).toEqual([]);
    input.pipeInput('b', 'y'.repeat(20), 1);
    expect(read()).toEqual([['a', 'x'.repeat(20), 0]]);
    await driver.close();
  });
});
