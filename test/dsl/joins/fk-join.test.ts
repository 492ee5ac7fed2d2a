/**
 * Foreign-key table-table joins (KIP-213) through TopologyTestDriver, whose repartition round trips
 * serialize the subscription and response records: joins across keys, foreign-key changes, deletes
 * on either side, left joins with null, and responses made stale by a newer left value.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import { TopologyTestDriver } from '../../../src/testing/topology-test-driver.js';

const S = Serdes.string();
const str = { key: S, value: S };
// An order is "customerId:item"; an empty customer id means none.
const customerOf = (order: string) => order.split(':')[0] || null;
const enrich = (order: string, name: string | null) => `${order}/${name}`;

function setup(left: boolean) {
  const b = new StreamsBuilder();
  const orders = b.table('orders', str);
  const customers = b.table('customers', str);
  const joined = left
    ? orders.leftJoin(customers, customerOf, enrich, { as: 'enriched', value: S }, { as: 'fk' })
    : orders.join(customers, customerOf, enrich, { as: 'enriched', value: S }, { as: 'fk' });
  joined.toStream().to('out', { value: S });
  const topology = b.build();
  const driver = new TopologyTestDriver(topology);
  return {
    topology,
    driver,
    o: driver.createInputTopic('orders', S, S),
    c: driver.createInputTopic('customers', S, S),
    read: () =>
      driver
        .createOutputTopic('out', S, S)
        .readRecordsToList()
        .map((x) => [x.key, x.value, x.timestamp]),
  };
}

describe('KTable.join(KTable, foreignKeyExtractor)', () => {
  it('uses internal registration and response topics, co-partitioned with the right and left tables', async () => {
    const { topology, driver } = setup(false);
    expect(topology.internalTopics.map((t) => t.name)).toEqual([
      'fk-subscription-registration-topic',
      'fk-subscription-response-topic',
    ]);
    expect(topology.copartitionGroups).toEqual([
      ['customers', 'fk-subscription-registration-topic'],
      ['fk-subscription-response-topic', 'orders'],
    ]);
    expect(topology.subTopologies).toHaveLength(2);
    await driver.close();
  });

  it('inner: joins on the foreign key, follows right updates and FK changes, and deletes', async () => {
    const { driver, o, c, read } = setup(false);
    c.pipeInput('c1', 'Ann', 1);
    o.pipeInput('o1', 'c1:book', 5);
    o.pipeInput('o2', 'c2:pen', 6); // no customer c2 yet
    c.pipeInput('c2', 'Bob', 7);
    c.pipeInput('c1', 'Anna', 8);
    o.pipeInput('o1', 'c2:book', 9); // FK change: unsubscribes c1
    c.pipeInput('c1', 'Annie', 10); // no subscriber left
    c.pipeInput('c2', null, 11); // both orders lose their match
    o.pipeInput('o2', null, 12); // already no result: nothing
    expect(read()).toEqual([
      ['o1', 'c1:book/Ann', 5],
      ['o2', 'c2:pen/Bob', 7],
      ['o1', 'c1:book/Anna', 8],
      ['o1', 'c2:book/Bob', 9],
      ['o1', null, 11],
      ['o2', null, 11],
    ]);
    expect(driver.getKeyValueStore<string, string>('enriched').get('o1')).toBeUndefined();
    await driver.close();
  });

  it('left: rows without a match (or without a foreign key) join with null; a left delete deletes', async () => {
    const { driver, o, c, read } = setup(true);
    o.pipeInput('o1', 'c1:book', 5);
    c.pipeInput('c1', 'Ann', 6);
    o.pipeInput('o2', ':gift', 7); // no foreign key
    c.pipeInput('c1', null, 8);
    o.pipeInput('o1', null, 9);
    expect(read()).toEqual([
      ['o1', 'c1:book/null', 5],
      ['o1', 'c1:book/Ann', 6],
      ['o2', ':gift/null', 7],
      ['o1', 'c1:book/null', 8],
      ['o1', null, 9],
    ]);
    await driver.close();
  });

  it('discards a response whose hash no longer matches the current left value', async () => {
    const b = new StreamsBuilder();
    // One input record updates o1 twice before any response comes back.
    const orders = b
      .stream('orders', str)
      .flatMapValues((v) => v.split(','))
      .toTable({ as: 'orders-table', key: S, value: S });
    orders
      .join(b.table('customers', str), customerOf, enrich, { as: 'enriched', value: S })
      .toStream()
      .to('out', { value: S });
    const driver = new TopologyTestDriver(b.build());
    driver.createInputTopic('customers', S, S).pipeInput('c1', 'Ann', 1);
    driver.createInputTopic('customers', S, S).pipeInput('c2', 'Bob', 1);
    driver.createInputTopic('orders', S, S).pipeInput('o1', 'c1:book,c2:pen', 5);
    expect(driver.createOutputTopic('out', S, S).readKeyValuesToList()).toEqual([
      { key: 'o1', value: 'c2:pen/Bob' },
    ]);
    await driver.close();
  });
});
