/**
 * The Processor API through TopologyTestDriver: stores connected by name, forwarding to all or one
 * child, processValues keeping the key, punctuators on stream time (aligned to the interval, fired
 * once per jump, with the current stream time) and on the injected wall clock, close, and the
 * errors a misuse gets.
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import type { Processor, ProcessorContext } from '../../../src/dsl/processor-api.js';
import { Stores } from '../../../src/dsl/store-definitions.js';
import type { StreamRecord } from '../../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import type { KeyValueStore } from '../../../src/state-stores/key-value-store.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();
const str = { key: S, value: S };

/** Counts per key in a store; emits all counts on each stream-time punctuation. */
class CountAndEmit implements Processor<string, string, string, number> {
  private context!: ProcessorContext<string, number>;
  private store!: KeyValueStore<string, number>;
  readonly punctuations: number[] = [];
  closed = false;
  constructor(private readonly type: 'stream-time' | 'wall-clock-time') {}
  init(context: ProcessorContext<string, number>): void {
    this.context = context;
    this.store = context.getStateStore('counts');
    context.schedule(10, this.type, (t) => {
      this.punctuations.push(t);
      expect(context.recordMetadata()).toBeNull();
      for (const { key, value } of this.store.all())
        context.forward({ key, value, timestamp: t, headers: [] });
    });
  }
  process(record: StreamRecord<string, string>): void {
    expect(this.context.recordMetadata()?.topic).toBe('in');
    this.store.put(record.key, (this.store.get(record.key) ?? 0) + 1);
  }
  close(): void {
    this.closed = true;
  }
}

function build(processor: CountAndEmit) {
  const b = new StreamsBuilder();
  b.addStateStore(Stores.keyValue('counts', { key: S, value: N }));
  b.stream('in', str)
    .process(() => processor, { stores: ['counts'] })
    .to('out', { key: S, value: N });
  return b.build();
}

describe('Processor API', () => {
  it('stream-time punctuators fire at multiples of the interval, once per jump, with the stream time', async () => {
    const p = new CountAndEmit('stream-time');
    const driver = new TopologyTestDriver(build(p));
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 3); // first record: due at 0
    input.pipeInput('a', 'x', 9); // next due at 10
    input.pipeInput('b', 'x', 10);
    input.pipeInput('b', 'x', 5); // out of order: stream time stays 10
    input.pipeInput('a', 'x', 47); // jump over 20, 30, 40: fires once
    input.pipeInput('a', 'x', 49);
    input.pipeInput('a', 'x', 50);
    expect(p.punctuations).toEqual([3, 10, 47, 50]);
    const out = driver.createOutputTopic('out', S, N).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 3],
      ['a', 2, 10],
      ['b', 1, 10],
      ['a', 3, 47],
      ['b', 2, 47],
      ['a', 5, 50],
      ['b', 2, 50],
    ]);
    expect(driver.getKeyValueStore<string, number>('counts').get('a')).toBe(5);
    await driver.close();
    expect(p.closed).toBe(true);
  });

  it('wall-clock punctuators fire as the driver advances the injected clock, not on records', async () => {
    const p = new CountAndEmit('wall-clock-time');
    const driver = new TopologyTestDriver(build(p));
    driver.createInputTopic('in', S, S).pipeInput('a', 'x', 1_000_000);
    expect(p.punctuations).toEqual([]);
    driver.advanceWallClockTime(9);
    expect(p.punctuations).toEqual([]);
    driver.advanceWallClockTime(1);
    driver.advanceWallClockTime(25);
    expect(p.punctuations).toEqual([10, 35]);
    expect(driver.createOutputTopic('out', S, N).readValuesToList()).toEqual([1, 1]);
    await driver.close();
  });

  it('forwards to one child by name, and processValues keeps the input key', async () => {
    const b = new StreamsBuilder();
    const routed = b.stream('in', str).process<string, string>(
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
          },
          process: (r) =>
            ctx.forward({ ...r, value: r.value.toUpperCase() }, r.value.startsWith('a') ? 'to-a' : 'to-b'),
        };
      },
      { as: 'router' },
    );
    routed.to('a', { as: 'to-a', key: S, value: S });
    routed.to('b', { as: 'to-b', key: S, value: S });
    b.stream('in2', str)
      .processValues<number>(() => {
        let ctx: ProcessorContext<string, number>;
        return {
          init: (c) => {
            ctx = c;
          },
          process: (r) =>
            ctx.forward({ key: 'ignored', value: r.value.length, timestamp: r.timestamp, headers: [] }),
        };
      })
      .to('lengths', { value: N });
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('in', S, S).pipeInput('k', 'apple', 1);
    driver.createInputTopic('in', S, S).pipeInput('k', 'berry', 2);
    driver.createInputTopic('in2', S, S).pipeInput('kept', 'four', 3);
    expect(driver.createOutputTopic('a', S, S).readValuesToList()).toEqual(['APPLE']);
    expect(driver.createOutputTopic('b', S, S).readValuesToList()).toEqual(['BERRY']);
    expect(driver.createOutputTopic('lengths', S, N).readKeyValuesToList()).toEqual([
      { key: 'kept', value: 4 },
    ]);
    await driver.close();
  });

  it('refuses a store that is not connected, a child that does not exist, and a store that does not exist', async () => {
    expect(() => {
      const b = new StreamsBuilder();
      b.stream('in', str).process(() => ({ process() {} }), { stores: ['missing'] });
    }).toThrow(/uses store 'missing', which the topology does not have/);

    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValue('counts', { key: S, value: N }));
    b.addStateStore(Stores.keyValue('other', { key: S, value: N }));
    b.stream('in', str).process(
      () => {
        let ctx: ProcessorContext<string, string>;
        return {
          init: (c) => {
            ctx = c;
            ctx.getStateStore('counts');
          },
          process: (r) => {
            if (r.value === 'store') ctx.getStateStore('other');
            ctx.forward(r, 'nobody');
          },
        };
      },
      { stores: ['counts'] },
    );
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    expect(() => input.pipeInput('k', 'store', 1)).toThrow(/not connected to store 'other'/);
    expect(() => input.pipeInput('k', 'v', 1)).toThrow(TopologyError);
    expect(() => input.pipeInput('k', 'v', 1)).toThrow(/no child named 'nobody'; its children: none/);
    await driver.close();
  });

  it('refuses two stores with one name and an illegal store name', () => {
    const b = new StreamsBuilder();
    b.addStateStore(Stores.keyValue('s', { key: S, value: N }));
    expect(() => b.addStateStore(Stores.keyValue('s', { key: S, value: S }))).toThrow(
      /store named 's' already exists/,
    );
    expect(() => Stores.keyValue('bad name', { key: S, value: N })).toThrow(/not a legal topic-name part/);
    expect(() => Stores.window('w', { key: S, value: N, windowSizeMs: 10, retentionMs: 5 })).toThrow(
      /at least windowSizeMs/,
    );
  });
});
