/**
 * StreamTask: deserialization at sources (typed error naming topic/partition/offset, or
 * log-and-continue with a dropped count), timestamp extractors and stream time, the object sink,
 * null keys and values through serdes.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { TimestampExtractorDef } from '../../../src/dsl/topology-nodes.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { DeserializationError } from '../../../src/runtime/streams/deserialization-error.js';
import { StreamTask, type StreamTaskOptions } from '../../../src/runtime/streams/stream-task.js';
import { Serdes } from '../../../src/serdes/serdes.js';

const S = Serdes.string();
const J = Serdes.json<{ n: number }>();
const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);

function task(
  options: Partial<StreamTaskOptions> = {},
  timestampExtractor?: TimestampExtractorDef,
): { task: StreamTask; out: unknown[][] } {
  const b = new StreamsBuilder();
  b.stream('in', { key: S, value: J, timestampExtractor })
    .mapValues((v) => (v === null ? null : { n: v.n + 1 }))
    .to('out', { value: J });
  const out: unknown[][] = [];
  const t = new StreamTask(b.build(), {
    clock: new SimulatedClock(500),
    sink: (topic, k, v, ts, h) => out.push([topic, k, v, ts, h]),
    ...options,
  });
  return { task: t, out };
}

describe('StreamTask', () => {
  it('deserializes, processes and serializes one record synchronously', () => {
    const { task: t, out } = task();
    t.process('in', 0, 0, bytes('k'), bytes('{"n":1}'), 42, []);
    const text = (b: unknown): string => new TextDecoder().decode(b as Uint8Array);
    expect(out.map(([topic, k, v, ts]) => [topic, text(k), text(v), ts])).toEqual([
      ['out', 'k', '{"n":2}', 42],
    ]);
    expect(t.streamTimeMs).toBe(42);
  });

  it('passes null keys and tombstones through without calling the serdes', () => {
    const { task: t, out } = task();
    t.process('in', 0, 0, null, null, 1, []);
    expect(out).toEqual([['out', null, null, 1, []]]);
  });

  it('fails on bad bytes by default with an error naming topic, partition and offset', () => {
    const { task: t } = task();
    let caught: unknown;
    try {
      t.process('in', 3, 17, bytes('k'), bytes('{not json'), 1, []);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(DeserializationError);
    const error = caught as DeserializationError;
    expect([error.topic, error.partition, error.offset, error.part]).toEqual(['in', 3, 17, 'value']);
    expect(error.message).toMatch(/^Could not deserialize the value of the record at in-3 offset 17: /);
  });

  it('log-and-continue drops bad records, counts them and reports each', () => {
    const reported: DeserializationError[] = [];
    const { task: t, out } = task({
      deserializationErrorHandler: 'log-and-continue',
      onDeserializationError: (e) => reported.push(e),
    });
    t.process('in', 0, 0, bytes('k'), bytes('oops'), 1, []);
    t.process('in', 0, 1, bytes('k'), bytes('{"n":5}'), 2, []);
    expect(t.droppedRecords).toBe(1);
    expect(reported.map((e) => e.offset)).toEqual([0]);
    expect(out).toHaveLength(1);
  });

  it('uses the wall-clock and function timestamp extractors', () => {
    const wall = task({}, { kind: 'wall-clock' });
    wall.task.process('in', 0, 0, null, bytes('{"n":1}'), 7, []);
    expect(wall.out[0]![3]).toBe(500);
    const fn = task(
      {},
      { kind: 'function', extract: (r, partitionTime) => (r.value as { n: number }).n * 10 + partitionTime },
    );
    fn.task.process('in', 0, 0, null, bytes('{"n":1}'), 7, []);
    fn.task.process('in', 0, 1, null, bytes('{"n":1}'), 7, []);
    // The partition time before the first record is -1, as Kafka's.
    expect(fn.out.map((r) => r[3])).toEqual([9, 19]);
    expect(fn.task.streamTimeMs).toBe(19);
  });

  it('hands records unserialized to an object sink and accepts deserialized input', () => {
    const objects: unknown[][] = [];
    const { task: t, out } = task({ objectSink: (topic, k, v, ts) => objects.push([topic, k, v, ts]) });
    t.processDeserialized('in', 'k', { n: 1 }, 3, []);
    expect(objects).toEqual([['out', 'k', { n: 2 }, 3]]);
    expect(out).toEqual([]);
  });

  it('asks for a commit when a processor calls commit(), until a commit starts', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S }).process<string, string>(() => {
      let commit: () => void = () => {};
      return {
        init: (c) => {
          commit = () => c.commit();
        },
        process: (r) => {
          if (r.value === 'now') commit();
        },
      };
    });
    const t = new StreamTask(b.build(), { clock: new SimulatedClock(500), sink: () => undefined });
    t.process('in', 0, 0, bytes('k'), bytes('later'), 1, []);
    expect(t.commitNeeded).toBe(false);
    t.process('in', 0, 1, bytes('k'), bytes('now'), 2, []);
    expect(t.commitNeeded).toBe(true);
    // A stream thread starts its commit: the request is answered, not asked again every round.
    t.commitStarted();
    expect(t.commitNeeded).toBe(false);
  });

  it('refuses a topic no source reads', () => {
    const { task: t } = task();
    expect(() => t.processDeserialized('nope', null, null, 0, [])).toThrow(
      "No source of this topology reads topic 'nope'.",
    );
  });
});
