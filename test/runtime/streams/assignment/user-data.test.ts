import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type AssignmentInfo,
  activeTasksByPartition,
  decodeAssignmentInfo,
  decodeSubscriptionInfo,
  encodeAssignmentInfo,
  encodeSubscriptionInfo,
  parseTaskId,
  StreamsUserDataError,
  type SubscriptionInfo,
  taskKey,
} from '../../../../src/runtime/streams/assignment/index.js';

const task = fc.record({ subtopology: fc.nat(1000), partition: fc.nat(1000) });
const subscription: fc.Arbitrary<SubscriptionInfo> = fc.record({
  processId: fc.string({ maxLength: 40 }),
  activeTasks: fc.array(task, { maxLength: 8 }),
  standbyTasks: fc.array(task, { maxLength: 8 }),
  taskOffsetSums: fc
    .array(fc.tuple(task, fc.maxSafeNat()), { maxLength: 8 })
    .map((pairs) => new Map(pairs.map(([t, sum]) => [taskKey(t), sum]))),
  threadCount: fc.integer({ min: 1, max: 64 }),
});
const assignment: fc.Arbitrary<AssignmentInfo> = fc.record({
  errorCode: fc.constantFrom(0, 1, 3),
  activeTasks: fc.array(task, { maxLength: 8 }),
  standbyTasks: fc
    .array(
      fc.tuple(task, fc.array(fc.record({ topic: fc.string({ maxLength: 10 }), partition: fc.nat(99) }))),
      {
        maxLength: 5,
      },
    )
    .map(
      (pairs) =>
        new Map(pairs.map(([t, changelogPartitions]) => [taskKey(t), { task: t, changelogPartitions }])),
    ),
  nextProbingRebalanceMs: fc.oneof(fc.constant(-1), fc.maxSafeNat()),
});

const example: SubscriptionInfo = {
  processId: 'process-a',
  activeTasks: [parseTaskId('0_1')],
  standbyTasks: [parseTaskId('2_3')],
  taskOffsetSums: new Map([['2_3', 420]]),
  threadCount: 2,
};

describe('streams assignor userData', () => {
  it('prints and parses task ids as subtopology_partition', () => {
    expect(taskKey({ subtopology: 1, partition: 3 })).toBe('1_3');
    expect(parseTaskId('10_0')).toEqual({ subtopology: 10, partition: 0 });
    expect(() => parseTaskId('1-3')).toThrow(StreamsUserDataError);
  });

  it('round-trips any subscription info and assignment info', () => {
    fc.assert(
      fc.property(subscription, assignment, (s, a) => {
        expect(decodeSubscriptionInfo(encodeSubscriptionInfo(s))).toEqual({ version: 1, ...s });
        expect(decodeAssignmentInfo(encodeAssignmentInfo(a))).toEqual({ version: 1, ...a });
      }),
      { numRuns: 200 },
    );
  });

  it('refuses every truncation of valid bytes with a StreamsUserDataError', () => {
    const bytes = encodeSubscriptionInfo(example);
    for (let n = 0; n < bytes.length; n++) {
      expect(() => decodeSubscriptionInfo(bytes.subarray(0, n))).toThrow(StreamsUserDataError);
    }
    const info = encodeAssignmentInfo({
      errorCode: 0,
      activeTasks: [parseTaskId('0_1')],
      standbyTasks: new Map([
        ['2_3', { task: parseTaskId('2_3'), changelogPartitions: [{ topic: 'c', partition: 3 }] }],
      ]),
      nextProbingRebalanceMs: 5,
    });
    for (let n = 0; n < info.length; n++) {
      expect(() => decodeAssignmentInfo(info.subarray(0, n))).toThrow(StreamsUserDataError);
    }
  });

  it('refuses null userData, trailing garbage, version 0 and impossible values', () => {
    const bytes = encodeSubscriptionInfo(example);
    expect(() => decodeSubscriptionInfo(null)).toThrow(/no userData/);
    expect(() => decodeSubscriptionInfo(new Uint8Array([...bytes, 7]))).toThrow(/1 trailing bytes/);
    const v0 = Uint8Array.from(bytes);
    v0[1] = 0;
    expect(() => decodeSubscriptionInfo(v0)).toThrow(/version 0/);
    const noThreads = encodeSubscriptionInfo({ ...example, threadCount: 0 });
    expect(() => decodeSubscriptionInfo(noThreads)).toThrow(/0 threads/);
    const negative = encodeSubscriptionInfo({ ...example, activeTasks: [{ subtopology: -1, partition: 0 }] });
    expect(() => decodeSubscriptionInfo(negative)).toThrow(/task -1_0/);
    try {
      decodeSubscriptionInfo(new Uint8Array([0, 1, 0xff]));
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(StreamsUserDataError);
      expect((e as StreamsUserDataError).code).toBe('STREAMS_USER_DATA_CORRUPT');
      expect((e as StreamsUserDataError).retriable).toBe(false);
    }
  });

  it('reads a newer version as its own and ignores the bytes it does not know', () => {
    const newer = Uint8Array.from([...encodeSubscriptionInfo(example), 1, 2, 3]);
    newer[1] = 2;
    expect(decodeSubscriptionInfo(newer)).toEqual({ version: 2, ...example });
  });

  it('aligns active tasks with the sorted partitions, whatever order the partitions arrive in', () => {
    const info: AssignmentInfo = {
      errorCode: 0,
      // customers-1, orders-1 (task 0_1), then clicks... sorted: clicks-0, customers-1, orders-1.
      activeTasks: [parseTaskId('1_0'), parseTaskId('0_1'), parseTaskId('0_1')],
      standbyTasks: new Map(),
      nextProbingRebalanceMs: -1,
    };
    const pairs = activeTasksByPartition(
      [
        { topic: 'orders', partition: 1 },
        { topic: 'clicks', partition: 0 },
        { topic: 'customers', partition: 1 },
      ],
      info,
    );
    expect(pairs.map((p) => `${p.partition.topic}-${p.partition.partition}:${taskKey(p.task)}`)).toEqual([
      'clicks-0:1_0',
      'customers-1:0_1',
      'orders-1:0_1',
    ]);
    expect(() => activeTasksByPartition([], info)).toThrow(StreamsUserDataError);
  });
});
