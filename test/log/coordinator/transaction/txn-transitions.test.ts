import { describe, expect, it } from 'vitest';
import { CoordinatorLoadInProgressError, InvalidRequestError } from '../../../../src/common/kafka-errors.js';
import {
  ConcurrentTransactionsError,
  InvalidProducerEpochError,
  InvalidProducerIdMappingError,
  InvalidTransactionTimeoutError,
  InvalidTxnStateError,
  ProducerFencedError,
} from '../../../../src/common/transaction-errors.js';
import {
  completeTransaction,
  decideTimeoutAbort,
  isExpired,
} from '../../../../src/log/coordinator/transaction/txn-lifecycle.js';
import type { TxnMetadata } from '../../../../src/log/coordinator/transaction/txn-metadata.js';
import {
  decideTransactionRequest,
  type TxnDecision,
  type TxnDecisionEnv,
  type TxnDecisionRequest,
} from '../../../../src/log/coordinator/transaction/txn-transitions.js';

const ID = 'app-1';
const T0 = 1_000_000;

function env(nowMs = T0, ids = { next: 100 }): TxnDecisionEnv {
  return {
    nowMs,
    transactionMaxTimeoutMs: 60_000,
    offsetsTopicPartitions: 4,
    newProducerId: () => ids.next++,
  };
}

function meta(overrides: Partial<TxnMetadata> = {}): TxnMetadata {
  return {
    transactionalId: ID,
    producerId: 7,
    producerEpoch: 3,
    lastProducerId: -1,
    lastProducerEpoch: -1,
    nextProducerId: -1,
    timeoutMs: 10_000,
    state: 'Empty',
    partitions: [],
    startMs: -1,
    lastUpdateMs: T0 - 1000,
    ...overrides,
  };
}

const init = (producerId = -1, producerEpoch = -1, transactionTimeoutMs = 10_000): TxnDecisionRequest => ({
  type: 'txn.initProducerId',
  transactionalId: ID,
  transactionTimeoutMs,
  producerId,
  producerEpoch,
});
const add = (
  producerId: number,
  producerEpoch: number,
  partitions = [{ topic: 'orders', partition: 0 }],
): TxnDecisionRequest => ({
  type: 'txn.addPartitions',
  transactionalId: ID,
  producerId,
  producerEpoch,
  partitions,
});
const end = (producerId: number, producerEpoch: number, committed: boolean): TxnDecisionRequest => ({
  type: 'txn.endTxn',
  transactionalId: ID,
  producerId,
  producerEpoch,
  committed,
});

function stored(d: TxnDecision): TxnMetadata {
  if (d.kind !== 'store') throw new Error(`expected a store, got ${JSON.stringify(d)}`);
  return d.next;
}

function answer(d: TxnDecision): unknown {
  if (!d.answer.ok) throw d.answer.error;
  return d.answer.result;
}

function refusal(d: TxnDecision): Error {
  if (d.kind !== 'answer' || d.answer.ok)
    throw new Error(`expected a refusal without a store, got ${JSON.stringify(d)}`);
  return d.answer.error;
}

const ongoing = meta({
  state: 'Ongoing',
  partitions: [{ topic: 'orders', partition: 0 }],
  startMs: T0 - 500,
});

