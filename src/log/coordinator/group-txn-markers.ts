/**
 * A transaction marker for a `__consumer_offsets` partition, at the coordinator host: the marker
 * names a partition, not a group, so the host writes it through the partition's state log and
 * then tells every group of the partition, which commit or drop the producer's pending offsets.
 * The caller is answered only after the groups were told: the host's messages to a group arrive in
 * the order sent, so an OffsetFetch sent after the answer reaches the group after the notice.
 */
import {
  CoordinatorLoadInProgressError,
  CoordinatorNotAvailableError,
  fromWireError,
  NotCoordinatorError,
  toWireError,
  type WireError,
} from '../../common/kafka-errors.js';
import { reply, replyError } from '../../runtime/actor/index.js';
import type { WriteTxnMarkerResult } from '../broker/replica-requests.js';
import type { CoordinatorStateLog, CoordinatorTxnMarker } from './coordinator-state-log.js';
import { asCoordinatorError } from './group-env.js';
import type { RoutingContext } from './group-routing.js';
import type { GroupTxnCompletedEvent } from './group-txn-offsets.js';
import type { GroupTxnMarkerRequest } from './txn-offset-requests.js';

/**
 * The host's note to itself that a marker's write finished (with its offset, or an error).
 *
 * @example
 * ```ts
 * actor.send(actor.id, { type: 'internal.markerWritten', request, epoch, offset } satisfies TxnMarkerWrittenEvent);
 * ```
 */
export type TxnMarkerWrittenEvent = {
  readonly type: 'internal.markerWritten';
  readonly request: GroupTxnMarkerRequest;
  /** The load epoch of the partition the marker was written to. */
  readonly epoch: number;
  readonly offset?: number;
  readonly error?: WireError;
};

/**
 * Starts writing a marker: refused with NOT_COORDINATOR when this broker does not lead the
 * partition, COORDINATOR_LOAD_IN_PROGRESS while it loads it, COORDINATOR_NOT_AVAILABLE when
 * loading failed (all retriable: the transaction coordinator retries markers).
 *
 * @example
 * ```ts
 * 'group.txnMarker': { actions: ({ context, event }) => writeTxnMarker(context, event) },
 * ```
 */
export function writeTxnMarker(context: RoutingContext, req: GroupTxnMarkerRequest): void {
  const { actor } = context;
  const name = `__consumer_offsets-${req.partition}`;
  const hosted = context.partitions.get(req.partition);
  if (hosted === undefined) {
    replyError(actor, req, new NotCoordinatorError(`${actor.id} does not lead ${name}`));
    return;
  }
  if (hosted.status === 'loading') {
    replyError(actor, req, new CoordinatorLoadInProgressError(`${name} is loading`));
    return;
  }
  if (hosted.status === 'failed') {
    replyError(actor, req, new CoordinatorNotAvailableError(`loading ${name} failed: ${hosted.failure}`));
    return;
  }
  const epoch = hosted.epoch;
  const marker: CoordinatorTxnMarker = {
    producerId: req.producerId,
    producerEpoch: req.producerEpoch,
    coordinatorEpoch: req.coordinatorEpoch,
    marker: req.marker,
    timeoutMs: req.timeoutMs,
  };
  appendMarkerSafely(hosted.log, marker).then(
    (offset) => {
      const event: TxnMarkerWrittenEvent = { type: 'internal.markerWritten', request: req, epoch, offset };
      actor.send(actor.id, event);
    },
    (err: unknown) => {
      const error = toWireError(asCoordinatorError(err));
      const event: TxnMarkerWrittenEvent = { type: 'internal.markerWritten', request: req, epoch, error };
      actor.send(actor.id, event);
    },
  );
}

/**
 * A marker's write finished. Written: every group of the partition learns of it, then the caller
 * is answered with the marker's offset. If the partition was unloaded or loaded again meanwhile,
 * its groups here are gone or were loaded with the marker already in the log, and the marker is
 * committed all the same: the caller is answered as well.
 *
 * @example
 * ```ts
 * 'internal.markerWritten': { actions: ({ context, event }) => onTxnMarkerWritten(context, event) },
 * ```
 */
export function onTxnMarkerWritten(context: RoutingContext, event: TxnMarkerWrittenEvent): void {
  const { actor } = context;
  const { request, epoch } = event;
  if (event.error !== undefined) {
    replyError(actor, request, fromWireError(event.error));
    return;
  }
  const hosted = context.partitions.get(request.partition);
  if (hosted?.epoch === epoch && hosted.status === 'loaded') {
    const notice: GroupTxnCompletedEvent = {
      type: 'group.txnCompleted',
      producerId: request.producerId,
      producerEpoch: request.producerEpoch,
      marker: request.marker,
    };
    for (const group of context.groups.values()) {
      if (group.partition === request.partition) actor.send(group.actorId, notice);
    }
  }
  const result: WriteTxnMarkerResult = { offset: event.offset! };
  reply(actor, request, result);
}

/** Appends the marker, turning a state log that throws into a rejection. */
function appendMarkerSafely(log: CoordinatorStateLog, marker: CoordinatorTxnMarker): Promise<number> {
  try {
    return log.appendMarker(marker);
  } catch (err) {
    return Promise.reject(err);
  }
}
