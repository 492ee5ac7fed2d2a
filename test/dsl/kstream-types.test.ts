/** Type inference through the fluent chain (expectTypeOf): map changes K/V, mapValues keeps K, branches keep types. */
import { map } from 'rxjs';
import { describe, expectTypeOf, it } from 'vitest';
import type { KStream } from '../../src/dsl/kstream.js';
import { keyValue, type StreamRecord } from '../../src/dsl/stream-record.js';
import { StreamsBuilder } from '../../src/dsl/streams-builder.js';
import { Serdes } from '../../src/serdes/serdes.js';

interface Order {
  id: string;
  total: number;
}

describe('KStream type inference', () => {
  const source = new StreamsBuilder().stream('orders', { key: Serdes.string(), value: Serdes.json<Order>() });

  it('the source stream has the serdes’ types', () => {
    expectTypeOf(source).toEqualTypeOf<KStream<string, Order>>();
  });

  it('map changes both types; mapValues keeps the key type; selectKey keeps the value type', () => {
    expectTypeOf(source.map((k, v) => keyValue(v.total, k.length > 0))).toEqualTypeOf<
      KStream<number, boolean>
    >();
    expectTypeOf(source.mapValues((v, k) => `${k}${v.total}`)).toEqualTypeOf<KStream<string, string>>();
    expectTypeOf(source.selectKey((_, v) => v.total)).toEqualTypeOf<KStream<number, Order>>();
    expectTypeOf(source.flatMapValues((v) => [v.total])).toEqualTypeOf<KStream<string, number>>();
    expectTypeOf(source.flatMap((k, v) => [keyValue(v.id, k)])).toEqualTypeOf<KStream<string, string>>();
  });

  it('filter, peek and merge keep the types; foreach ends the chain', () => {
    expectTypeOf(source.filter((_, v) => v.total > 0).peek(() => undefined)).toEqualTypeOf<
      KStream<string, Order>
    >();
    expectTypeOf(source.merge(source)).toEqualTypeOf<KStream<string, Order>>();
    expectTypeOf(source.foreach(() => undefined)).toEqualTypeOf<void>();
  });

  it('split branches keep the stream’s types', () => {
    const branches = source
      .split()
      .branch((_, v) => v.total > 10)
      .defaultBranch();
    expectTypeOf(branches).toEqualTypeOf<Record<string, KStream<string, Order>>>();
  });

  it('pipe infers record types through RxJS operators', () => {
    const piped = source.pipe(
      map((r: StreamRecord<string, Order>) => ({ ...r, value: r.value.total })),
      map((r) => ({ ...r, key: r.value })),
    );
    expectTypeOf(piped).toEqualTypeOf<KStream<number, number>>();
  });

  it('to accepts only serdes of the stream’s types', () => {
    // @ts-expect-error a number serde for a string key
    source.to('x', { key: Serdes.int32() });
    expectTypeOf(source.to)
      .parameter(1)
      .toEqualTypeOf<import('../../src/dsl/kstream.js').Produced<string, Order> | undefined>();
  });
});
