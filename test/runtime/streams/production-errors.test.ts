/**
 * The production handler (Kafka Streams' ProductionExceptionHandler): an output its serializer
 * refuses, or the producer refuses (too large), fails the task by default with a ProductionError
 * naming the output topic and the input record; log-and-continue drops that output and counts it;
 * a dead-letter topic receives the input record as it came with KIP-1034 headers. The processing
 * handler does not catch it, and a runtime failure of the producer is never skipped.
 */
import { describe, expect, it } from 'vitest';
import { IllegalStateError, RecordTooLargeError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { DLQ_HEADERS } from '../../../src/runtime/streams/error-handling.js';
import { ProductionError } from '../../../src/runtime/streams/production-error.js';
import { StreamTask } from '../../../src/runtime/streams/stream-task.js';
import type { Serde } from '../../../src/serdes/serde.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const B = Serdes.bytes();

/** A string serde whose serializer refuses 'cursed' (as a schema-checking serde would). */
const picky: Serde<string> = {
  name: 'picky-string',
  serialize: (topic, value) => {
    if (value === 'cursed') throw new TypeError(`'${value}' does not fit ${topic}'s schema`);
    return S.serialize(topic, value);
  },
  deserialize: (topic, bytes) => S.deserialize(topic, bytes),
};

function topology() {
  const b = new StreamsBuilder();
  const words = b.stream('in', { key: S, value: S });
  words.to('copies', { value: S });
  words.mapValues((v) => v).to('checked', { value: picky });
  return b.build();
}

const text = (h: readonly { key: string; value: Uint8Array | null }[], key: string) =>
  new TextDecoder().decode(h.find((x) => x.key === key)!.value!);

describe('production error handler', () => {
  it('fails by default with a ProductionError naming the output topic and the input record', async () => {
    // The processing handler is for user functions: it does not swallow an output serializer's error.
    const driver = new TopologyTestDriver(topology(), { processingErrorHandler: 'log-and-continue' });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'fine', 1);
    const failure = (() => {
      try {
        input.pipeInput('k', 'cursed', 2);
      } catch (e) {
        return e;
      }
    })();
    expect(failure).toBeInstanceOf(ProductionError);
    expect((failure as ProductionError).message).toMatch(
      /Producing a record to checked while processing in-0 offset 1 failed: 'cursed' does not fit checked's schema/,
    );
    expect((failure as ProductionError).message).toMatch(/productionExceptionHandler/);
    await driver.close();
  });

  it('log-and-continue drops only the refused output and counts it', async () => {
    const driver = new TopologyTestDriver(topology(), { productionErrorHandler: 'log-and-continue' });
    const input = driver.createInputTopic('in', S, S);
    for (const [i, v] of ['a', 'cursed', 'b'].entries()) input.pipeInput('k', v, i);
    expect(driver.createOutputTopic('copies', S, S).readValuesToList()).toEqual(['a', 'cursed', 'b']);
    expect(driver.createOutputTopic('checked', S, S).readValuesToList()).toEqual(['a', 'b']);
    expect(driver.droppedRecords).toBe(1);
    await driver.close();
  });

  it('a dead-letter topic receives the input record with headers naming source, offset and cause', async () => {
    const driver = new TopologyTestDriver(topology(), { productionErrorHandler: { deadLetterTopic: 'dlq' } });
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k0', 'a', 5);
    input.pipeInput('k1', 'cursed', 6, [{ key: 'trace', value: new Uint8Array([9]) }]);
    const dead = driver.createOutputTopic('dlq', S, B).readRecordsToList();
    expect(dead.map((r) => [r.key, new TextDecoder().decode(r.value!), r.timestamp])).toEqual([
      ['k1', 'cursed', 6],
    ]);
    const h = dead[0]!.headers as { key: string; value: Uint8Array | null }[];
    expect(h[0]).toEqual({ key: 'trace', value: new Uint8Array([9]) });
    expect([text(h, DLQ_HEADERS.topic), text(h, DLQ_HEADERS.offset), text(h, DLQ_HEADERS.exception)]).toEqual(
      ['in', '1', 'TypeError'],
    );
    expect(text(h, DLQ_HEADERS.message)).toMatch(/to checked .*does not fit/);
    await driver.close();
  });

  it('applies to a record the producer refuses (too large), never to a runtime failure', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S }).to('out', { value: S });
    const outputs: string[] = [];
    let failWith: Error | undefined;
    const task = (policy: 'fail' | 'log-and-continue') =>
      new StreamTask(b.build(), {
        clock: new SimulatedClock(0),
        productionErrorHandler: policy,
        sink: (topic, _k, value) => {
          if (failWith !== undefined) throw failWith;
          outputs.push(`${topic}:${new TextDecoder().decode(value!)}`);
        },
      });
    const bytes = (s: string) => new TextEncoder().encode(s);
    failWith = new RecordTooLargeError('the record is 2 MB, over maxRequestSize 1 MB');
    const skipping = task('log-and-continue');
    skipping.process('in', 0, 7, bytes('k'), bytes('huge'), 1, []);
    expect(skipping.droppedRecords).toBe(1);
    expect(() => task('fail').process('in', 0, 8, bytes('k'), bytes('huge'), 1, [])).toThrow(
      /Producing a record to out while processing in-0 offset 8 failed: the record is 2 MB/,
    );
    failWith = new IllegalStateError('the transaction is in an error state');
    expect(() => skipping.process('in', 0, 9, bytes('k'), bytes('v'), 1, [])).toThrow(IllegalStateError);
    failWith = undefined;
    skipping.process('in', 0, 10, bytes('k'), bytes('v'), 1, []);
    expect(outputs).toEqual(['out:v']);
  });
});
