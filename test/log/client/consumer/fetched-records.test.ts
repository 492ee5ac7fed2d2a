import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AbortedTransaction } from '../../../../src/log/broker/partition-replica.js';
import { decodeFetched } from '../../../../src/log/client/consumer/fetched-records.js';
import { buildControlBatch } from '../../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../../src/log/format/record-batch-builder.js';
import type { RecordFactory } from '../../../../src/log/format/record-batch-decoder.js';

type Step =
  | { kind: 'plain'; values: number }
  | { kind: 'txn'; producer: number; values: number }
  | { kind: 'end'; producer: number; commit: boolean };

interface Written {
  bytes: Buffer;
  aborted: AbortedTransaction[];
  /** What a read_committed reader must see, in offset order. */
  committed: { offset: number; value: string }[];
  all: { offset: number; value: string }[];
}

const make: RecordFactory<{ offset: number; value: string }> = (offset, _ts, _key, value) => ({
  offset,
  value: value === null ? '' : value.toString(),
});

/** Lays the steps out as a partition's log would hold them, with the broker's aborted-transaction list. */
function write(steps: readonly Step[]): Written {
  const chunks: Buffer[] = [];
  const aborted: AbortedTransaction[] = [];
  const committed: { offset: number; value: string }[] = [];
  const all: { offset: number; value: string }[] = [];
  const open = new Map<number, { firstOffset: number; values: { offset: number; value: string }[] }>();
  let offset = 0;
  for (const step of steps) {
    if (step.kind === 'end') {
      const txn = open.get(step.producer);
      if (txn === undefined) continue;
      open.delete(step.producer);
      chunks.push(
        buildControlBatch({
          type: step.commit ? 'COMMIT' : 'ABORT',
          producerId: step.producer,
          producerEpoch: 0,
          coordinatorEpoch: 0,
          timestamp: 0,
          baseOffset: offset,
        }),
      );
      if (step.commit) committed.push(...txn.values);
      else aborted.push({ producerId: step.producer, firstOffset: txn.firstOffset });
      offset++;
      continue;
    }
    const values = Array.from({ length: step.values }, (_, i) => ({
      offset: offset + i,
      value: `v${offset + i}`,
    }));
    const transactional = step.kind === 'txn';
    chunks.push(
      buildRecordBatch(
        values.map((v) => ({ value: Buffer.from(v.value), timestamp: 0 })),
        {
          baseOffset: offset,
          producerId: transactional ? step.producer : -1,
          producerEpoch: transactional ? 0 : -1,
          baseSequence: transactional ? 0 : -1,
          isTransactional: transactional,
        },
      ),
    );
    all.push(...values);
    if (step.kind === 'txn') {
      const txn = open.get(step.producer) ?? { firstOffset: offset, values: [] };
      txn.values.push(...values);
      open.set(step.producer, txn);
    } else committed.push(...values);
    offset += step.values;
  }
  // A read_committed fetch never reaches past an open transaction: close the rest as aborted.
  for (const [producer, txn] of open) {
    chunks.push(
      buildControlBatch({
        type: 'ABORT',
        producerId: producer,
        producerEpoch: 0,
        coordinatorEpoch: 0,
        timestamp: 0,
        baseOffset: offset,
      }),
    );
    aborted.push({ producerId: producer, firstOffset: txn.firstOffset });
    offset++;
  }
  committed.sort((a, b) => a.offset - b.offset);
  return { bytes: Buffer.concat(chunks), aborted, committed, all };
}

const steps = fc.array(
  fc.oneof(
    fc.record({ kind: fc.constant('plain' as const), values: fc.integer({ min: 1, max: 3 }) }),
    fc.record({
      kind: fc.constant('txn' as const),
      producer: fc.integer({ min: 1, max: 3 }),
      values: fc.integer({ min: 1, max: 3 }),
    }),
    fc.record({
      kind: fc.constant('end' as const),
      producer: fc.integer({ min: 1, max: 3 }),
      commit: fc.boolean(),
    }),
  ),
  { maxLength: 40 },
);

describe('decodeFetched', () => {
  it('shows a read_committed reader exactly the committed and non-transactional records, from any offset', () => {
    fc.assert(
      fc.property(steps, fc.nat(), (plan, start) => {
        const written = write(plan);
        const end = written.all.length === 0 ? 0 : written.bytes.length;
        const from = written.all.length === 0 ? 0 : start % (written.all.at(-1)!.offset + 1);
        const fetched = decodeFetched(
          written.bytes.subarray(0, end),
          from,
          'read_committed',
          written.aborted,
          make,
        );
        expect(fetched.records).toEqual(written.committed.filter((r) => r.offset >= from));
      }),
    );
  });

  it('shows a read_uncommitted reader every data record and no marker', () => {
    fc.assert(
      fc.property(steps, (plan) => {
        const written = write(plan);
        const fetched = decodeFetched(written.bytes, 0, 'read_uncommitted', written.aborted, make);
        expect(fetched.records).toEqual(written.all);
      }),
    );
  });

  it('reports the offset after the last batch even when the fetch held only markers and aborted data', () => {
    const written = write([
      { kind: 'txn', producer: 1, values: 2 },
      { kind: 'end', producer: 1, commit: false },
    ]);
    const fetched = decodeFetched(written.bytes, 0, 'read_committed', written.aborted, make);
    expect(fetched.records).toEqual([]);
    expect(fetched.nextOffset).toBe(3);
  });

  it('keeps a producer’s later committed transaction after its aborted one', () => {
    const written = write([
      { kind: 'txn', producer: 1, values: 1 },
      { kind: 'end', producer: 1, commit: false },
      { kind: 'txn', producer: 1, values: 1 },
      { kind: 'end', producer: 1, commit: true },
    ]);
    const fetched = decodeFetched(written.bytes, 0, 'read_committed', written.aborted, make);
    expect(fetched.records.map((r) => r.offset)).toEqual([2]);
  });
});
