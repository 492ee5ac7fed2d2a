/**
 * The topologies of the streams-app benchmarks (app-stateless, app-scaling, app-windowed,
 * app-recovery). Each app module (`app-*-app.ts`) default-exports one of them with defineApp, so
 * worker threads can import it; the recovery benchmark builds its topology in process.
 */
import { StreamsBuilder } from '../src/dsl/streams-builder.js';
import type { Topology } from '../src/dsl/topology.js';
import { TimeWindows } from '../src/dsl/windows/time-windows.js';
import { Serdes } from '../src/serdes/serdes.js';

export const INPUT_TOPIC = 'app-bench-in';
export const OUTPUT_TOPIC = 'app-bench-out';
/** Values whose first character is this are dropped by the stateless app's filter (1 in 10). */
export const DROP_MARK = '#';
/** Tumbling window size of the windowed app. */
export const WINDOW_MS = 60_000;

/** input → filter (drops 1 record in 10) → mapValues (upper-cases the value) → output. */
export function statelessTopology(): Topology {
  const S = Serdes.string();
  const b = new StreamsBuilder();
  b.stream(INPUT_TOPIC, { key: S, value: S })
    .filter((_k, v) => v.charCodeAt(0) !== 0x23)
    .mapValues((v) => v.toUpperCase())
    .to(OUTPUT_TOPIC, { key: S, value: S });
  return b.build();
}

/**
 * input → groupByKey → tumbling 1-minute windows → count, in a RocksDB window store with a
 * changelog (both the DSL's defaults), its updates → output.
 */
export function windowedTopology(): Topology {
  const S = Serdes.string();
  const b = new StreamsBuilder();
  b.stream(INPUT_TOPIC, { key: S, value: S })
    .groupByKey()
    .windowedBy(TimeWindows.ofSizeWithNoGrace(WINDOW_MS))
    .count({ as: 'window-counts' })
    .toStream()
    .to(OUTPUT_TOPIC);
  return b.build();
}

/** input → groupByKey → count into a RocksDB key-value store with a changelog ('counts'). */
export function keyCountTopology(): Topology {
  const S = Serdes.string();
  const b = new StreamsBuilder();
  b.stream(INPUT_TOPIC, { key: S, value: S }).groupByKey().count({ as: 'counts' });
  return b.build();
}
