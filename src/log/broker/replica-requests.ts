/**
 * The requests a partition replica serves and the ones it makes, as events. Produce and fetch are
 * Kafka's Produce and Fetch for one partition; a follower's fetch is the same request with its
 * broker id as replicaId.
 */
import type { RpcRequest } from '../../runtime/actor/index.js';
import type { Acks, FetchResult, IsolationLevel } from './partition-replica.js';

/** Produce to one partition. */
export interface ProduceRequest extends RpcRequest {
  readonly type: 'produce.request';
  readonly topic: string;
  readonly partition: number;
  /** One or more whole RecordBatch v2 batches. Ownership passes to the broker. */
  readonly records: Uint8Array;
  readonly acks: Acks;
  readonly timeoutMs: number;
}

/** The answer to a produce. */
export interface ProduceResult {
  readonly baseOffset: number;
  readonly lastOffset: number;
  readonly logStartOffset: number;
}

/** Fetch from one partition. */
export interface FetchRequest extends RpcRequest {
  readonly type: 'fetch.request';
  readonly topic: string;
  readonly partition: number;
  readonly fetchOffset: number;
  readonly maxBytes: number;
  /** -1 for a consumer; a broker id for a follower. */
  readonly replicaId: number;
  readonly lastFetchedEpoch?: number;
  /** A follower's synced offset, which is what the leader's high watermark counts. */
  readonly durableOffset?: number;
  /** How long the leader may hold the request waiting for data (long poll). */
  readonly maxWaitMs: number;
  /** A consumer's isolation level; read_uncommitted when omitted. */
  readonly isolationLevel?: IsolationLevel;
}

/** The answer to a fetch. */
export type FetchResponse = FetchResult;

/** Ask for the earliest or latest offset, or the first offset at or after a timestamp. */
export interface ListOffsetsRequest extends RpcRequest {
  readonly type: 'listOffsets.request';
  readonly topic: string;
  readonly partition: number;
  /** -2 earliest, -1 latest (the high watermark), or a timestamp in ms. */
  readonly timestamp: number;
  /**
   * read_committed: 'latest' is the last stable offset, and a timestamp finds only offsets below
   * it. read_uncommitted (the default): the high watermark.
   */
  readonly isolationLevel?: IsolationLevel;
}

/** Close the replica's log cleanly (for a clean broker shutdown). */
export interface ReplicaCloseRequest extends RpcRequest {
  readonly type: 'replica.close';
}

/**
 * Kafka's WriteTxnMarkers for one partition, from a transaction coordinator to the partition's
 * leader: append a COMMIT or ABORT control batch for the producer, answered (`WriteTxnMarkerResult`)
 * once the high watermark passes it. The broker hands markers for `__consumer_offsets` partitions
 * to its group coordinator as `group.txnMarker`, which writes them through its state log and then
 * applies or drops the producer's pending transactional offsets.
 */
export interface WriteTxnMarkerRequest extends RpcRequest {
  readonly type: 'txnMarker.request';
  readonly topic: string;
  readonly partition: number;
  readonly producerId: number;
  /** The epoch the transaction ended with (bumped by EndTxn under KIP-890). */
  readonly producerEpoch: number;
  /** The leader epoch of the coordinator's `__transaction_state` partition: fences old coordinators. */
  readonly coordinatorEpoch: number;
  readonly marker: 'COMMIT' | 'ABORT';
  readonly timeoutMs: number;
}

/** The answer to a WriteTxnMarkerRequest: where the marker was written. */
export interface WriteTxnMarkerResult {
  readonly offset: number;
}

/** The requests a replica (and the broker in front of it) serves. */
export type ReplicaRequest =
  | ProduceRequest
  | FetchRequest
  | ListOffsetsRequest
  | ReplicaCloseRequest
  | WriteTxnMarkerRequest;
