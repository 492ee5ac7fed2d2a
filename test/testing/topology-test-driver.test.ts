/** TopologyTestDriver: input and output topics, default timestamps from the wall clock, close(). */
import { describe, expect, it } from 'vitest';
import { IllegalStateError } from '../../src/common/errors.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { SimulatedClock } from '../../src/runtime/actor/simulated-clock.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();

function driver(clock?: SimulatedClock): TopologyTestDriver {
  const b = new StreamsBuilder();
  b.stream('in', { key: S, value: S }).to('out');
  return new TopologyTestDriver(b.build(), { clock });
}

describe('TopologyTestDriver', () => {
  it('pipes key-value lists and reads them back in order', () => {
    const d = driver();
    d.createInputTopic('in', S, S).pipeKeyValueList(
      [
        { key: 'a', value: '1' },
        { key: null, value: null },
      ],
      9,
    );
    const out = d.createOutputTopic('out', S, S);
    expect(out.isEmpty()).toBe(false);
    expect(out.readRecord()).toEqual({ key: 'a', value: '1', timestamp: 9, headers: [] });
    expect(out.readKeyValue()).toEqual({ key: null, value: null });
    expect(out.isEmpty()).toBe(true);
  });

  it('stamps records without a timestamp with the wall clock, which advanceWallClockTime moves', () => {
    const d = driver(new SimulatedClock(1000));
    const input = d.createInputTopic('in', S, S);
    input.pipeInput('a', '1');
    d.advanceWallClockTime(250);
    input.pipeInput('b', '2');
    expect(
      d
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([1000, 1250]);
  });

  it('an empty output topic refuses a single read with a sentence', () => {
    const d = driver();
    expect(() => d.createOutputTopic('out', S, S).readKeyValue()).toThrow(
      new IllegalStateError("Output topic 'out' has no record to read."),
    );
  });

  it('counts records dropped by the log-and-continue handler', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: Serdes.json() }).to('out');
    const d = new TopologyTestDriver(b.build(), { deserializationErrorHandler: 'log-and-continue' });
    d.createInputTopic('in', S, S).pipeInput('k', 'not json', 1);
    expect(d.droppedRecords).toBe(1);
    expect(d.createOutputTopic('out', S, S).isEmpty()).toBe(true);
  });

  it('refuses use after close()', () => {
    const d = driver();
    const input = d.createInputTopic('in', S, S);
    d.close();
    expect(() => input.pipeInput('a', '1', 1)).toThrow(IllegalStateError);
    expect(() => d.advanceWallClockTime(1)).toThrow('This TopologyTestDriver is closed.');
  });
});
