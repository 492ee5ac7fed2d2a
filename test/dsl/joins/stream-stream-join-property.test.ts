/**
 * Property: a windowed stream-stream join equals a nested-loop model. The model replays the input
 * in arrival order with the join's one observed stream time (the largest timestamp either side has
 * processed); a record more than grace older than it is late and dropped. Every pair of accepted
 * records of one key within the window joins once, at the later timestamp. For the left join, an
 * accepted left record that no accepted right record matches is emitted with null once stream
 * time passes its timestamp + after + grace.
 *
 * On failure fc.assert prints the seed and path; to replay, pass them back:
 * `fc.assert(property, { seed: <seed>, path: '<path>', endOnFailure: true })`.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { JoinWindows } from '../../../src/dsl/windows/join-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();

interface Event {
  readonly side: 'L' | 'R';
  readonly key: string;
  readonly t: number;
}

const scenario = fc
  .record({
    before: fc.integer({ min: -5, max: 10 }),
    after: fc.integer({ min: -5, max: 10 }),
    grace: fc.integer({ min: 0, max: 15 }),
    events: fc.array(
      fc.record({
        side: fc.constantFrom<'L' | 'R'>('L', 'R'),
        key: fc.constantFrom('a', 'b', 'c'),
        t: fc.nat(60),
      }),
      { maxLength: 40 },
    ),
  })
  .filter((s) => s.before + s.after >= 0);

type Scenario = { before: number; after: number; grace: number; events: Event[] };

function model(s: Scenario, left: boolean): string[] {
  let streamTime = Number.NEGATIVE_INFINITY;
  const accepted: (Event & { v: string })[] = [];
  s.events.forEach((e, i) => {
    streamTime = Math.max(streamTime, e.t);
    if (e.t + s.grace < streamTime) return;
    accepted.push({ ...e, v: `${e.side}${i}` });
  });
  const joins = (l: Event, r: Event) => l.key === r.key && l.t - s.before <= r.t && r.t <= l.t + s.after;
  const out: string[] = [];
  for (const l of accepted.filter((e) => e.side === 'L')) {
    const partners = accepted.filter((r) => r.side === 'R' && joins(l, r));
    for (const r of partners) out.push(`${l.key}|${l.v}+${r.v}|${Math.max(l.t, r.t)}`);
    if (left && partners.length === 0 && l.t + s.after + s.grace < streamTime)
      out.push(`${l.key}|${l.v}+null|${l.t}`);
  }
  return out.sort();
}

function run(s: Scenario, left: boolean): string[] {
  const b = new StreamsBuilder();
  const str = { key: S, value: S };
  const windows = JoinWindows.ofTimeDifferenceAndGrace(10, s.grace).after(s.after).before(s.before);
  const joiner = (l: string, r: string | null) => `${l}+${r}`;
  const l = b.stream('left', str);
  const r = b.stream('right', str);
  (left ? l.leftJoin(r, joiner, windows) : l.join(r, joiner, windows)).to('out', { value: S });
  const driver = new TopologyTestDriver(b.build());
  const inputs = { L: driver.createInputTopic('left', S, S), R: driver.createInputTopic('right', S, S) };
  s.events.forEach((e, i) => {
    inputs[e.side].pipeInput(e.key, `${e.side}${i}`, e.t);
  });
  const out = driver.createOutputTopic('out', S, S).readRecordsToList();
  void driver.close();
  return out.map((x) => `${x.key}|${x.value}|${x.timestamp}`).sort();
}

describe('stream-stream join against a nested-loop model', () => {
  it('the inner join emits exactly the pairs of accepted records within the window, at the later time', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(run(s, false)).toEqual(model(s, false));
      }),
      { numRuns: 300 },
    );
  });

  it('the left join adds each unmatched left record once its window has closed, and no other', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        expect(run(s, true)).toEqual(model(s, true));
      }),
      { numRuns: 200 },
    );
  });
});
