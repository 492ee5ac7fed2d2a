/**
 * Invalid topologies throw TopologyError with a readable sentence: no source, a topic read twice,
 * a name clash, a sink without a serde, an input topic no source reads, and time-based RxJS
 * operators in pipe(...) (with the windowing operator to use instead).
 */
import {
  auditTime,
  bufferTime,
  debounceTime,
  delay,
  interval,
  map,
  mergeMap,
  type OperatorFunction,
  sampleTime,
  throttleTime,
  timeout,
  timer,
} from 'rxjs';
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../src/common/errors.js';
import type { StreamRecord } from '../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
type R = StreamRecord<string, string>;

function pipeOf(...ops: OperatorFunction<R, R>[]): () => void {
  return () => {
    const s = new StreamsBuilder().stream('in', str);
    (s.pipe as (...a: unknown[]) => unknown)(...ops);
  };
}

describe('invalid topologies', () => {
  it('a topology without a source is refused', () => {
    expect(() => new StreamsBuilder().build()).toThrow(
      new TopologyError('A topology needs at least one source: call builder.stream(topic, serdes) first.'),
    );
  });

  it('a topic read by two sources is refused', () => {
    const b = new StreamsBuilder();
    b.stream('in', str);
    expect(() => b.stream(['x', 'in'], str)).toThrow(
      /Topic 'in' is already read by source 'KSTREAM-SOURCE-0000000000'/,
    );
  });

  it('a name used twice is refused, naming the name', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', str).filter(() => true, { as: 'clean' });
    expect(() => s.mapValues((v) => v, { as: 'clean' })).toThrow(
      new TopologyError(
        "The name 'clean' is used by two nodes; names must be unique in a topology. Choose another with { as }.",
      ),
    );
  });

  it('a sink whose serde is neither given nor inherited is refused', () => {
    const b = new StreamsBuilder();
    expect(() =>
      b
        .stream('in', str)
        .mapValues((v) => v.length)
        .to('out'),
    ).toThrow(/Sink 'KSTREAM-SINK-0000000002' writing to topic 'out' has no value serde/);
  });

  it('an input topic that no source reads is refused by the driver (a missing source)', () => {
    const b = new StreamsBuilder();
    b.stream('in', str).to('out');
    const driver = new TopologyTestDriver(b.build());
    expect(() => driver.createInputTopic('out', S, S)).toThrow(
      new TopologyError("No source of the topology reads topic 'out'; the sources read: in."),
    );
  });

  it.each([
    ['debounceTime', debounceTime<R>(10), 'SessionWindows'],
    ['delay', delay<R>(10), 'punctuator'],
    ['bufferTime', bufferTime<R>(10) as unknown as OperatorFunction<R, R>, 'TimeWindows'],
    ['auditTime', auditTime<R>(10), 'TimeWindows'],
    ['throttleTime', throttleTime<R>(10), 'TimeWindows'],
    ['timeout', timeout<R>(10), 'punctuator'],
    ['sampleTime', sampleTime<R>(10), 'TimeWindows'],
  ] as const)('pipe refuses %s and names the windowing operator to use', (_name, op, advice) => {
    const build = pipeOf(
      map((r: R) => r),
      op,
    );
    expect(build).toThrow(TopologyError);
    expect(build).toThrow(/uses the time-based operator \w+ \(operator 2\)/);
    expect(build).toThrow(advice);
  });

  it('pipe refuses timer- and interval-based inner observables even after a function that rejects the probe', () => {
    const viaTimer = pipeOf(
      map((r: R) => ({ ...r, value: r.value.toUpperCase() })),
      mergeMap((r: R) => timer(5).pipe(map(() => r))),
    );
    expect(viaTimer).toThrow(/time-based operator/);
    const viaInterval = pipeOf(mergeMap((r: R) => interval(5).pipe(map(() => r))));
    expect(viaInterval).toThrow(TopologyError);
  });

  it('pipe with no operator is refused', () => {
    expect(() => new StreamsBuilder().stream('in', str).pipe({ as: 'x' } as never)).toThrow(
      'pipe(...) needs at least one RxJS operator.',
    );
  });
});
