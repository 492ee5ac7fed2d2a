/**
 * Type inference through the stateful part of the fluent API (expectTypeOf): grouping keeps or
 * changes the key type, aggregations give KTables of the aggregate type, tables map and regroup,
 * process infers its output from the Processor.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type { GlobalKTable } from '../../src/dsl/global-ktable.js';
import type { KGroupedStream } from '../../src/dsl/kgrouped-stream.js';
import type { KGroupedTable } from '../../src/dsl/kgrouped-table.js';
import type { KStream } from '../../src/dsl/kstream.js';
import type { KTable } from '../../src/dsl/ktable.js';
import type { Processor } from '../../src/dsl/processor-api.js';
import { keyValue } from '../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';

interface View {
  page: string;
  ms: number;
}

describe('stateful type inference', () => {
  const b = new StreamsBuilder({ defaultSerdes: { key: Serdes.string(), value: Serdes.json() } });
  const views = b.stream('views', { key: Serdes.string(), value: Serdes.json<View>() });

  it('groupByKey keeps the types; groupBy takes the selector’s key type', () => {
    expectTypeOf(views.groupByKey()).toEqualTypeOf<KGroupedStream<string, View>>();
    expectTypeOf(views.groupBy((_, v) => v.ms)).toEqualTypeOf<KGroupedStream<number, View>>();
  });

  it('count, reduce and aggregate give tables of the aggregate type', () => {
    const grouped = views.groupBy((_, v) => v.page);
    expectTypeOf(grouped.count()).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(grouped.reduce((a, v) => ({ page: a.page, ms: a.ms + v.ms }))).toEqualTypeOf<
      KTable<string, View>
    >();
    expectTypeOf(
      grouped.aggregate(
        () => [] as string[],
        (_k, v, agg) => [...agg, v.page],
      ),
    ).toEqualTypeOf<KTable<string, string[]>>();
    const wrong = (_k: string, v: View) => v.page;
    // @ts-expect-error the aggregator must return the aggregate's type
    grouped.aggregate(() => 0, wrong);
  });

  it('tables filter, map values, regroup and turn back into streams', () => {
    const table = b.table('users', { key: Serdes.string(), value: Serdes.int32() });
    expectTypeOf(table.filter((_, v) => v > 0)).toEqualTypeOf<KTable<string, number>>();
    expectTypeOf(table.mapValues((v) => String(v))).toEqualTypeOf<KTable<string, string>>();
    expectTypeOf(table.toStream()).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(table.toStream((k, v) => `${k}${v}`.length)).toEqualTypeOf<KStream<number, number>>();
    expectTypeOf(table.groupBy((k, v) => keyValue(v, k))).toEqualTypeOf<KGroupedTable<number, string>>();
    expectTypeOf(table.groupBy((k, v) => keyValue(v, k)).count()).toEqualTypeOf<KTable<number, number>>();
    expectTypeOf(views.toTable()).toEqualTypeOf<KTable<string, View>>();
    expectTypeOf(b.globalTable('g', { key: Serdes.string(), value: Serdes.int64() })).toEqualTypeOf<
      GlobalKTable<string, number>
    >();
  });

  it('process infers its output types from the Processor', () => {
    const p: Processor<string, View, number, boolean> = { process() {} };
    expectTypeOf(views.process(() => p)).toEqualTypeOf<KStream<number, boolean>>();
    const fixed: Processor<string, View, string, number> = { process() {} };
    expectTypeOf(views.processValues(() => fixed)).toEqualTypeOf<KStream<string, number>>();
  });

  it('cogroup folds streams of different value types into one aggregate type', () => {
    const clicks = b.stream('clicks', { key: Serdes.string(), value: Serdes.int32() }).groupByKey();
    const cogrouped = views
      .groupByKey()
      .cogroup<number>((_k, v, agg) => agg + v.ms)
      .cogroup(clicks, (_k, n, agg) => agg + n);
    expectTypeOf(cogrouped.aggregate(() => 0)).toEqualTypeOf<KTable<string, number>>();
  });
});
