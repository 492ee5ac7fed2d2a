/**
 * A transactional client of a simulated cluster, as thin as the protocol: it finds the
 * coordinator of its transactional id at the controller, sends the coordinator's broker
 * `txn.*` requests and retries the retriable answers (moved or loading coordinator, a
 * transaction still completing) after a backoff on the simulated clock. Plus readers of what the
 * partitions hold: transactional batches and control batches.
 */
import { KafkaProtocolError } from '../../../../src/common/kafka-errors.js';
import { ConcurrentTransactionsError } from '../../../../src/common/transaction-errors.js';
import { brokerActorId, CONTROLLER_ACTOR_ID } from '../../../../src/log/broker/cluster-metadata.js';
import type { EmbeddedLogClient } from '../../../../src/log/client/embedded-log-client.js';
import type {
  ProducerIdAndEpoch,
  TransactionDescription,
} from '../../../../src/log/coordinator/transaction/txn-requests.js';
import { parseControlRecord } from '../../../../src/log/format/control-record.js';
import { buildRecordBatch } from '../../../../src/log/format/record-batch-builder.js';
import { iterateBatches } from '../../../../src/log/format/record-batch-decoder.js';
import { RpcClient, type Simulation } from '../../../../src/runtime/actor/index.js';

/** A control batch found in a partition. */
export interface FoundMarker {
  readonly offset: number;
  readonly producerId: number;
  readonly producerEpoch: number;
  readonly type: string;
  readonly coordinatorEpoch: number | undefined;
}

/** Talks to transaction coordinators of a simulated cluster. */
export class TxnClusterClient {
  readonly rpc: RpcClient;

  constructor(
    readonly sim: Simulation,
    node = 'txn-client',
    private readonly deadlineMs = 30_000,
  ) {
    this.rpc = new RpcClient(sim.system, node, 'txn');
  }

  /** The broker coordinating a transactional id (creating `__transaction_state` the first time). */
  coordinator(transactionalId: string): Promise<number> {
    return this.rpc
      .call<{ brokerId: number }>(
        CONTROLLER_ACTOR_ID,
        { type: 'controller.findCoordinator', transactionalId },
        1000,
      )
      .then((found) => found.brokerId);
  }

  /**
   * Sends a request to the coordinator, finding it again and retrying on retriable errors
   * (ConcurrentTransactions too, when `retryConcurrent`) until the deadline.
   */
  async call<T>(
    transactionalId: string | null,
    request: { type: string; [field: string]: unknown },
    retryConcurrent = true,
  ): Promise<T> {
    const deadline = this.sim.clock.nowMs() + this.deadlineMs;
    for (;;) {
      try {
        const broker = transactionalId === null ? 1 : await this.coordinator(transactionalId);
        return await this.rpc.call<T>(brokerActorId(broker), { ...request, transactionalId }, 2000);
      } catch (err) {
        const retriable =
          err instanceof KafkaProtocolError &&
          err.retriable &&
          (retryConcurrent || !(err instanceof ConcurrentTransactionsError));
        if (!retriable || this.sim.clock.nowMs() > deadline) throw err;
        await new Promise<void>((resolve) => this.sim.clock.setTimer(100, resolve));
      }
    }
  }

  init(transactionalId: string | null, transactionTimeoutMs = 30_000): Promise<ProducerIdAndEpoch> {
    return this.call(transactionalId, {
      type: 'txn.initProducerId',
      transactionTimeoutMs,
      producerId: -1,
      producerEpoch: -1,
    });
  }

  add(
    transactionalId: string,
    p: ProducerIdAndEpoch,
    partitions: { topic: string; partition: number }[],
  ): Promise<unknown> {
    return this.call(transactionalId, { type: 'txn.addPartitions', ...p, partitions });
  }

  end(transactionalId: string, p: ProducerIdAndEpoch, committed: boolean): Promise<ProducerIdAndEpoch> {
    return this.call(transactionalId, { type: 'txn.endTxn', ...p, committed });
  }

  describe(transactionalId: string): Promise<TransactionDescription> {
    return this.call(transactionalId, { type: 'txn.describe' });
  }

  /** Describes the id until it is in `state`, or fails after `maxMs`. */
  async until(
    transactionalId: string,
    state: TransactionDescription['state'],
    maxMs = 20_000,
  ): Promise<TransactionDescription> {
    const deadline = this.sim.clock.nowMs() + maxMs;
    for (;;) {
      const d = await this.describe(transactionalId);
      if (d.state === state || this.sim.clock.nowMs() > deadline) return d;
      await new Promise<void>((resolve) => this.sim.clock.setTimer(100, resolve));
    }
  }
}

/** A transactional batch of `values` for the producer, starting at `baseSequence`. */
export function transactionalBatch(
  p: ProducerIdAndEpoch,
  baseSequence: number,
  values: string[],
): Uint8Array {
  return buildRecordBatch(
    values.map((v) => ({ value: Buffer.from(v), timestamp: 1 })),
    { producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence, isTransactional: true },
  );
}

/** The control batches of a partition (as a consumer reads it, up to the high watermark). */
export async function markersIn(
  client: EmbeddedLogClient,
  topic: string,
  partition: number,
): Promise<FoundMarker[]> {
  const { records } = await client.fetch(topic, partition, 0, { maxBytes: 16 * 1024 * 1024 });
  const found: FoundMarker[] = [];
  for (const batch of iterateBatches(records)) {
    if (!batch.isControl) continue;
    for (const record of batch) {
      const control = parseControlRecord(record);
      found.push({
        offset: batch.baseOffset,
        producerId: batch.producerId,
        producerEpoch: batch.producerEpoch,
        type: control.type,
        coordinatorEpoch: control.type === 'UNKNOWN' ? undefined : control.coordinatorEpoch,
      });
    }
  }
  return found;
}
