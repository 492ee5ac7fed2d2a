/**
 * Table-table joins on the primary key through TopologyTestDriver: an update on either side looks
 * up the other, forwards the new joined value (null for a delete) at the later of the two sides'
 * timestamps, and emits nothing when the join had and has no row.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
const pair = (l: string | null, r: string | null) => `${l}+${r}`;

function setup(kind: 'join' | 'leftJoin' | 'outerJoin') {
  const b = new StreamsBuilder();
  const left = b.table('left', str);
  const right = b.table('right', str);
  const m = { as: 'joined', value: S };
  const joined =
    kind === 'join'
      ? left.join(right, pair, m)
      : kind === 'leftJoin'
        ? left.leftJoin(right, pair, m)
        : left.outerJoin(right, pair, m);
  joined.toStream().to('out', { value: S });
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

describe('KTable.join(KTable)', () => {
  it('inner: emits when both sides have a value, at the later timestamp, and deletes when one goes', async () => {
    const { driver, l, r, read } = setup('join');
    l.pipeInput('a', 'l1', 10);
    r.pipeInput('a', 'r1', 5);
    l.pipeInput('a', 'l2', 20);
    r.pipeInput('a', null, 30);
    l.pipeInput('a', null, 40); // nothing joined before or after
    r.pipeInput('b', 'rb', 1); // no left side
    expect(read()).toEqual([
      ['a', 'l1+r1', 10],
      ['a', 'l2+r1', 20],
      ['a', null, 30],
    ]);
    expect(driver.getKeyValueStore<string, string>('joined').get('a')).toBeUndefined();
    await driver.close();
  });

  it('left: every left row joins, with null for a missing right row', async () => {
    const { driver, l, r, read } = setup('leftJoin');
    l.pipeInput('a', 'l1', 10);
    r.pipeInput('a', 'r1', 15);
    r.pipeInput('a', null, 16);
    l.pipeInput('a', null, 17);
    r.pipeInput('b', 'rb', 1);
    expect(read()).toEqual([
      ['a', 'l1+null', 10],
      ['a', 'l1+r1', 15],
      ['a', 'l1+null', 16],
      ['a', null, 17],
    ]);
    await driver.close();
  });

  it('outer: a row of either side joins, and the result keeps the later timestamp', async () => {
    const { driver, l, r, read } = setup('outerJoin');
    r.pipeInput('b', 'r', 5);
    l.pipeInput('b', 'l', 3);
    l.pipeInput('b', null, 6);
    r.pipeInput('b', null, 7);
    expect(read()).toEqual([
      ['b', 'null+r', 5],
      ['b', 'l+r', 5],
      ['b', 'null+r', 6],
      ['b', null, 7],
    ]);
    await driver.close();
  });

  it('materializes the result with its timestamp', async () => {
    const { driver, l, r } = setup('join');
    l.pipeInput('a', 'l1', 10);
    r.pipeInput('a', 'r1', 12);
    expect(driver.getTimestampedKeyValueStore<string, string>('joined').get('a')).toEqual({
      value: 'l1+r1',
      timestampMs: 12,
    });
    await driver.close();
  });

  it('a non-materialized join result can be looked up: its getter joins both sides again', async () => {
    const b = new StreamsBuilder();
    const joined = b.table('left', str).leftJoin(b.table('right', str), pair);
    b.stream('s', str)
      .join(joined, (s, j) => `${s}:${j}`)
      .to('out', { value: S });
    const topology = b.build();
    expect(topology.copartitionGroups).toEqual([['left', 'right', 's']]);
    const driver = new TopologyTestDriver(topology);
    driver.createInputTopic('left', S, S).pipeInput('a', 'l', 1);
    driver.createInputTopic('right', S, S).pipeInput('a', 'r', 2);
    driver.createInputTopic('s', S, S).pipeInput('a', 'x', 3);
    driver.createInputTopic('s', S, S).pipeInput('b', 'x', 3);
    expect(driver.createOutputTopic('out', S, S).readValuesToList()).toEqual(['x:l+r']);
    await driver.close();
  });
});
