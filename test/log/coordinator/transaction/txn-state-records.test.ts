import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CorruptRecordError } from '../../../../src/common/errors.js';
import { KafkaWriter } from '../../../../src/log/coordinator/kafka-binary.js';
import type {
  DurableTxnState,
  TxnMetadata,
} from '../../../../src/log/coordinator/transaction/txn-metadata.js';
import {
  decodeTransactionStateKey,
  decodeTransactionStateValue,
  encodeTransactionStateValue,
  replayTransactionState,
  transactionStateKey,
} from '../../../../src/log/coordinator/transaction/txn-state-records.js';

const STATES: DurableTxnState[] = [
  'Empty',
  'Ongoing',
  'PrepareCommit',
  'PrepareAbort',
  'CompleteCommit',
  'CompleteAbort',
];

const partition = fc.record({
  topic: fc.string({ minLength: 1, maxLength: 20 }),
  partition: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
});

const metadata: fc.Arbitrary<TxnMetadata> = fc
  .record({
    transactionalId: fc.string({ maxLength: 40 }),
    producerId: fc.maxSafeNat(),
    producerEpoch: fc.integer({ min: 0, max: 32767 }),
    lastProducerId: fc.integer({ min: -1, max: 2 ** 40 }),
    lastProducerEpoch: fc.integer({ min: -1, max: 32767 }),
    nextProducerId: fc.integer({ min: -1, max: 2 ** 40 }),
    timeoutMs: fc.integer({ min: 1, max: 2 ** 31 - 1 }),
    state: fc.constantFrom(...STATES),
    partitions: fc.uniqueArray(partition, {
      selector: (tp) => `${tp.topic}\u0000${tp.partition}`,
      maxLength: 8,
    }),
    startMs: fc.integer({ min: -1, max: 2 ** 45 }),
    lastUpdateMs: fc.integer({ min: 0, max: 2 ** 45 }),
  })
  .map((m) => ({
    ...m,
    partitions: [...m.partitions].sort((a, b) =>
      a.topic < b.topic ? -1 : a.topic > b.topic ? 1 : a.partition - b.partition,
    ),
  }));

function sample(overrides: Partial<TxnMetadata> = {}): TxnMetadata {
  return {
    transactionalId: 'app-1',
    producerId: 4000,
    producerEpoch: 2,
    lastProducerId: -1,
    lastProducerEpoch: 1,
    nextProducerId: -1,
    timeoutMs: 60_000,
    state: 'Ongoing',
    partitions: [{ topic: 'orders', partition: 0 }],
    startMs: 10,
    lastUpdateMs: 20,
    ...overrides,
  };
}

describe('the records of __transaction_state', () => {
  it('decode what they encode, for any metadata', () => {
    fc.assert(
      fc.property(metadata, (meta) => {
        expect(decodeTransactionStateKey(transactionStateKey(meta.transactionalId))).toBe(
          meta.transactionalId,
        );
        expect(decodeTransactionStateValue(meta.transactionalId, encodeTransactionStateValue(meta))).toEqual(
          meta,
        );
      }),
    );
  });

  it('replay to the newest value of each id, a tombstone forgetting it', () => {
    const a1 = sample({ transactionalId: 'a', producerEpoch: 1 });
    const a2 = sample({ transactionalId: 'a', producerEpoch: 2 });
    const b = sample({ transactionalId: 'b' });
    const record = (m: TxnMetadata) => ({
      key: transactionStateKey(m.transactionalId),
      value: encodeTransactionStateValue(m),
    });
    const replayed = replayTransactionState([
      record(a1),
      record(b),
      record(a2),
      { key: transactionStateKey('b'), value: null },
      // A marker entry (none is ever written here) is not a state record.
      { key: new Uint8Array([0, 0, 0, 1]), value: new Uint8Array(6), control: 'COMMIT' },
    ]);
    expect([...replayed.keys()]).toEqual(['a']);
    expect(replayed.get('a')).toEqual(a2);
  });

  it('refuse unknown versions, unknown states, out-of-range epochs and trailing bytes', () => {
    const good = encodeTransactionStateValue(sample());
    const withVersion = (v: number) => {
      const copy = good.slice();
      copy[0] = v >> 8;
      copy[1] = v & 0xff;
      return copy;
    };
    expect(() => decodeTransactionStateValue('x', withVersion(7))).toThrow(CorruptRecordError);
    expect(() => decodeTransactionStateKey(new KafkaWriter().int16(3).string('x').finish())).toThrow(
      CorruptRecordError,
    );
    expect(() => decodeTransactionStateValue('x', good.subarray(0, good.length - 3))).toThrow(
      CorruptRecordError,
    );
    expect(() => decodeTransactionStateValue('x', new Uint8Array([...good, 0]))).toThrow(CorruptRecordError);
    const badState = new KafkaWriter()
      .int16(0)
      .int64(1)
      .int16(0)
      .int64(-1)
      .int16(-1)
      .int64(-1)
      .int32(1000)
      .int16(9)
      .int32(0)
      .int64(0)
      .int64(0)
      .finish();
    expect(() => decodeTransactionStateValue('x', badState)).toThrow(/unknown state 9/);
    const badEpoch = new KafkaWriter().int16(0).int64(1).int16(-7).finish();
    expect(() => decodeTransactionStateValue('x', badEpoch)).toThrow(/producerEpoch -7/);
  });
});
