/**
 * Windowed stream-stream joins through TopologyTestDriver: window boundaries (both ends included),
 * out-of-order and late records, output timestamps (the later of the two records), null keys and
 * values, and left/outer results that wait for the window to close (KIP-633).
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import { keyValue } from '../../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { JoinWindows } from '../../../src/dsl/windows/join-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
const pair = (l: string | null, r: string | null) => `${l}+${r}`;

function setup(kind: 'join' | 'leftJoin' | 'outerJoin', windows: JoinWindows) {
  const b = new StreamsBuilder();
  const left = b.stream('left', str);
  const right = b.stream('right', str);
  const options = { as: 'j' };
  const joined =
    kind === 'join'
      ? left.join(right, pair, windows, options)
      : kind === 'leftJoin'
        ? left.leftJoin(right, pair, windows, options)
        : left.outerJoin(right, pair, windows, options);
  joined.to('out', { value: S });
  const driver = new TopologyTestDriver(b.build());
  return {
    driver,
    l: driver.createInputTopic('left', S, S),
    r: driver.createInputTopic('right', S, S),
    read: () =>
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((x) => [x.key, x.value, x.timestamp]),
  };
}

describe('KStream.join (windowed)', () => {
  it('joins records of one key whose times differ by at most the window, both ends included, at the later time', async () => {
    const { driver, l, r, read } = setup('join', JoinWindows.ofTimeDifferenceAndGrace(10, 100));
    l.pipeInput('a', 'l1', 100);
    r.pipeInput('a', 'r1', 110); // t1 + after: joins
    r.pipeInput('a', 'r2', 90); // t1 - before, out of order: joins at 100
    r.pipeInput('a', 'r3', 89); // one too early
    r.pipeInput('b', 'r4', 100); // another key
    l.pipeInput('a', 'l2', 121); // 121 - 10 = 111 > 110: nothing
    l.pipeInput('a', 'l3', 120); // joins r1 only
    expect(read()).toEqual([
      ['a', 'l1+r1', 110],
      ['a', 'l1+r2', 100],
      ['a', 'l3+r1', 120],
    ]);
    await driver.close();
  });

  it('joins a record with every earlier duplicate of the other side', async () => {
    const { driver, l, r, read } = setup('join', JoinWindows.ofTimeDifferenceWithNoGrace(5));
    r.pipeInput('a', 'r1', 10);
    r.pipeInput('a', 'r1', 10);
    l.pipeInput('a', 'l1', 12);
    expect(read()).toEqual([
      ['a', 'l1+r1', 12],
      ['a', 'l1+r1', 12],
    ]);
    await driver.close();
  });

  it('drops null keys, null values and records older than stream time minus grace, counting each', async () => {
    const { driver, l, r, read } = setup('join', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    l.pipeInput(null, 'x', 1);
    l.pipeInput('a', null, 1);
    r.pipeInput('a', 'r1', 100);
    l.pipeInput('a', 'late', 79); // 79 + 20 < 100
    l.pipeInput('a', 'l1', 90); // within grace: joins r1
    expect(read()).toEqual([['a', 'l1+r1', 100]]);
    expect(driver.droppedRecords).toBe(3);
    expect([...driver.droppedRecordsByProcessor().keys()].sort()).toEqual([
      'j-this-join: late record (outside the join window grace)',
      'j-this-join: null key',
      'j-this-join: null value',
    ]);
    await driver.close();
  });

  it('honours an asymmetric window seen from both sides', async () => {
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 100).before(0); // right in [t1, t1 + 10]
    const { driver, l, r, read } = setup('join', w);
    l.pipeInput('a', 'l1', 100);
    r.pipeInput('a', 'early', 99);
    r.pipeInput('a', 'r1', 105);
    l.pipeInput('a', 'l2', 106); // r1 at 105 is earlier than l2: outside [106, 116]
    expect(read()).toEqual([['a', 'l1+r1', 105]]);
    await driver.close();
  });
});

describe('KStream.leftJoin and outerJoin (windowed)', () => {
  it('emits a null-key record at once, joined with null, from a side whose unmatched records are kept (KIP-962)', async () => {
    const left = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    left.l.pipeInput(null, 'x', 5);
    left.r.pipeInput(null, 'y', 6); // the right side of a left join: dropped
    expect(left.read()).toEqual([[null, 'x+null', 5]]);
    expect([...left.driver.droppedRecordsByProcessor().keys()]).toEqual(['j-other-join: null key']);
    await left.driver.close();
    const outer = setup('outerJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    outer.r.pipeInput(null, 'y', 6);
    expect(outer.read()).toEqual([[null, 'null+y', 6]]);
    await outer.driver.close();
  });

  it('leftJoin emits an unmatched left record only after its window closes, and never once it is matched', async () => {
    const { driver, l, r, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceAndGrace(10, 20));
    l.pipeInput('a', 'l1', 100);
    r.pipeInput('a', 'r0', 111); // outside the window: no match
    r.pipeInput('a', 'r1', 108); // out of order but in the window: a match
    l.pipeInput('b', 'm', 105); // closes at 105 + after 10 + grace 20 = 135
    l.pipeInput('c', 'n', 110); // closes at 140
    expect(read()).toEqual([['a', 'l1+r1', 108]]);
    r.pipeInput('z', 'tick', 135); // stream time 135: not past b's close
    expect(read()).toEqual([]);
    r.pipeInput('z', 'tick', 136);
    expect(read()).toEqual([['b', 'm+null', 105]]);
    r.pipeInput('z', 'tick', 141);
    expect(read()).toEqual([['c', 'n+null', 110]]);
    await driver.close();
  });

  it('outerJoin emits unmatched records of both sides in timestamp order once their windows close', async () => {
    // Left sees right in [t - 2, t + 10]: left closes at t + 15, right at t + 7.
    const w = JoinWindows.ofTimeDifferenceAndGrace(10, 5).before(2);
    const { driver, l, r, read } = setup('outerJoin', w);
    r.pipeInput('k', 'r1', 50);
    l.pipeInput('k', 'l1', 45); // window [43, 55] holds r1: a match, so neither waits any more
    l.pipeInput('x', 'lx', 51); // closes at 66
    r.pipeInput('y', 'ry', 52); // closes at 59
    r.pipeInput('q', 'rq', 55); // closes at 62
    expect(read()).toEqual([['k', 'l1+r1', 50]]);
    l.pipeInput('w', 'tick', 60);
    expect(read()).toEqual([['y', 'null+ry', 52]]);
    l.pipeInput('w', 'tick', 67); // lx and rq are both due: oldest first
    expect(read()).toEqual([
      ['x', 'lx+null', 51],
      ['q', 'null+rq', 55],
    ]);
    await driver.close();
  });

  it('a left record whose window closed before it arrived (negative after) is emitted at once', async () => {
    // Left sees right in [t - 10, t - 5]: a left record at 100 closes at 95.
    const { driver, l, r, read } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10).after(-5));
    r.pipeInput('a', 'r1', 93);
    l.pipeInput('a', 'l1', 100); // 93 in [90, 95]
    l.pipeInput('b', 'l2', 100);
    expect(read()).toEqual([
      ['a', 'l1+r1', 100],
      ['b', 'l2+null', 100],
    ]);
    await driver.close();
  });

  it('holds unmatched records in the outer store, named after StreamJoined', async () => {
    const { driver, l } = setup('leftJoin', JoinWindows.ofTimeDifferenceWithNoGrace(10));
    l.pipeInput('a', 'l1', 1);
    expect([...driver.task.topology.stores.keys()]).toEqual([
      'j-this-join-store',
      'j-other-join-store',
      'j-outer-shared-join-store',
    ]);
    await driver.close();
  });
});

describe('stream-stream join topology', () => {
  it('repartitions a side whose key changed and joins on the new key', async () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', str).selectKey((_, v) => v.slice(0, 1));
    const right = b.stream('right', str);
    left
      .join(right, pair, JoinWindows.ofTimeDifferenceWithNoGrace(10), { as: 'j', key: S, value: S })
      .to('out', { value: S });
    const topology = b.build();
    expect(topology.internalTopics.map((t) => t.name)).toEqual(['j-left-repartition']);
    expect(topology.copartitionGroups).toEqual([['j-left-repartition', 'right']]);
    const driver = new TopologyTestDriver(topology);
    driver.createInputTopic('right', S, S).pipeInput('x', 'r', 5);
    driver.createInputTopic('left', S, S).pipeInput('k1', 'xyz', 7);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([keyValue('x', 'xyz+r')]);
    await driver.close();
  });

  it('refuses to repartition without a key serde', () => {
    const b = new StreamsBuilder();
    const left = b.stream('left', str).map((k, v) => keyValue(v, k));
    expect(() => left.join(b.stream('right', str), pair, JoinWindows.ofTimeDifferenceWithNoGrace(1))).toThrow(
      TopologyError,
    );
  });

  it('passes the key to the joiner as its third argument', async () => {
    const b = new StreamsBuilder();
    b.stream('left', str)
      .join(b.stream('right', str), (l, r, k) => `${k}:${l}${r}`, JoinWindows.ofTimeDifferenceWithNoGrace(1))
      .to('out', { value: S });
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('left', S, S).pipeInput('k', 'a', 1);
    driver.createInputTopic('right', S, S).pipeInput('k', 'b', 1);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['k:ab']);
    await driver.close();
  });
});
