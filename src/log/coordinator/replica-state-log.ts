/**
 * A `__consumer_offsets` partition as the group coordinator's state log, backed by this broker's
 * replica of it: appends are produce requests with acks=all (answered once every in-sync replica
 * has synced them, so the state survives the coordinator moving), and loading reads the partition
 * from its start up to the log end the leader had when loading began — waiting for the high
 * watermark to get there, since a new leader's high watermark lags until its followers fetch.
 * Transaction markers go to the replica as WriteTxnMarkers requests: the replica checks the
 * producer and coordinator epochs and answers once the high watermark passes the marker.
 */
import { RequestTimedOutError } from '../../common/kafka-errors.js';
import type { Clock, RpcClient } from '../../runtime/actor/index.js';
import { replicaActorId } from '../broker/cluster-metadata.js';
import type { FetchResult } from '../broker/partition-replica.js';
import type { WriteTxnMarkerResult } from '../broker/replica-requests.js';
import { RecordBatchBuilder } from '../format/record-batch-builder.js';
import { iterateBatches } from '../format/record-batch-decoder.js';
import type {
  CoordinatorRecord,
  CoordinatorStateLog,
  CoordinatorTxnMarker,
  StoredCoordinatorRecord,
  TransactionalProducer,
} from './coordinator-state-log.js';
import { collectBatch } from './state-log-records.js';

/** The internal topic of group state and committed offsets. */
export const OFFSETS_TOPIC = '__consumer_offsets';

/**
 * The state log of one `__consumer_offsets` partition led by this broker.
 *
 * @example
 * ```ts
 * const log = new ReplicaStateLog(rpc, clock, 1, 7);
 * await log.append([{ key, value }]);
 * ```
 */
export class ReplicaStateLog implements CoordinatorStateLog {
  private readonly replica: string;

  constructor(
    private readonly rpc: RpcClient,
    private readonly clock: Clock,
    brokerId: number,
    private readonly partition: number,
    private readonly timeoutMs = 10_000,
    /** The internal topic: `__consumer_offsets`, or `__transaction_state` for a transaction coordinator. */
    private readonly topic = OFFSETS_TOPIC,
  ) {
    this.replica = replicaActorId(brokerId, topic, partition);
  }

  /**
   * Produces the records as one batch (the producer's transactional batch with `transaction`)
   * with acks=all.
   *
   * @throws the replica's error: NotLeaderOrFollowerError after losing the partition,
   *   InvalidProducerEpochError or ProducerFencedError for a fenced producer, RequestTimedOutError.
   */
  async append(records: readonly CoordinatorRecord[], transaction?: TransactionalProducer): Promise<void> {
    if (records.length === 0) return;
    const builder = new RecordBatchBuilder({
      maxBatchBytes: 64 * 1024 * 1024,
      defaultTimestampMs: this.clock.nowMs(),
      ...(transaction === undefined
        ? {}
        : {
            producerId: transaction.producerId,
            producerEpoch: transaction.producerEpoch,
            baseSequence: -1,
            isTransactional: true,
          }),
    });
    for (const r of records) builder.append({ key: r.key, value: r.value });
    await this.rpc.call(
      this.replica,
      {
        type: 'produce.request',
        topic: this.topic,
        partition: this.partition,
        records: builder.build(),
        acks: 'all',
        timeoutMs: this.timeoutMs,
      },
      this.timeoutMs * 2,
    );
  }

  /**
   * Has the replica write the marker (straight to the replica actor: the broker would hand a
   * marker for this topic back to the coordinator) and resolves with its offset.
   *
   * @throws the replica's error: NotLeaderOrFollowerError, TransactionCoordinatorFencedError,
   *   InvalidProducerEpochError, RequestTimedOutError.
   */
  async appendMarker(marker: CoordinatorTxnMarker): Promise<number> {
    const timeoutMs = marker.timeoutMs ?? this.timeoutMs;
    // A WriteTxnMarkerRequest; the RpcClient adds correlationId and replyTo.
    const request = {
      type: 'txnMarker.request',
      topic: this.topic,
      partition: this.partition,
      producerId: marker.producerId,
      producerEpoch: marker.producerEpoch,
      coordinatorEpoch: marker.coordinatorEpoch,
      marker: marker.marker,
      timeoutMs,
    };
    const result = await this.rpc.call<WriteTxnMarkerResult>(this.replica, request, timeoutMs * 2);
    return result.offset;
  }

  /**
   * Reads the partition from its start to the log end the leader had when the read began, markers
   * included.
   *
   * @throws RequestTimedOutError when the high watermark does not get there in time; the
   *   replica's error otherwise.
   */
  async readAll(): Promise<StoredCoordinatorRecord[]> {
    const out: StoredCoordinatorRecord[] = [];
    const deadline = this.clock.nowMs() + this.timeoutMs;
    let offset = 0;
    let end = -1;
    for (;;) {
      const result = await this.rpc.call<FetchResult>(
        this.replica,
        {
          type: 'fetch.request',
          topic: this.topic,
          partition: this.partition,
          fetchOffset: Math.max(offset, 0),
          maxBytes: 4 * 1024 * 1024,
          replicaId: -1,
          maxWaitMs: end < 0 ? 0 : 200,
        },
        this.timeoutMs,
      );
      if (end < 0) {
        end = result.logEndOffset;
        offset = Math.max(offset, result.logStartOffset);
      }
      let next = offset;
      for (const batch of iterateBatches(result.records)) {
        next = Math.max(next, batch.lastOffset + 1);
        collectBatch(batch, offset, out);
      }
      offset = next;
      if (offset >= end) return out;
      if (this.clock.nowMs() > deadline) {
        throw new RequestTimedOutError(
          `loading ${this.topic}-${this.partition}: the high watermark did not reach ${end}`,
        );
      }
    }
  }
}
