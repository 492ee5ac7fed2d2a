/**
 * Random workloads for the log model (log-model.ts): how many partitions, producers (each
 * transactional or not) and consumers (each at one isolation level), and a list of steps whose
 * fates are chosen up front, so that fast-check shrinks a failing workload to fewer steps.
 */
import fc from 'fast-check';
import type { Isolation } from './history.js';

/**
 * How a send ends: written and acknowledged, written but timed out, lost, or refused.
 *
 * @example
 * ```ts
 * const fate: SendFate = 'info-written'; // in the log, but the client timed out
 * ```
 */
export type SendFate = 'ok' | 'info-written' | 'info-lost' | 'fail';

/**
 * How a transaction ends (`abandon`: the producer stops and the coordinator aborts it).
 *
 * @example
 * ```ts
 * const fate: EndFate = 'commit-info-aborted'; // the commit timed out and did not happen
 * ```
 */
export type EndFate =
  | 'commit'
  | 'commit-info-committed'
  | 'commit-info-aborted'
  | 'commit-pending'
  | 'commit-fail'
  | 'abort'
  | 'abort-info'
  | 'abandon';

/**
 * One step of a workload; indexes are taken modulo the number of producers, consumers, partitions.
 *
 * @example
 * ```ts
 * const step: ModelAction = { kind: 'poll', consumer: 0, partition: 1, max: 5 };
 * ```
 */
export type ModelAction =
  | { kind: 'send'; producer: number; partition: number; fate: SendFate }
  | { kind: 'end'; producer: number; fate: EndFate }
  | { kind: 'poll'; consumer: number; partition: number; max: number }
  | { kind: 'seek'; consumer: number; partition: number; at: number }
  | { kind: 'rebalance'; consumer: number; at: number };

/**
 * A workload: partitions of topic `t`, producers (true = transactional), consumers, steps.
 *
 * @example
 * ```ts
 * const spec: WorkloadSpec = { partitions: 2, producers: [true, false], consumers: ['read_committed'], actions: [] };
 * ```
 */
export interface WorkloadSpec {
  partitions: number;
  producers: boolean[];
  consumers: Isolation[];
  actions: ModelAction[];
}

/**
 * Random workloads, shrinking towards fewer steps.
 *
 * @example
 * ```ts
 * fc.assert(fc.property(workloadArbitrary, (spec) => checkHistory(runLogModel(spec).history).valid));
 * ```
 */
export const workloadArbitrary: fc.Arbitrary<WorkloadSpec> = fc.record({
  partitions: fc.integer({ min: 1, max: 3 }),
  producers: fc.array(fc.boolean(), { minLength: 1, maxLength: 3 }),
  consumers: fc.array(fc.constantFrom<Isolation>('read_committed', 'read_uncommitted'), {
    minLength: 1,
    maxLength: 3,
  }),
  actions: fc.array(
    fc.oneof(
      { arbitrary: sendArbitrary(), weight: 5 },
      { arbitrary: endArbitrary(), weight: 2 },
      { arbitrary: pollArbitrary(), weight: 4 },
      { arbitrary: positionArbitrary(), weight: 1 },
    ),
    { maxLength: 80, size: 'medium' },
  ),
});

function sendArbitrary(): fc.Arbitrary<ModelAction> {
  return fc.record({
    kind: fc.constant('send' as const),
    producer: fc.nat(2),
    partition: fc.nat(2),
    fate: fc.constantFrom<SendFate>('ok', 'ok', 'ok', 'info-written', 'info-lost', 'fail'),
  });
}

function endArbitrary(): fc.Arbitrary<ModelAction> {
  return fc.record({
    kind: fc.constant('end' as const),
    producer: fc.nat(2),
    fate: fc.constantFrom<EndFate>(
      'commit',
      'commit',
      'commit-info-committed',
      'commit-info-aborted',
      'commit-pending',
      'commit-fail',
      'abort',
      'abort-info',
      'abandon',
    ),
  });
}

function pollArbitrary(): fc.Arbitrary<ModelAction> {
  return fc.record({
    kind: fc.constant('poll' as const),
    consumer: fc.nat(2),
    partition: fc.nat(2),
    max: fc.integer({ min: 1, max: 8 }),
  });
}

function positionArbitrary(): fc.Arbitrary<ModelAction> {
  return fc.oneof(
    fc.record({
      kind: fc.constant('seek' as const),
      consumer: fc.nat(2),
      partition: fc.nat(2),
      at: fc.nat(100),
    }),
    fc.record({ kind: fc.constant('rebalance' as const), consumer: fc.nat(2), at: fc.nat(100) }),
  );
}
