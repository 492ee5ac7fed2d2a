/** The word count the exactly-once checker's tests run: lines split into words, regrouped and counted. */
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Topology } from '../../../src/dsl/topology.js';
import { Serdes } from '../../../src/serdes/serdes.js';

const S = Serdes.string();

/** Lines → words → counts per word (a repartition topic, a changelogged, persistent store). */
export function wordCount(): Topology {
  const b = new StreamsBuilder();
  b.stream('lines', { key: S, value: S })
    .flatMapValues((line) => line.split(' '))
    .groupBy((_, word) => word, { key: S, value: S })
    .count({ as: 'counts' })
    .toStream()
    .mapValues((n) => String(n))
    .to('word-counts', { value: S });
  return b.build();
}
