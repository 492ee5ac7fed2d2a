/**
 * Co-partitioning: the topics feeding the two sides of a join must have equal partition counts.
 * Counts fixed with repartition({ partitions }) are checked when the topology is built; others when
 * the runtime knows them (checkCopartitioning).
 */
import { describe, expect, it } from 'vitest';
import { TopologyError } from '../../../src/common/errors.js';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import { JoinWindows } from '../../../src/dsl/windows/join-windows.js';
import { Serdes } from '../../../src/serdes/serdes.js';

const S = Serdes.string();
const str = { key: S, value: S };
const pair = (l: string, r: string) => `${l}+${r}`;

function joinOfRepartitioned(left: number, right: number) {
  const b = new StreamsBuilder();
  const l = b.stream('l', str).repartition({ as: 'left', partitions: left });
  const r = b.stream('r', str).repartition({ as: 'right', partitions: right });
  l.join(r, pair, JoinWindows.ofTimeDifferenceWithNoGrace(1)).to('out', { value: S });
  return b;
}

describe('co-partitioning', () => {
  it('build() refuses a join of repartition topics with different fixed partition counts, in a readable sentence', () => {
    const b = joinOfRepartitioned(3, 4);
    expect(() => b.build()).toThrow(TopologyError);
    expect(() => b.build()).toThrow(
      "Topics [left-repartition, right-repartition] must be co-partitioned (they feed the two sides of a join, so each key's records must meet in one task), but their partition counts differ: 'left-repartition' has 3, 'right-repartition' has 4.",
    );
  });

  it('build() accepts equal fixed counts', () => {
    expect(joinOfRepartitioned(4, 4).build().copartitionGroups).toEqual([
      ['left-repartition', 'right-repartition'],
    ]);
  });

  it('checkCopartitioning compares the counts the runtime knows, skipping unknown ones', () => {
    const b = new StreamsBuilder();
    b.stream('orders', str).join(b.table('customers', str), pair).to('out', { value: S });
    const topology = b.build();
    expect(topology.copartitionGroups).toEqual([['customers', 'orders']]);
    expect(() => topology.checkCopartitioning(new Map([['orders', 2]]))).not.toThrow();
    expect(() =>
      topology.checkCopartitioning(
        new Map([
          ['orders', 2],
          ['customers', 2],
        ]),
      ),
    ).not.toThrow();
    expect(() =>
      topology.checkCopartitioning(
        new Map([
          ['orders', 2],
          ['customers', 3],
        ]),
      ),
    ).toThrow(/Topics \[customers, orders\] must be co-partitioned .* 'customers' has 3, 'orders' has 2\./);
  });

  it('merges overlapping groups: a topic in two joins ties all their topics together', () => {
    const b = new StreamsBuilder();
    const a = b.table('a', str);
    b.stream('s', str).join(a, pair).to('o1', { value: S });
    a.join(b.table('c', str), pair).toStream().to('o2', { value: S });
    expect(b.build().copartitionGroups).toEqual([['a', 'c', 's']]);
  });
});
