/**
 * Timestamp extraction and stream time: the record's timestamp, the injected wall clock, or a
 * function of the record (with the partition's stream time); negative timestamps fail the task or
 * are skipped and counted; aggregation results carry the max input timestamp, so a late record does
 * not move a result back in time.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { InvalidTimestampError } from '../../../src/runtime/streams/invalid-timestamp-error.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();

interface Event {
  at: number;
}

describe('timestamp extractors and stream time', () => {
  it('a function extractor reads the value and sees the stream time so far', async () => {
    const seen: number[] = [];
    const b = new StreamsBuilder();
    b.stream('in', {
      key: S,
      value: Serdes.json<Event>(),
      timestampExtractor: {
        kind: 'function',
        extract: (r, streamTime) => {
          seen.push(streamTime);
          return (r.value as Event).at;
        },
      },
    }).to('out');
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, Serdes.json<Event>());
    input.pipeInput('a', { at: 50 }, 1);
    input.pipeInput('a', { at: 20 }, 2);
    input.pipeInput('a', { at: 70 }, 3);
    expect(
      driver
        .createOutputTopic('out', S, Serdes.json<Event>())
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([50, 20, 70]);
    expect(seen).toEqual([-1, 50, 50]);
    expect(driver.task.streamTimeMs).toBe(70);
    await driver.close();
  });

  it('the wall-clock extractor stamps records with the injected clock', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S, timestampExtractor: { kind: 'wall-clock' } }).to('out');
    const driver = new TopologyTestDriver(b.build(), { clock: new SimulatedClock(1_000) });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 5);
    driver.advanceWallClockTime(250);
    input.pipeInput('a', 'y', 5);
    expect(
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => r.timestamp),
    ).toEqual([1_000, 1_250]);
    await driver.close();
  });

  it('a negative timestamp fails the task with a typed error, or is skipped and counted', async () => {
    const build = () => {
      const b = new StreamsBuilder();
      b.stream('in', { key: S, value: S }).to('out');
      return b.build();
    };
    const failing = new TopologyTestDriver(build());
    expect(() => failing.createInputTopic('in', S, S).pipeInput('a', 'x', -5)).toThrow(InvalidTimestampError);
    expect(() => failing.createInputTopic('in', S, S).pipeInput('a', 'x', -5)).toThrow(
      /timestamp -5, which is negative.*log-and-skip/,
    );
    await failing.close();
    const skipping = new TopologyTestDriver(build(), { invalidTimestampHandler: 'log-and-skip' });
    const input = skipping.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', -1);
    input.pipeInput('a', 'y', 3);
    expect(skipping.createOutputTopic('out', S, S).readValuesToList()).toEqual(['y']);
    expect(skipping.droppedRecords).toBe(1);
    await skipping.close();
  });

  it('an aggregation keeps the max input timestamp when a late record updates it', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: N })
      .groupByKey()
      .aggregate(
        () => 0,
        (_k, v, sum) => sum + v,
        { value: N },
      )
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, N);
    input.pipeInput('k', 1, 100);
    input.pipeInput('k', 2, 40);
    input.pipeInput('k', 3, 120);
    expect(
      driver
        .createOutputTopic('out', S, N)
        .readRecordsToList()
        .map((r) => [r.value, r.timestamp]),
    ).toEqual([
      [1, 100],
      [3, 100],
      [6, 120],
    ]);
    await driver.close();
  });
});
