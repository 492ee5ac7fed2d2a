/**
 * Grouping and aggregation through TopologyTestDriver: count, reduce, aggregate of grouped streams
 * (with and without repartitioning), re-aggregation of tables with subtractors, cogroup. Output
 * timestamps are the largest input timestamp aggregated; null keys and values are dropped and counted.
 */
import { describe, expect, it } from 'vitest';
import { keyValue } from '../../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const N = Serdes.int64();
const str = { key: S, value: S };

describe('KGroupedStream', () => {
  it('count emits each update with the max timestamp so far, skips null keys and values, and keeps the store', async () => {
    const b = new StreamsBuilder();
    b.stream('in', str).groupByKey().count({ as: 'counts' }).toStream().to('out', { value: N });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('a', 'x', 10);
    input.pipeInput('a', 'y', 5);
    input.pipeInput('b', 'z', 7);
    input.pipeInput(null, 'z', 8);
    input.pipeInput('a', null, 9);
    const out = driver.createOutputTopic('out', S, N).readRecordsToList();
    expect(out.map((r) => [r.key, r.value, r.timestamp])).toEqual([
      ['a', 1, 10],
      ['a', 2, 10],
      ['b', 1, 7],
    ]);
    expect(driver.droppedRecords).toBe(2);
    expect(driver.getKeyValueStore<string, number>('counts').get('a')).toBe(2);
    expect(driver.getTimestampedKeyValueStore<string, number>('counts').get('a')).toEqual({
      value: 2,
      timestampMs: 10,
    });
    await driver.close();
  });

  it('groupBy repartitions through an internal topic and the aggregation sees the new keys', async () => {
    const b = new StreamsBuilder();
    b.stream('in', str)
      .groupBy((_, v) => v.slice(0, 1), { as: 'by-initial', key: S })
      .aggregate(
        () => '',
        (_k, v, agg) => `${agg}${v}`,
        { as: 'joined', value: S },
      )
      .toStream()
      .to('out');
    const topology = b.build();
    expect(topology.internalTopics.map((t) => t.name)).toEqual(['by-initial-repartition']);
    expect(topology.subTopologies).toHaveLength(2);
    const driver = new TopologyTestDriver(topology);
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'ab', 1);
    input.pipeInput('2', 'ac', 2);
    input.pipeInput('3', 'bd', 3);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      keyValue('a', 'ab'),
      keyValue('a', 'abac'),
      keyValue('b', 'bd'),
    ]);
    expect(driver.producedTopicNames()).toEqual(['out']);
    await driver.close();
  });

  it('reduce starts from the first value', async () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: N })
      .groupByKey()
      .reduce((a, v) => a + v)
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, N);
    for (const v of [3, 4, 5]) input.pipeInput('k', v, v);
    expect(driver.createOutputTopic('out', S, N).readValuesToList()).toEqual([3, 7, 12]);
    await driver.close();
  });

  it('selectKey then groupByKey repartitions; without a key serde the topology is refused', () => {
    const b = new StreamsBuilder();
    const keyed = b.stream('in', str).selectKey((_, v) => v.length);
    expect(() => keyed.groupByKey().count()).toThrow(/repartition topic .* has no key serde/);
  });

  it('cogroup folds two streams into one aggregate per key', async () => {
    const b = new StreamsBuilder();
    const clicks = b.stream('clicks', str).groupByKey();
    const buys = b.stream('buys', { key: S, value: N }).groupByKey();
    clicks
      .cogroup<number>((_k, _v, agg) => agg + 1)
      .cogroup(buys, (_k, amount, agg) => agg + amount * 100)
      .aggregate(() => 0, { as: 'activity', value: N })
      .toStream()
      .to('out');
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('clicks', S, S).pipeInput('u', 'p', 1);
    driver.createInputTopic('buys', S, N).pipeInput('u', 2, 3);
    driver.createInputTopic('clicks', S, S).pipeInput('u', 'p', 2);
    expect(
      driver
        .createOutputTopic('out', S, N)
        .readRecordsToList()
        .map((r) => [r.value, r.timestamp]),
    ).toEqual([
      [1, 1],
      [201, 3],
      [202, 3],
    ]);
    await driver.close();
  });
});

describe('KTable and KGroupedTable', () => {
  it('table source upserts and deletes; filter forwards filtered-out keys as deletes', async () => {
    const b = new StreamsBuilder();
    b.table('users', { key: S, value: N }, { as: 'users' })
      .filter((_, age) => age >= 18)
      .toStream()
      .to('adults');
    const driver = new TopologyTestDriver(b.build());
    const users = driver.createInputTopic('users', S, N);
    users.pipeInput('ann', 30, 1);
    users.pipeInput('bob', 12, 2); // never passed: nothing forwarded
    users.pipeInput('ann', 15, 3); // passed before: a delete
    users.pipeInput('bob', 40, 4);
    users.pipeInput('bob', null, 5);
    expect(
      driver
        .createOutputTopic('adults', S, N)
        .readRecordsToList()
        .map((r) => [r.key, r.value, r.timestamp]),
    ).toEqual([
      ['ann', 30, 1],
      ['ann', null, 3],
      ['bob', 40, 4],
      ['bob', null, 5],
    ]);
    expect(driver.getKeyValueStore<string, number>('users').get('ann')).toBe(15);
    expect(driver.getKeyValueStore<string, number>('users').get('bob')).toBeUndefined();
    await driver.close();
  });

  it('groupBy + count re-aggregates: a row moving between groups subtracts from the old and adds to the new', async () => {
    const b = new StreamsBuilder();
    b.table('users', str)
      .groupBy((user, region) => keyValue(region, user), { key: S, value: S })
      .count({ as: 'per-region' })
      .toStream()
      .to('out', { value: N });
    const driver = new TopologyTestDriver(b.build());
    const users = driver.createInputTopic('users', S, S);
    users.pipeInput('ann', 'eu', 1);
    users.pipeInput('bob', 'eu', 2);
    users.pipeInput('ann', 'us', 3);
    users.pipeInput('bob', 'eu', 4); // same group: one update, subtract then add
    users.pipeInput('bob', null, 5);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      keyValue('eu', 1),
      keyValue('eu', 2),
      keyValue('eu', 1),
      keyValue('us', 1),
      keyValue('eu', 1),
      keyValue('eu', 0),
    ]);
    await driver.close();
  });

  it('toTable repartitions a re-keyed stream and mapValues over the table keeps deletes', async () => {
    const b = new StreamsBuilder();
    b.stream('in', str)
      .selectKey((_, v) => (v === null ? 'none' : v.slice(0, 1)))
      .toTable({ as: 'latest', key: S, value: S })
      .mapValues((v) => v.length)
      .toStream()
      .to('out', { value: N });
    const driver = new TopologyTestDriver(b.build());
    const input = driver.createInputTopic('in', S, S);
    input.pipeInput('1', 'abc', 1);
    input.pipeInput('2', 'ab', 2);
    expect(driver.createOutputTopic('out', S, N).readKeyValuesToList()).toEqual([
      keyValue('a', 3),
      keyValue('a', 2),
    ]);
    await driver.close();
  });
});
