/**
 * Stream-table and stream-globaltable joins through TopologyTestDriver: a stream record looks up
 * the table's current value, keeps its own timestamp, and table updates trigger nothing; null keys
 * follow KIP-962 (inner drops, left passes with a null table value).
 */
import { describe, expect, it } from 'vitest';
import { keyValue } from '../../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
const pair = (l: string, r: string | null) => `${l}+${r}`;

function setup(left: boolean) {
  const b = new StreamsBuilder();
  const table = b.table('table', str, { as: 'tbl' });
  const stream = b.stream('stream', str);
  (left ? stream.leftJoin(table, pair) : stream.join(table, pair)).to('out', { value: S });
  const driver = new TopologyTestDriver(b.build());
  return {
    driver,
    s: driver.createInputTopic('stream', S, S),
    t: driver.createInputTopic('table', S, S),
    read: () =>
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((x) => [x.key, x.value, x.timestamp]),
  };
}

describe('KStream.join(KTable)', () => {
  it('joins with the current table value at the stream record’s timestamp; table updates emit nothing', async () => {
    const { driver, s, t, read } = setup(false);
    s.pipeInput('a', 's0', 1); // no table value yet: dropped silently by an inner join
    t.pipeInput('a', 't1', 50);
    s.pipeInput('a', 's1', 10); // the table's later timestamp does not matter
    t.pipeInput('a', 't2', 60);
    s.pipeInput('a', 's2', 70);
    t.pipeInput('a', null, 80); // delete
    s.pipeInput('a', 's3', 90);
    expect(read()).toEqual([
      ['a', 's1+t1', 10],
      ['a', 's2+t2', 70],
    ]);
    await driver.close();
  });

  it('inner drops null keys and null values, counting them', async () => {
    const { driver, s, t, read } = setup(false);
    t.pipeInput('a', 't1', 1);
    s.pipeInput(null, 'x', 2);
    s.pipeInput('a', null, 3);
    expect(read()).toEqual([]);
    expect(driver.droppedRecords).toBe(2);
    await driver.close();
  });

  it('leftJoin passes records with no table value, and null-key records, with null (KIP-962)', async () => {
    const { driver, s, t, read } = setup(true);
    s.pipeInput('a', 's0', 1);
    t.pipeInput('a', 't1', 2);
    s.pipeInput('a', 's1', 3);
    s.pipeInput(null, 'nk', 4);
    s.pipeInput('a', null, 5);
    expect(read()).toEqual([
      ['a', 's0+null', 1],
      ['a', 's1+t1', 3],
      [null, 'nk+null', 4],
    ]);
    expect(driver.droppedRecords).toBe(1);
    await driver.close();
  });

  it('looks up a filtered, non-materialized table through its value getter', async () => {
    const b = new StreamsBuilder();
    const table = b.table('table', str).filter((_, v) => v !== 'hidden');
    b.stream('stream', str).leftJoin(table, pair).to('out', { value: S });
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('table', S, S).pipeInput('a', 'hidden', 1);
    driver.createInputTopic('table', S, S).pipeInput('b', 'shown', 1);
    const s = driver.createInputTopic('stream', S, S);
    s.pipeInput('a', 's', 2);
    s.pipeInput('b', 's', 2);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      keyValue('a', 's+null'),
      keyValue('b', 's+shown'),
    ]);
    await driver.close();
  });

  it('repartitions a re-keyed stream before the join and records the co-partition group', async () => {
    const b = new StreamsBuilder();
    const table = b.table('table', str);
    b.stream('stream', str)
      .selectKey((_, v) => v)
      .join(table, pair, { as: 'enrich', key: S, value: S })
      .to('out', { value: S });
    const topology = b.build();
    expect(topology.internalTopics.map((t) => t.name)).toEqual(['enrich-repartition']);
    expect(topology.copartitionGroups).toEqual([['enrich-repartition', 'table']]);
    // The join reads the table's store, so it runs in the table's sub-topology.
    expect(topology.subTopologies).toHaveLength(2);
    const driver = new TopologyTestDriver(topology);
    driver.createInputTopic('table', S, S).pipeInput('x', 'tx', 1);
    driver.createInputTopic('stream', S, S).pipeInput('k', 'x', 5);
    expect(
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([['x', 'x+tx', 5]]);
    await driver.close();
  });
});

describe('KStream.join(GlobalKTable)', () => {
  it('looks up by the selected key, keeps the stream key and timestamp; leftJoin passes misses with null', async () => {
    const b = new StreamsBuilder();
    const countries = b.globalTable('countries', str);
    const orders = b.stream('orders', str);
    orders.join(countries, (_, v) => v, pair).to('inner', { value: S });
    orders.leftJoin(countries, (_, v) => v, pair).to('left', { value: S });
    const topology = b.build();
    expect(topology.copartitionGroups).toEqual([]);
    const driver = new TopologyTestDriver(topology);
    driver.createInputTopic('countries', S, S).pipeInput('de', 'Germany', 100);
    const o = driver.createInputTopic('orders', S, S);
    o.pipeInput('o1', 'de', 5);
    o.pipeInput('o2', 'fr', 6);
    o.pipeInput(null, 'de', 7); // the selector does not need the key
    const read = (topic: string) =>
      driver
        .createOutputTopic(topic, S, S)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]);
    expect(read('inner')).toEqual([
      ['o1', 'de+Germany', 5],
      [null, 'de+Germany', 7],
    ]);
    expect(read('left')).toEqual([
      ['o1', 'de+Germany', 5],
      ['o2', 'fr+null', 6],
      [null, 'de+Germany', 7],
    ]);
    await driver.close();
  });
});
