/**
 * Every stateless KStream operator through TopologyTestDriver, with explicit timestamps, nulls and
 * headers: outputs keep the input's timestamp and headers, tombstones reach user functions.
 */
import { filter, map, mergeMap, of, scan, tap } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { keyValue, type StreamRecord } from '../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
const h = [{ key: 'trace', value: new Uint8Array([1, 2]) }];

function run(
  build: (b: StreamsBuilder) => void,
  inputs: [string | null, string | null, number][],
  out = 'out',
): { key: string | null; value: string | null; timestamp: number; headers: readonly unknown[] }[] {
  const b = new StreamsBuilder();
  build(b);
  const driver = new TopologyTestDriver(b.build());
  const input = driver.createInputTopic('in', S, S);
  for (const [k, v, t] of inputs) input.pipeInput(k, v, t, h);
  const result = driver.createOutputTopic(out, S, S).readRecordsToList();
  driver.close();
  return result;
}

describe('KStream stateless operators', () => {
  it('filter keeps matching records with their timestamp and headers, and sees tombstones', () => {
    const seen: (string | null)[] = [];
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .filter((_, v) => {
            seen.push(v);
            return v === null || v.startsWith('a');
          })
          .to('out'),
      [
        ['k1', 'apple', 10],
        ['k2', 'banana', 20],
        ['k3', null, 30],
      ],
    );
    expect(out).toEqual([
      { key: 'k1', value: 'apple', timestamp: 10, headers: h },
      { key: 'k3', value: null, timestamp: 30, headers: h },
    ]);
    expect(seen).toEqual(['apple', 'banana', null]);
  });

  it('filterNot drops matching records', () => {
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .filterNot((k) => k === 'x')
          .to('out'),
      [
        ['x', '1', 1],
        ['y', '2', 2],
      ],
    );
    expect(out.map((r) => r.key)).toEqual(['y']);
  });

  it('map changes key and value and keeps the timestamp', () => {
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .map((k, v) => keyValue(v, `${k}!`))
          .to('out', { key: S, value: S }),
      [['a', 'b', 7]],
    );
    expect(out).toEqual([{ key: 'b', value: 'a!', timestamp: 7, headers: h }]);
  });

  it('mapValues passes the value and the read-only key, keeping key serde and nulls', () => {
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .mapValues((v, k) => (v === null ? null : `${k}:${v.length}`))
          .to('out', { value: S }),
      [
        ['a', 'xyz', 1],
        [null, null, 2],
      ],
    );
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 'a:3', 1],
      [null, null, 2],
    ]);
  });

  it('flatMap and flatMapValues emit zero or more records, each with the input timestamp', () => {
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .flatMap((k, v) => (v ?? '').split(',').map((p) => keyValue(p, k)))
          .flatMapValues((v) => (v === 'skip' ? [] : [v, v]))
          .to('out', str),
      [
        ['a', 'x,y', 5],
        ['skip', '', 6],
      ],
    );
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual(
      [
        ['x', 'a', 5],
        ['x', 'a', 5],
        ['y', 'a', 5],
        ['y', 'a', 5],
        ['', 'skip', 6],
      ].filter((r) => r[1] !== 'skip'),
    );
  });

  it('selectKey may set a null key', () => {
    const out = run(
      (b) =>
        b
          .stream('in', str)
          .selectKey((_, v) => (v === 'none' ? null : v))
          .to('out', { key: S }),
      [
        ['a', 'none', 1],
        ['b', 'v', 2],
      ],
    );
    expect(out.map((r) => [r.key, r.value])).toEqual([
      [null, 'none'],
      ['v', 'v'],
    ]);
  });

  it('peek and foreach see every record; peek passes them on', () => {
    const peeked: string[] = [];
    const each: string[] = [];
    const out = run(
      (b) => {
        const s = b.stream('in', str).peek((k) => peeked.push(k ?? 'null'));
        s.foreach((_, v) => each.push(v ?? 'null'));
        s.to('out');
      },
      [
        ['a', '1', 1],
        [null, null, 2],
      ],
    );
    expect(peeked).toEqual(['a', 'null']);
    expect(each).toEqual(['1', 'null']);
    expect(out).toHaveLength(2);
  });

  it('merge interleaves two streams in arrival order', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', str);
    const right = b.stream('right', str).mapValues((v) => v.toUpperCase());
    left.merge(right).to('out', str);
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('left', S, S).pipeInput('l', 'a', 1);
    driver.createInputTopic('right', S, S).pipeInput('r', 'b', 2);
    driver.createInputTopic('left', S, S).pipeInput('l', 'c', 3);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'l', value: 'a' },
      { key: 'r', value: 'B' },
      { key: 'l', value: 'c' },
    ]);
  });

  it('split sends each record to the first matching branch, else the default branch', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in', str)
      .split({ as: 'size-' })
      .branch((_, v) => v.length > 5, { as: 'long' })
      .branch((_, v) => v.length > 2, { withFunction: (s) => s.mapValues((v) => `mid:${v}`) })
      .defaultBranch({ as: 'short' });
    expect(Object.keys(branches)).toEqual(['size-long', 'size-2', 'size-short']);
    branches['size-long']!.to('long');
    branches['size-2']!.to('mid', { value: S });
    branches['size-short']!.to('short');
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['abcdefg', 'abcd', 'ab']) input.pipeInput('k', v, 1);
    expect(driver.createOutputTopic('long', S, S).readValue()).toBe('abcdefg');
    expect(driver.createOutputTopic('mid', S, S).readValue()).toBe('mid:abcd');
    expect(
      driver
        .createOutputTopic('short', S, S)
        .readRecordsToList()
        .map((r) => r.value),
    ).toEqual(['ab']);
  });

  it('split without a default branch drops what no predicate takes, and a consumer branch is left out of the map', () => {
    const b = new StreamsBuilder();
    const branches = b
      .stream('in', str)
      .split()
      .branch((_, v) => v === 'a', { withConsumer: (s) => s.to('a') })
      .branch((_, v) => v === 'b')
      .noDefaultBranch();
    expect(Object.keys(branches)).toEqual(['KSTREAM-BRANCH-00000000012']);
    branches['KSTREAM-BRANCH-00000000012']!.to('b');
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    for (const v of ['a', 'b', 'c']) input.pipeInput('k', v, 1);
    expect(driver.createOutputTopic('a', S, S).readValue()).toBe('a');
    expect(driver.createOutputTopic('b', S, S).readValue()).toBe('b');
  });

  it('to with a topic extractor routes each record', () => {
    const b = new StreamsBuilder();
    b.stream('in', str).to((k, _v, ctx) => `${ctx.sourceTopic}-${k}`);
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('x', '1', 1);
    input.pipeInput('y', '2', 2);
    expect(driver.createOutputTopic('in-x', S, S).readKeyValue()).toEqual({ key: 'x', value: '1' });
    expect(driver.createOutputTopic('in-y', S, S).readKeyValue()).toEqual({ key: 'y', value: '2' });
  });

  it('pipe runs synchronous RxJS operators per record, keeping state across records', () => {
    const b = new StreamsBuilder();
    const tapped: string[] = [];
    b.stream('in', str)
      .pipe(
        filter((r: StreamRecord<string, string>) => r.value !== 'drop'),
        tap((r) => tapped.push(r.value)),
        scan((acc, r) => ({ ...r, value: acc.value + r.value.length }), {
          key: '',
          value: 0,
          timestamp: 0,
          headers: [],
        } as StreamRecord<string, number>),
        mergeMap((r) => of(r, { ...r, value: -r.value })),
      )
      .mapValues((v) => String(v))
      .to('out', str);
    // The build-time probe (see time-based-operator-guard.ts) runs each operator once on a null record.
    expect(tapped).toEqual([null]);
    tapped.length = 0;
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'ab', 10);
    input.pipeInput('k', 'drop', 11);
    input.pipeInput('k', 'xyz', 12, h);
    expect(tapped).toEqual(['ab', 'xyz']);
    expect(driver.createOutputTopic('out', S, S).readRecordsToList()).toEqual([
      { key: 'k', value: '2', timestamp: 10, headers: [] },
      { key: 'k', value: '-2', timestamp: 10, headers: [] },
      { key: 'k', value: '5', timestamp: 12, headers: h },
      { key: 'k', value: '-5', timestamp: 12, headers: h },
    ]);
  });

  it('pipe rethrows an error from an operator synchronously for the record that caused it', () => {
    const b = new StreamsBuilder();
    b.stream('in', str)
      .pipe(
        map((r: StreamRecord<string, string>) => {
          if (r.value === 'bad') throw new Error('bad value');
          return r;
        }),
      )
      .to('out', str);
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('k', 'ok', 1);
    expect(() => input.pipeInput('k', 'bad', 2)).toThrow('bad value');
  });
});
