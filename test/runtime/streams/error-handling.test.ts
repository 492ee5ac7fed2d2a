/**
 * Record error handlers through TopologyTestDriver: a record that cannot be deserialized, or whose
 * processing throws, fails the task by default (with a typed error naming topic, partition and
 * offset), is skipped and counted with log-and-continue, or is written as it came to a dead-letter
 * topic with Kafka's KIP-1034 headers. Runtime failures (a broken topology) are never skipped.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { DeserializationError } from '../../../src/runtime/streams/deserialization-error.js';
import { DLQ_HEADERS, ProcessingError } from '../../../src/runtime/streams/error-handling.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const B = Serdes.bytes();
interface View {
  page: string;
}

function topology() {
  const b = new StreamsBuilder();
  b.stream('views', { key: S, value: Serdes.json<View>() })
    .mapValues((v) => {
      if (v.page === 'boom') throw new TypeError('page boom is cursed');
      return v.page.toUpperCase();
    })
    .to('pages', { value: S });
  return b.build();
}

const text = (h: { key: string; value: Uint8Array | null }[], key: string) =>
  new TextDecoder().decode(h.find((x) => x.key === key)!.value!);

describe('record error handlers', () => {
  it('by default, a bad record fails with a typed error that says where it is', async () => {
    const driver = new TopologyTestDriver(topology());
    const raw = driver.createInputTopic('views', S, B);
    expect(() => raw.pipeInput('k', new TextEncoder().encode('{not json'), 1)).toThrow(DeserializationError);
    const views = driver.createInputTopic('views', S, Serdes.json<View>());
    expect(() => views.pipeInput('k', { page: 'boom' }, 2)).toThrow(ProcessingError);
    expect(() => views.pipeInput('k', { page: 'boom' }, 2)).toThrow(
      /views-0 offset 2 failed: page boom is cursed/,
    );
    await driver.close();
  });

  it('log-and-continue skips and counts; later records flow', async () => {
    const driver = new TopologyTestDriver(topology(), {
      deserializationErrorHandler: 'log-and-continue',
      processingErrorHandler: 'log-and-continue',
    });
    driver.createInputTopic('views', S, B).pipeInput('k', new TextEncoder().encode('{'), 1);
    const views = driver.createInputTopic('views', S, Serdes.json<View>());
    views.pipeInput('k', { page: 'boom' }, 2);
    views.pipeInput('k', { page: 'home' }, 3);
    expect(driver.createOutputTopic('pages', S, S).readValuesToList()).toEqual(['HOME']);
    expect(driver.droppedRecords).toBe(2);
    await driver.close();
  });

  it('a dead-letter topic receives the input bytes with headers naming source, offset and cause', async () => {
    const dlq = { deadLetterTopic: 'views-dlq' };
    const driver = new TopologyTestDriver(topology(), {
      deserializationErrorHandler: dlq,
      processingErrorHandler: dlq,
    });
    const bad = new TextEncoder().encode('{not json');
    driver
      .createInputTopic('views', S, B)
      .pipeInput('k1', bad, 10, [{ key: 'trace', value: new Uint8Array([7]) }]);
    driver.createInputTopic('views', S, Serdes.json<View>()).pipeInput('k2', { page: 'boom' }, 11);
    const dead = driver.createOutputTopic('views-dlq', S, B).readRecordsToList();
    expect(dead.map((r) => [r.key, r.timestamp])).toEqual([
      ['k1', 10],
      ['k2', 11],
    ]);
    expect(new Uint8Array(dead[0]!.value!)).toEqual(bad);
    expect(JSON.parse(new TextDecoder().decode(dead[1]!.value!))).toEqual({ page: 'boom' });
    const h0 = dead[0]!.headers as { key: string; value: Uint8Array | null }[];
    expect(h0[0]).toEqual({ key: 'trace', value: new Uint8Array([7]) });
    expect([
      text(h0, DLQ_HEADERS.topic),
      text(h0, DLQ_HEADERS.partition),
      text(h0, DLQ_HEADERS.offset),
    ]).toEqual(['views', '0', '0']);
    expect(text(h0, DLQ_HEADERS.exception)).toBe('SerializationError');
    const h1 = dead[1]!.headers as { key: string; value: Uint8Array | null }[];
    expect(text(h1, DLQ_HEADERS.exception)).toBe('TypeError');
    expect(text(h1, DLQ_HEADERS.message)).toMatch(/page boom is cursed/);
    expect(text(h1, DLQ_HEADERS.offset)).toBe('1');
    expect(driver.droppedRecords).toBe(2);
    await driver.close();
  });

  it('runtime failures are not the record’s fault and always fail', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S }).process(() => ({
      process() {
        throw new (class extends Error {})('plain');
      },
    }));
    const ok = new TopologyTestDriver(b.build(), { processingErrorHandler: 'log-and-continue' });
    ok.createInputTopic('in', S, S).pipeInput('k', 'v', 1);
    expect(ok.droppedRecords).toBe(1);
    await ok.close();
    const b2 = new StreamsBuilder();
    b2.stream('in', { key: S, value: S }).process<string, string>(() => {
      let ctx: { forward(r: unknown, child: string): void };
      return {
        init: (c) => {
          ctx = c as never;
        },
        process: (r) => ctx.forward(r, 'nobody'),
      };
    });
    const broken = new TopologyTestDriver(b2.build(), { processingErrorHandler: 'log-and-continue' });
    expect(() => broken.createInputTopic('in', S, S).pipeInput('k', 'v', 1)).toThrow(
      /no child named 'nobody'/,
    );
    await broken.close();
  });
});