describe('the transaction coordinator’s decisions', () => {
  it('maps a new transactional id to a fresh producer id at epoch 0, state Empty', () => {
    const d = decideTransactionRequest(undefined, init(), env());
    expect(answer(d)).toEqual({ producerId: 100, producerEpoch: 0 });
    expect(stored(d)).toMatchObject({
      producerId: 100,
      producerEpoch: 0,
      state: 'Empty',
      timeoutMs: 10_000,
      lastUpdateMs: T0,
    });
  });

  it('bumps the epoch of an existing id, remembering the old one so a retried bump is answered again', () => {
    const d = decideTransactionRequest(meta({ state: 'CompleteCommit' }), init(7, 3), env());
    const next = stored(d);
    expect(answer(d)).toEqual({ producerId: 7, producerEpoch: 4 });
    expect(next).toMatchObject({ state: 'Empty', producerEpoch: 4, lastProducerEpoch: 3 });
    const retry = decideTransactionRequest(next, init(7, 3), env());
    expect(retry.kind).toBe('answer');
    expect(answer(retry)).toEqual({ producerId: 7, producerEpoch: 4 });
    expect(refusal(decideTransactionRequest(next, init(7, 1), env()))).toBeInstanceOf(ProducerFencedError);
    expect(refusal(decideTransactionRequest(next, init(8, 4), env()))).toBeInstanceOf(ProducerFencedError);
  });

  it('fences an open transaction’s producer: PrepareAbort with a bumped epoch, CONCURRENT_TRANSACTIONS', () => {
    const d = decideTransactionRequest(ongoing, init(), env());
    expect(d.kind === 'store' && d.fence).toBe(true);
    expect(refusal({ kind: 'answer', answer: d.answer })).toBeInstanceOf(ConcurrentTransactionsError);
    expect(stored(d)).toMatchObject({ state: 'PrepareAbort', producerEpoch: 4, lastProducerEpoch: -1 });
    // The fenced producer's own EndTxn is refused, even as a "retry".
    expect(refusal(decideTransactionRequest(stored(d), end(7, 3, false), env()))).toBeInstanceOf(
      ProducerFencedError,
    );
  });

  it('answers CONCURRENT_TRANSACTIONS to InitProducerId while markers are being written', () => {
    const preparing = meta({ state: 'PrepareCommit', producerEpoch: 4, lastProducerEpoch: 3 });
    expect(refusal(decideTransactionRequest(preparing, init(), env()))).toBeInstanceOf(
      ConcurrentTransactionsError,
    );
  });

  it('refuses a transaction timeout outside 1..transactionMaxTimeoutMs', () => {
    for (const t of [0, -5, 60_001, 1.5]) {
      expect(refusal(decideTransactionRequest(undefined, init(-1, -1, t), env()))).toBeInstanceOf(
        InvalidTransactionTimeoutError,
      );
    }
  });

  it('leaves no previous epoch after a new incarnation’s bump, so the fenced one cannot take it as a retry', () => {
    const next = stored(decideTransactionRequest(meta(), init(), env()));
    expect(next).toMatchObject({ producerEpoch: 4, lastProducerEpoch: -1 });
    expect(refusal(decideTransactionRequest(next, init(7, 3), env()))).toBeInstanceOf(ProducerFencedError);
  });

  it('moves the producer to a fresh id at epoch 0 when a bump would pass epoch 32766', () => {
    const d = decideTransactionRequest(
      meta({ producerEpoch: 32766, state: 'CompleteAbort' }),
      init(7, 32766),
      env(),
    );
    expect(answer(d)).toEqual({ producerId: 100, producerEpoch: 0 });
    expect(stored(d)).toMatchObject({ producerId: 100, lastProducerId: 7, lastProducerEpoch: 32766 });
    // The same producer retrying its bump gets the same answer.
    expect(answer(decideTransactionRequest(stored(d), init(7, 32766), env()))).toEqual({
      producerId: 100,
      producerEpoch: 0,
    });
    const fresh = stored(decideTransactionRequest(meta({ producerEpoch: 32766 }), init(), env()));
    expect(fresh).toMatchObject({
      producerId: 100,
      producerEpoch: 0,
      lastProducerId: -1,
      lastProducerEpoch: -1,
    });
  });

  it('refuses no-id answers while no producer id is at hand, with a retriable error', () => {
    const noIds: TxnDecisionEnv = {
      ...env(),
      newProducerId: () => {
        throw new CoordinatorLoadInProgressError('no block yet');
      },
    };
    expect(refusal(decideTransactionRequest(undefined, init(), noIds))).toBeInstanceOf(
      CoordinatorLoadInProgressError,
    );
  });

  it('begins a transaction on the first AddPartitions and extends it with later ones', () => {
    const first = stored(decideTransactionRequest(meta(), add(7, 3), env()));
    expect(first).toMatchObject({
      state: 'Ongoing',
      startMs: T0,
      partitions: [{ topic: 'orders', partition: 0 }],
    });
    const again = decideTransactionRequest(first, add(7, 3), env(T0 + 5));
    expect(again.kind).toBe('answer');
    const more = stored(
      decideTransactionRequest(first, add(7, 3, [{ topic: 'a', partition: 2 }]), env(T0 + 5)),
    );
    expect(more.partitions).toEqual([
      { topic: 'a', partition: 2 },
      { topic: 'orders', partition: 0 },
    ]);
    expect(more.startMs).toBe(T0);
  });

  it('adds the group’s __consumer_offsets partition for AddOffsetsToTxn', () => {
    const d = decideTransactionRequest(
      meta(),
      { type: 'txn.addOffsets', transactionalId: ID, producerId: 7, producerEpoch: 3, groupId: 'abc' },
      env(),
    );
    // Java's "abc".hashCode() is 96354; 96354 % 4 = 2.
    expect(stored(d).partitions).toEqual([{ topic: '__consumer_offsets', partition: 2 }]);
  });

  it('refuses AddPartitions with the wrong id, an old or new epoch, during markers, or with bad partitions', () => {
    expect(refusal(decideTransactionRequest(undefined, add(7, 3), env()))).toBeInstanceOf(
      InvalidProducerIdMappingError,
    );
    expect(refusal(decideTransactionRequest(meta(), add(8, 3), env()))).toBeInstanceOf(
      InvalidProducerIdMappingError,
    );
    expect(refusal(decideTransactionRequest(meta(), add(7, 2), env()))).toBeInstanceOf(ProducerFencedError);
    expect(refusal(decideTransactionRequest(meta(), add(7, 4), env()))).toBeInstanceOf(
      InvalidProducerEpochError,
    );
    const preparing = meta({ state: 'PrepareAbort', producerEpoch: 4, lastProducerEpoch: 3 });
    expect(refusal(decideTransactionRequest(preparing, add(7, 4), env()))).toBeInstanceOf(
      ConcurrentTransactionsError,
    );
    expect(refusal(decideTransactionRequest(meta(), add(7, 3, []), env()))).toBeInstanceOf(
      InvalidRequestError,
    );
    expect(
      refusal(decideTransactionRequest(meta(), add(7, 3, [{ topic: '', partition: 0 }]), env())),
    ).toBeInstanceOf(InvalidRequestError);
    expect(
      refusal(decideTransactionRequest(meta(), add(7, 3, [{ topic: 'a', partition: -1 }]), env())),
    ).toBeInstanceOf(InvalidRequestError);
  });

  it('ends a transaction with the epoch bumped and answers the bumped epoch (KIP-890)', () => {
    const d = decideTransactionRequest(ongoing, end(7, 3, true), env());
    expect(answer(d)).toEqual({ producerId: 7, producerEpoch: 4 });
    expect(stored(d)).toMatchObject({
      state: 'PrepareCommit',
      producerEpoch: 4,
      lastProducerEpoch: 3,
      partitions: ongoing.partitions,
    });
    const done = completeTransaction(stored(d), T0 + 10);
    expect(done).toMatchObject({
      state: 'CompleteCommit',
      producerEpoch: 4,
      partitions: [],
      startMs: -1,
      lastUpdateMs: T0 + 10,
    });
  });

  it('recognises a retried EndTxn by the previous epoch in Prepare* and Complete*, never acting twice', () => {
    const preparing = stored(decideTransactionRequest(ongoing, end(7, 3, false), env()));
    const complete = completeTransaction(preparing, T0 + 1);
    for (const m of [preparing, complete]) {
      const retry = decideTransactionRequest(m, end(7, 3, false), env());
      expect(retry.kind).toBe('answer');
      expect(answer(retry)).toEqual({ producerId: 7, producerEpoch: 4 });
      expect(refusal(decideTransactionRequest(m, end(7, 3, true), env()))).toBeInstanceOf(
        InvalidTxnStateError,
      );
    }
    expect(refusal(decideTransactionRequest(preparing, end(7, 4, false), env()))).toBeInstanceOf(
      ConcurrentTransactionsError,
    );
    expect(refusal(decideTransactionRequest(preparing, end(7, 4, true), env()))).toBeInstanceOf(
      InvalidTxnStateError,
    );
    expect(refusal(decideTransactionRequest(complete, end(7, 4, false), env()))).toBeInstanceOf(
      InvalidTxnStateError,
    );
    expect(refusal(decideTransactionRequest(meta(), end(7, 3, true), env()))).toBeInstanceOf(
      InvalidTxnStateError,
    );
  });

  it('fences a delayed EndTxn of the previous transaction once the next one is open (KAFKA-17754)', () => {
    const complete = completeTransaction(
      stored(decideTransactionRequest(ongoing, end(7, 3, true), env())),
      T0,
    );
    const next = stored(decideTransactionRequest(complete, add(7, 4), env()));
    for (const committed of [true, false]) {
      expect(refusal(decideTransactionRequest(next, end(7, 3, committed), env()))).toBeInstanceOf(
        ProducerFencedError,
      );
    }
    expect(refusal(decideTransactionRequest(next, end(7, 5, true), env()))).toBeInstanceOf(
      InvalidProducerEpochError,
    );
    expect(refusal(decideTransactionRequest(next, end(9, 4, true), env()))).toBeInstanceOf(
      InvalidProducerIdMappingError,
    );
  });

  it('hands a fresh producer id out with the EndTxn whose bump exhausts the old one', () => {
    const tired = { ...ongoing, producerEpoch: 32766 };
    const d = decideTransactionRequest(tired, end(7, 32766, true), env());
    expect(answer(d)).toEqual({ producerId: 100, producerEpoch: 0 });
    const preparing = stored(d);
    // The markers carry the old id with epoch 32767.
    expect(preparing).toMatchObject({ producerId: 7, producerEpoch: 32767, nextProducerId: 100 });
    expect(refusal(decideTransactionRequest(preparing, add(100, 0), env()))).toBeInstanceOf(
      ConcurrentTransactionsError,
    );
    const complete = completeTransaction(preparing, T0);
    expect(complete).toMatchObject({
      producerId: 100,
      producerEpoch: 0,
      lastProducerId: 7,
      lastProducerEpoch: 32766,
      nextProducerId: -1,
    });
    expect(answer(decideTransactionRequest(complete, end(7, 32766, true), env()))).toEqual({
      producerId: 100,
      producerEpoch: 0,
    });
    expect(stored(decideTransactionRequest(complete, add(100, 0), env())).state).toBe('Ongoing');
  });

  it('aborts an Ongoing transaction past its timeout with a bumped epoch, and only then', () => {
    expect(decideTimeoutAbort(ongoing, ongoing.startMs + 10_000)).toBeUndefined();
    expect(decideTimeoutAbort(meta(), T0 + 100_000)).toBeUndefined();
    expect(decideTimeoutAbort(ongoing, ongoing.startMs + 10_001)).toMatchObject({
      state: 'PrepareAbort',
      producerEpoch: 4,
      lastProducerEpoch: -1,
    });
  });

  it('expires only idle ids unused for transactionalIdExpirationMs', () => {
    expect(isExpired(meta(), T0 - 1000 + 5000, 5000)).toBe(true);
    expect(isExpired(meta(), T0 - 1000 + 4999, 5000)).toBe(false);
    expect(isExpired(meta({ state: 'CompleteAbort' }), T0 + 1e9, 5000)).toBe(true);
    expect(isExpired(ongoing, T0 + 1e9, 5000)).toBe(false);
    expect(isExpired(meta({ state: 'PrepareCommit' }), T0 + 1e9, 5000)).toBe(false);
  });
});
