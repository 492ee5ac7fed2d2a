/**
 * KAFKA-17754's scenario: a request of transaction N delivered after transaction N+1 began. With
 * an epoch bump at every EndTxn (KIP-890 part 2), the late EndTxn and the late produce carry an
 * epoch that is no longer current and are refused; transaction N+1 is untouched.
 */
import { describe, expect, it } from 'vitest';
import { MillraceError } from '../../../../src/common/errors.js';
import { InvalidProducerEpochError } from '../../../../src/common/transaction-errors.js';
import { CoordinatorCaller } from '../../../../src/log/client/producer/coordinator-caller.js';
import type {
  ProducerIdAndEpoch,
  TransactionDescription,
} from '../../../../src/log/coordinator/transaction/txn-requests.js';
import { buildRecordBatch } from '../../../../src/log/format/record-batch-builder.js';
import { readPartition } from '../../../simulation/exactly-once/read-partition.js';
import { createTopicAndSettle, settle, simulatedCluster } from '../../broker/cluster-fixtures.js';

const TXN = { kind: 'transaction', id: 'late-1' } as const;

describe('delayed messages of an earlier transaction', () => {
  it('refuses a late EndTxn and a late produce of transaction N once N+1 has begun, and N+1 commits intact', async () => {
    const { sim, client } = simulatedCluster(17, 3);
    await sim.runFor(300);
    await createTopicAndSettle(sim, client, {
      name: 'orders',
      partitions: 1,
      replicationFactor: 3,
      config: { minInsyncReplicas: 2 },
    });
    const caller = new CoordinatorCaller(client, sim.clock, 20);
    const call = <T>(request: { type: string; [k: string]: unknown }) =>
      settle(sim, caller.call<T>(TXN, request, sim.clock.nowMs() + 20_000));
    const produce = (ids: ProducerIdAndEpoch, sequence: number, value: string) =>
      settle(
        sim,
        client.produce(
          'orders',
          0,
          buildRecordBatch([{ value: Buffer.from(value), timestamp: 1 }], {
            producerId: ids.producerId,
            producerEpoch: ids.producerEpoch,
            baseSequence: sequence,
            isTransactional: true,
          }),
          'all',
        ),
      );
    const base = { transactionalId: TXN.id };
    const n = await call<ProducerIdAndEpoch>({
      type: 'txn.initProducerId',
      ...base,
      transactionTimeoutMs: 60_000,
      producerId: -1,
      producerEpoch: -1,
    });
    // Transaction N: one record, committed.
    await call({ type: 'txn.addPartitions', ...base, ...n, partitions: [{ topic: 'orders', partition: 0 }] });
    await produce(n, 0, 'N');
    const next = await call<ProducerIdAndEpoch>({ type: 'txn.endTxn', ...base, ...n, committed: true });
    expect(next.producerId).toBe(n.producerId);
    expect(next.producerEpoch).toBeGreaterThan(n.producerEpoch);
    // Transaction N+1 begins with the bumped epoch, from sequence 0.
    await call({
      type: 'txn.addPartitions',
      ...base,
      ...next,
      partitions: [{ topic: 'orders', partition: 0 }],
    });
    await produce(next, 0, 'N+1');

    // The late EndTxn of N (an abort, as a retry after a timeout might be) is refused …
    const lateEnd = call({ type: 'txn.endTxn', ...base, ...n, committed: false });
    await expect(lateEnd).rejects.toBeInstanceOf(MillraceError);
    // … and so is a late produce of N.
    await expect(produce(n, 1, 'late N')).rejects.toBeInstanceOf(InvalidProducerEpochError);
    const during = await call<TransactionDescription>({ type: 'txn.describe', ...base });
    expect(during.state).toBe('Ongoing');
    expect(during.producerEpoch).toBe(next.producerEpoch);

    await call({ type: 'txn.endTxn', ...base, ...next, committed: true });
    await sim.runFor(2000);
    const visible = await readPartition(sim, client, 'orders', 0, 'read_committed');
    expect(visible.map((r) => r.value)).toEqual(['N', 'N+1']);
    const everything = await readPartition(sim, client, 'orders', 0, 'read_uncommitted');
    expect(everything.map((r) => r.value)).toEqual(['N', 'N+1']);
  });
});
