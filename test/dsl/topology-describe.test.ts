/**
 * Kafka-style generated names, `{ as }` overrides, sub-topologies from connectivity, and the
 * describe() text (golden, in Kafka's TopologyDescription style) and Mermaid graph.
 */
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import type { Topology } from '../../src/dsl/topology.js';
import { Serdes } from '../../src/serdes/serdes.js';

const S = Serdes.string();

function sample(): Topology {
  const b = new StreamsBuilder();
  const s = b.stream('input', { key: S, value: S }).filter((_, v) => v.length > 0);
  s.mapValues((v) => v.toUpperCase(), { as: 'upper' }).to('output', { value: S });
  s.selectKey((_, v) => v).to('rekeyed', { key: S });
  b.stream(['other-a', 'other-b'], { key: S, value: S })
    .peek(() => undefined)
    .to('other-out');
  return b.build();
}

describe('Topology naming and describe()', () => {
  it('describe() prints sub-topologies, nodes and edges in Kafka’s text style', () => {
    expect(sample().describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [input])',
        '      --> KSTREAM-FILTER-0000000001',
        '    Processor: KSTREAM-FILTER-0000000001 (stores: [])',
        '      --> upper, KSTREAM-KEY-SELECT-0000000003',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: upper (stores: [])',
        '      --> KSTREAM-SINK-0000000002',
        '      <-- KSTREAM-FILTER-0000000001',
        '    Sink: KSTREAM-SINK-0000000002 (topic: output)',
        '      <-- upper',
        '    Processor: KSTREAM-KEY-SELECT-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-FILTER-0000000001',
        '    Sink: KSTREAM-SINK-0000000004 (topic: rekeyed)',
        '      <-- KSTREAM-KEY-SELECT-0000000003',
        '',
        '   Sub-topology: 1',
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [other-a, other-b])',
        '      --> KSTREAM-PEEK-0000000006',
        '    Processor: KSTREAM-PEEK-0000000006 (stores: [])',
        '      --> KSTREAM-SINK-0000000007',
        '      <-- KSTREAM-SOURCE-0000000005',
        '    Sink: KSTREAM-SINK-0000000007 (topic: other-out)',
        '      <-- KSTREAM-PEEK-0000000006',
        '',
        '',
      ].join('\n'),
    );
  });

  it('computes sub-topologies as connected components, merging joins them', () => {
    const b = new StreamsBuilder();
    const a = b.stream('a', { key: S, value: S });
    const c = b.stream('c', { key: S, value: S });
    a.merge(c).to('out');
    const t = b.build();
    expect(t.subTopologies).toHaveLength(1);
    expect(t.subTopologies[0]!.sourceTopics).toEqual(['a', 'c']);
    expect(t.describe()).toContain(
      '    Processor: KSTREAM-MERGE-0000000002 (stores: [])\n      --> KSTREAM-SINK-0000000003\n      <-- KSTREAM-SOURCE-0000000000, KSTREAM-SOURCE-0000000001\n',
    );
  });

  it('marks key-changing operators and keeps the topology unchanged by later builder calls', () => {
    const b = new StreamsBuilder();
    const s = b.stream('in', { key: S, value: S });
    s.selectKey((_, v) => v).to('x', { key: S });
    const t = b.build();
    s.to('later');
    const select = t.nodes.get('KSTREAM-KEY-SELECT-0000000001');
    expect(select?.type === 'processor' && select.keyChanging).toBe(true);
    expect([...t.nodes.keys()]).not.toContain('KSTREAM-SINK-0000000003');
    expect(t.nodes.get('KSTREAM-SOURCE-0000000000')!.children).toEqual(['KSTREAM-KEY-SELECT-0000000001']);
    expect(t.stores.size).toBe(0);
    expect(t.internalTopics).toEqual([]);
  });

  it('names split branches from the split name and the branch name or position', () => {
    const b = new StreamsBuilder();
    b.stream('in', { key: S, value: S })
      .split()
      .branch(() => true)
      .defaultBranch();
    expect([...b.build().nodes.keys()]).toEqual([
      'KSTREAM-SOURCE-0000000000',
      'KSTREAM-BRANCH-0000000001',
      'KSTREAM-BRANCH-00000000011',
      'KSTREAM-BRANCH-00000000010',
    ]);
  });

  it('describeMermaid() draws one subgraph per sub-topology and the topics as stadiums', () => {
    const m = sample().describeMermaid();
    expect(m.startsWith('flowchart TD\n  subgraph sub0 [Sub-topology 0]\n')).toBe(true);
    expect(m).toContain('  subgraph sub1 [Sub-topology 1]\n');
    expect(m).toContain('  topic_input --> KSTREAM_SOURCE_0000000000\n');
    expect(m).toContain('  KSTREAM_FILTER_0000000001 --> upper\n');
    expect(m).toContain('  KSTREAM_SINK_0000000002 --> topic_output\n');
    expect(m).toContain('  topic_other_a(["other-a"])\n');
  });
});

describe('describe() of stateful topologies', () => {
  it('shows stores, the repartition round trip as two sub-topologies, and the global store apart', () => {
    const b = new StreamsBuilder();
    b.stream('views', { key: S, value: S })
      .groupBy((_, v) => v, { as: 'by-page', key: S })
      .count({ as: 'per-page' })
      .toStream()
      .to('counts', { value: Serdes.int64() });
    b.globalTable('pages', { key: S, value: S });
    const topology = b.build();
    expect(topology.describe()).toBe(
      [
        'Topologies:',
        '   Sub-topology: 0',
        '    Source: KSTREAM-SOURCE-0000000000 (topics: [views])',
        '      --> KSTREAM-KEY-SELECT-0000000001',
        '    Processor: KSTREAM-KEY-SELECT-0000000001 (stores: [])',
        '      --> by-page-repartition-filter',
        '      <-- KSTREAM-SOURCE-0000000000',
        '    Processor: by-page-repartition-filter (stores: [])',
        '      --> by-page-repartition-sink',
        '      <-- KSTREAM-KEY-SELECT-0000000001',
        '    Sink: by-page-repartition-sink (topic: by-page-repartition)',
        '      <-- by-page-repartition-filter',
        '',
        '   Sub-topology: 1',
        '    Source: by-page-repartition-source (topics: [by-page-repartition])',
        '      --> KSTREAM-AGGREGATE-0000000002',
        '    Processor: KSTREAM-AGGREGATE-0000000002 (stores: [per-page])',
        '      --> KTABLE-TOSTREAM-0000000003',
        '      <-- by-page-repartition-source',
        '    Processor: KTABLE-TOSTREAM-0000000003 (stores: [])',
        '      --> KSTREAM-SINK-0000000004',
        '      <-- KSTREAM-AGGREGATE-0000000002',
        '    Sink: KSTREAM-SINK-0000000004 (topic: counts)',
        '      <-- KTABLE-TOSTREAM-0000000003',
        '',
        '   Sub-topology: 2 for global store (will not generate tasks)',
        '    Source: KSTREAM-SOURCE-0000000005 (topics: [pages])',
        '      --> KTABLE-SOURCE-0000000006',
        '    Processor: KTABLE-SOURCE-0000000006 (stores: [pages-STATE-STORE-0000000007])',
        '      --> none',
        '      <-- KSTREAM-SOURCE-0000000005',
        '',
        '',
      ].join('\n'),
    );
    expect(topology.stores.get('per-page')).toMatchObject({
      kind: 'key-value',
      timestamped: true,
      changelog: true,
    });
    expect(topology.stores.get('pages-STATE-STORE-0000000007')).toMatchObject({
      global: true,
      changelog: false,
    });
  });
});
