/**
 * fast-check arbitraries for the exactly-once checker: input records, and fault schedules that
 * shrink towards fewer, earlier, shorter and milder faults (a restart delay shrinks to "back when
 * the cluster quiesces", a lost-writes broker kill to a plain one), so a failure is reported with
 * the smallest schedule that still breaks the application.
 */
import * as fc from 'fast-check';
import type { Fault, FaultKind, ScheduledFault } from './faults.js';
import type { InputRecord } from './simulated-cluster.js';

/**
 * What input records to generate.
 *
 * @example
 * ```ts
 * const constraints: InputRecordsConstraints = { topic: 'lines', key: fc.string(), value: fc.string(), maxLength: 50 };
 * ```
 */
export interface InputRecordsConstraints {
  readonly topic: string;
  readonly key: fc.Arbitrary<string | Uint8Array | null>;
  readonly value: fc.Arbitrary<string | Uint8Array | null>;
  /** Default 1. */
  readonly minLength?: number;
  /** Default 40. */
  readonly maxLength?: number;
}

/**
 * Input records for one topic, partitioned by key; each record's timestamp is its index.
 *
 * @example
 * ```ts
 * const lines = inputRecords({
 *   topic: 'lines',
 *   key: fc.nat(99).map((n) => `l${n}`),
 *   value: fc.array(fc.constantFrom('alpha', 'beta', 'gamma'), { minLength: 1, maxLength: 4 }).map((w) => w.join(' ')),
 * });
 * ```
 */
export function inputRecords(constraints: InputRecordsConstraints): fc.Arbitrary<InputRecord[]> {
  return fc
    .array(fc.tuple(constraints.key, constraints.value), {
      minLength: constraints.minLength ?? 1,
      maxLength: constraints.maxLength ?? 40,
    })
    .map((pairs) => pairs.map(([key, value]) => ({ topic: constraints.topic, key, value })));
}

/**
 * Every fault kind that keeps acknowledged data safe on any cluster: instance crashes, joins,
 * clean departures and stalls, instances replaced while their zombies run on, broker kills (without
 * lost writes), broker isolation, slow links.
 *
 * @example
 * ```ts
 * const kinds = SAFE_FAULT_KINDS.filter((k) => k !== 'delayMessages');
 * ```
 */
export const SAFE_FAULT_KINDS: readonly FaultKind[] = Object.freeze([
  'crashInstance',
  'addInstance',
  'removeInstance',
  'stallInstance',
  'zombieInstance',
  'killBroker',
  'isolateBroker',
  'delayMessages',
]);

/**
 * What fault schedules to generate.
 *
 * @example
 * ```ts
 * const constraints: FaultScheduleConstraints = { kinds: ['crashInstance', 'stallInstance'], maxFaults: 3, withinMs: 6000 };
 * ```
 */
export interface FaultScheduleConstraints {
  /** Default SAFE_FAULT_KINDS. */
  readonly kinds?: readonly FaultKind[];
  /** Default 1. */
  readonly minFaults?: number;
  /** Default 4. */
  readonly maxFaults?: number;
  /** Faults strike within this many virtual ms of the start. Default 6000. */
  readonly withinMs?: number;
  /**
   * Let broker kills lose their unflushed writes (a power failure). The high watermark counts only
   * synced data, so nothing acknowledged is lost, on one broker as on three (a test of the log as
   * much as of the application). Default false.
   */
  readonly loseUnflushedWrites?: boolean;
  /**
   * The longest stall (and zombie cut); the default, 15 s, reaches past the stream threads' 10 s session and
   * transaction timeouts, so a stalled instance is thrown out of the group and comes back a zombie.
   */
  readonly maxStallMs?: number;
  /** The longest time a crashed instance or killed broker stays down before it restarts. Default 5000. */
  readonly maxDownMs?: number;
}

/**
 * One fault of the given kinds.
 *
 * @example
 * ```ts
 * fc.sample(faultArbitrary({ kinds: ['crashInstance'] }), 1); // [{ kind: 'crashInstance', instance: 1, restartAfterMs: 420 }]
 * ```
 */
export function faultArbitrary(constraints: FaultScheduleConstraints = {}): fc.Arbitrary<Fault> {
  const maxDownMs = constraints.maxDownMs ?? 5000;
  const down = fc.option(fc.integer({ min: 0, max: maxDownMs }), { nil: undefined, freq: 4 });
  const index = fc.nat(7);
  const byKind: Record<FaultKind, fc.Arbitrary<Fault>> = {
    crashInstance: fc
      .record({ instance: index, restartAfterMs: down })
      .map(({ instance, restartAfterMs }) =>
        withOptional({ kind: 'crashInstance', instance }, restartAfterMs),
      ),
    addInstance: fc.constant({ kind: 'addInstance' }),
    removeInstance: index.map((instance) => ({ kind: 'removeInstance', instance })),
    stallInstance: fc
      .record({ instance: index, forMs: fc.integer({ min: 100, max: constraints.maxStallMs ?? 15_000 }) })
      .map(({ instance, forMs }) => ({ kind: 'stallInstance', instance, forMs })),
    zombieInstance: fc
      .record({ instance: index, forMs: fc.integer({ min: 100, max: constraints.maxStallMs ?? 15_000 }) })
      .map(({ instance, forMs }) => ({ kind: 'zombieInstance', instance, forMs })),
    killBroker: fc
      .record({
        broker: index,
        loseUnflushed: constraints.loseUnflushedWrites === true ? fc.boolean() : fc.constant(false),
        restartAfterMs: down,
      })
      .map(({ broker, loseUnflushed, restartAfterMs }) => {
        const fault = { kind: 'killBroker' as const, broker, loseUnflushed };
        return restartAfterMs === undefined ? fault : { ...fault, restartAfterMs };
      }),
    isolateBroker: fc
      .record({ broker: index, forMs: fc.integer({ min: 100, max: 5000 }) })
      .map(({ broker, forMs }) => ({ kind: 'isolateBroker', broker, forMs })),
    delayMessages: fc
      .record({
        minMs: fc.integer({ min: 1, max: 50 }),
        extraMs: fc.integer({ min: 0, max: 450 }),
        forMs: fc.integer({ min: 100, max: 5000 }),
      })
      .map(({ minMs, extraMs, forMs }) => ({ kind: 'delayMessages', minMs, maxMs: minMs + extraMs, forMs })),
  };
  const kinds = constraints.kinds ?? SAFE_FAULT_KINDS;
  if (kinds.length === 0) throw new RangeError('faultArbitrary needs at least one fault kind');
  return fc.oneof(...kinds.map((k) => byKind[k]));
}

function withOptional(
  fault: { kind: 'crashInstance'; instance: number },
  restartAfterMs: number | undefined,
): Fault {
  return restartAfterMs === undefined ? fault : { ...fault, restartAfterMs };
}

/**
 * A fault schedule: up to `maxFaults` faults, each at a time within `withinMs`, sorted by time.
 *
 * @example
 * ```ts
 * const schedules = faultSchedule({ kinds: ['crashInstance', 'addInstance', 'removeInstance'], maxFaults: 3 });
 * ```
 */
export function faultSchedule(constraints: FaultScheduleConstraints = {}): fc.Arbitrary<ScheduledFault[]> {
  return fc
    .array(
      fc.record({
        atMs: fc.integer({ min: 0, max: constraints.withinMs ?? 6000 }),
        fault: faultArbitrary(constraints),
      }),
      { minLength: constraints.minFaults ?? 1, maxLength: constraints.maxFaults ?? 4 },
    )
    .map((faults) => [...faults].sort((a, b) => a.atMs - b.atMs));
}
