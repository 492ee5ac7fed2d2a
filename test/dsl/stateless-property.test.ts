/**
 * Property: a random chain of stateless operators through TopologyTestDriver produces what the same
 * functions applied by a plain array model produce (keys, values, timestamps, order).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { KStream } from '../../src/dsl/kstream.js';
import { keyValue } from '../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../src/testing/topology-test-driver.js';

interface Rec {
  key: string | null;
  value: number;
  timestamp: number;
}

type Step =
  | { op: 'filter'; mod: number }
  | { op: 'filterNot'; mod: number }
  | { op: 'mapValues'; add: number }
  | { op: 'map' }
  | { op: 'selectKey'; mod: number }
  | { op: 'flatMapValues'; copies: number };

const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('filter' as const), mod: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('filterNot' as const), mod: fc.integer({ min: 1, max: 4 }) }),
  fc.record({ op: fc.constant('mapValues' as const), add: fc.integer({ min: -5, max: 5 }) }),
  fc.record({ op: fc.constant('map' as const) }),
  fc.record({ op: fc.constant('selectKey' as const), mod: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('flatMapValues' as const), copies: fc.integer({ min: 0, max: 2 }) }),
);

const keep = (v: number, mod: number): boolean => ((v % mod) + mod) % mod === 0;
const newKey = (k: string | null, v: number): string => `${k ?? 'null'}/${v}`;

function model(input: Rec[], steps: Step[]): Rec[] {
  let recs = input;
  for (const s of steps) {
    switch (s.op) {
      case 'filter':
        recs = recs.filter((r) => keep(r.value, s.mod));
        break;
      case 'filterNot':
        recs = recs.filter((r) => !keep(r.value, s.mod));
        break;
      case 'mapValues':
        recs = recs.map((r) => ({ ...r, value: r.value + s.add }));
        break;
      case 'map':
        recs = recs.map((r) => ({ ...r, key: newKey(r.key, r.value), value: r.value * 2 }));
        break;
      case 'selectKey':
        recs = recs.map((r) => ({ ...r, key: keep(r.value, s.mod) ? null : String(r.value) }));
        break;
      case 'flatMapValues':
        recs = recs.flatMap((r) =>
          Array.from({ length: s.copies }, (_, i) => ({ ...r, value: r.value + i })),
        );
        break;
    }
  }
  return recs;
}

function chain(stream: KStream<string | null, number>, steps: Step[]): KStream<string | null, number> {
  let s = stream;
  for (const st of steps) {
    switch (st.op) {
      case 'filter':
        s = s.filter((_, v) => keep(v, st.mod));
        break;
      case 'filterNot':
        s = s.filterNot((_, v) => keep(v, st.mod));
        break;
      case 'mapValues':
        s = s.mapValues((v) => v + st.add);
        break;
      case 'map':
        s = s.map((k, v) => keyValue<string | null, number>(newKey(k, v), v * 2));
        break;
      case 'selectKey':
        s = s.selectKey((_, v) => (keep(v, st.mod) ? null : String(v)));
        break;
      case 'flatMapValues':
        s = s.flatMapValues((v) => Array.from({ length: st.copies }, (_, i) => v + i));
        break;
    }
  }
  return s;
}

describe('stateless chains against an array model', () => {
  it('a random chain of stateless operators equals the array model', () => {
    const rec = fc.record({
      key: fc.option(fc.string({ maxLength: 3 })),
      value: fc.integer({ min: -100, max: 100 }),
      timestamp: fc.integer({ min: 0, max: 1_000_000 }),
    });
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 30 }), fc.array(step, { maxLength: 6 }), (input, steps) => {
        const b = new StreamsBuilder();
        const S = Serdes.string();
        const N = Serdes.int32();
        chain(b.stream<string | null, number>('in', { key: S, value: N }), steps).to('out', {
          key: S,
          value: N,
        });
        const driver = new TopologyTestDriver(b.build());
        const topic = driver.createInputTopic<string | null, number>('in', S, N);
        for (const r of input) topic.pipeInput(r.key, r.value, r.timestamp);
        const out = driver
          .createOutputTopic('out', S, N)
          .readRecordsToList()
          .map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp }));
        expect(out).toEqual(model(input, steps));
      }),
      { numRuns: 200 },
    );
  });
});
