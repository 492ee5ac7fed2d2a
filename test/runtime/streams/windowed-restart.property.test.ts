/**
 * A windowed aggregation or a suppression reopened from its last commit — what a restart or a
 * rebalance does to a task — behaves as if it had never stopped: for random input, windows
 * (tumbling, hopping, sliding, session; grace; emit on update or on close), suppression (until
 * the window closes, until a time limit) and a random commit-and-restart point, the
 * outputs of the first task then of the reopened one equal one uninterrupted task's, record for
 * record. Without restoring the observed stream time (from the store, or for a suppression from
 * the metadata committed with the offsets), a reopened task would accept records that are late,
 * emit final results a second time, or release suppressed records later than it would have.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { StreamsBuilder } from '../../../src/dsl/streams-builder.js';
import type { Topology } from '../../../src/dsl/topology.js';
import { EmitStrategy } from '../../../src/dsl/windows/emit-strategy.js';
import { SessionWindows } from '../../../src/dsl/windows/session-windows.js';
import { SlidingWindows } from '../../../src/dsl/windows/sliding-windows.js';
import { untilTimeLimit, untilWindowCloses } from '../../../src/dsl/windows/suppressed.js';
import { TimeWindows } from '../../../src/dsl/windows/time-windows.js';
import { SimulatedClock } from '../../../src/runtime/actor/simulated-clock.js';
import { buildStore } from '../../../src/runtime/streams/memory-store-factory.js';
import { StreamTask } from '../../../src/runtime/streams/stream-task.js';
import type { StoreFactory } from '../../../src/runtime/streams/task-context.js';
import type { TaskMetadata } from '../../../src/runtime/streams/task-metadata.js';
import { Serdes } from '../../../src/serdes/serdes.js';
import type { StoreEngine } from '../../../src/state-stores/engine.js';
import { MemoryEngine } from '../../../src/state-stores/memory/memory-engine.js';

const S = Serdes.string();
const enc = new TextEncoder();
const hex = (b: Uint8Array | null) => (b === null ? 'null' : Buffer.from(b).toString('hex'));

type Kind = 'tumbling' | 'hopping' | 'sliding' | 'session' | 'suppress-window' | 'suppress-limit';

function topology(kind: Kind, sizeMs: number, graceMs: number, onClose: boolean): Topology {
  const b = new StreamsBuilder();
  if (kind === 'suppress-limit') {
    b.table('in', { key: S, value: S })
      .suppress(untilTimeLimit(sizeMs))
      .toStream()
      .to('out', { key: S, value: S });
    return b.build();
  }
  if (kind === 'suppress-window') {
    b.stream('in', { key: S, value: S })
      .groupByKey()
      .windowedBy(TimeWindows.ofSizeAndGrace(sizeMs, graceMs))
      .count({ as: 'counts' })
      .suppress(untilWindowCloses())
      .toStream()
      .map((w, n) => ({ key: `${w.key}@${w.window.startMs}`, value: String(n) }))
      .to('out', { key: S, value: S });
    return b.build();
  }
  const grouped = b.stream('in', { key: S, value: S }).groupByKey();
  const emit = onClose ? EmitStrategy.onWindowClose() : EmitStrategy.onWindowUpdate();
  const windowed =
    kind === 'session'
      ? grouped.windowedBy(SessionWindows.ofInactivityGapAndGrace(sizeMs, graceMs)).emitStrategy(emit)
      : grouped
          .windowedBy(
            kind === 'sliding'
              ? SlidingWindows.ofTimeDifferenceAndGrace(sizeMs, graceMs)
              : kind === 'hopping'
                ? TimeWindows.ofSizeAndGrace(sizeMs, graceMs).advanceBy(Math.max(1, Math.floor(sizeMs / 3)))
                : TimeWindows.ofSizeAndGrace(sizeMs, graceMs),
          )
          .emitStrategy(emit);
  windowed
    .count({ as: 'counts' })
    .toStream()
    .map((w, n) => ({ key: `${w.key}@${w.window.startMs}-${w.window.endMs}`, value: String(n) }))
    .to('out', { key: S, value: S });
  return b.build();
}

/** Tasks over the same engines: a reopened task sees exactly what the last one committed. */
function taskFactory(t: Topology, out: string[]) {
  const engines = new Map<string, StoreEngine>();
  const storeFactory: StoreFactory = (def) => {
    let engine = engines.get(def.name);
    if (engine === undefined) {
      engine = MemoryEngine.open(def.name);
      engines.set(def.name, engine);
    }
    return buildStore(def, engine);
  };
  return (restored?: TaskMetadata) =>
    new StreamTask(t, {
      clock: new SimulatedClock(0),
      storeFactory,
      ...(restored === undefined ? {} : { restored }),
      sink: (topic, k, v, ts) => out.push(`${topic} ${hex(k)} ${hex(v)} @${ts}`),
    });
}

const scenario = fc.record({
  kind: fc.constantFrom<Kind>(
    'tumbling',
    'hopping',
    'sliding',
    'session',
    'suppress-window',
    'suppress-limit',
  ),
  sizeMs: fc.integer({ min: 2, max: 30 }),
  graceMs: fc.integer({ min: 0, max: 20 }),
  onClose: fc.boolean(),
  records: fc.array(fc.record({ key: fc.constantFrom('a', 'b', 'c'), t: fc.integer({ min: 0, max: 150 }) }), {
    minLength: 1,
    maxLength: 50,
  }),
  restartAt: fc.nat(),
});

describe('a windowed aggregation or suppression reopened from its last commit', () => {
  it('emits what an uninterrupted task emits, record for record', () => {
    fc.assert(
      fc.property(scenario, ({ kind, sizeMs, graceMs, onClose, records, restartAt }) => {
        const t = topology(kind, sizeMs, graceMs, onClose);
        const feed = (task: StreamTask, from: number, to: number): TaskMetadata => {
          for (let i = from; i < to; i++) {
            const r = records[i]!;
            task.process('in', 0, i, enc.encode(r.key), enc.encode(`v${i}`), r.t, []);
          }
          task.commit();
          // What the thread commits with the offsets, and a reopened task starts from.
          return task.context.metadata();
        };
        const once: string[] = [];
        feed(taskFactory(t, once)(), 0, records.length);
        const split = restartAt % (records.length + 1);
        const twice: string[] = [];
        const open = taskFactory(t, twice);
        const committed = feed(open(), 0, split);
        feed(open(committed), split, records.length);
        expect(twice).toEqual(once);
      }),
      { numRuns: 400 },
    );
  });
});
