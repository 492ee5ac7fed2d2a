/**
 * What the machine of one transactional id (txn-coordinator-machine.ts) is made of besides its
 * states: the stored metadata, the write in flight and the requests waiting for it, the marker
 * writer, and the effects — stores to `__transaction_state` whose outcome comes back as an event,
 * answers, notices to the host. The decisions themselves are pure (txn-transitions.ts); none of
 * this needs XState.
 *
 * One write at a time: requests that arrive while one is in flight wait for it, in order, so each
 * decision sees the stored state. A caller is answered only once what it was answered about is
 * stored (acks=all), so a coordinator that takes over finds every promise kept.
 */
import {
  CoordinatorNotAvailableError,
  fromWireError,
  KafkaProtocolError,
  NotCoordinatorError,
  NotLeaderOrFollowerError,
  toWireError,
  type WireError,
} from '../../../common/kafka-errors.js';
import { ConcurrentTransactionsError } from '../../../common/transaction-errors.js';
import {
  type ActorContext,
  type RpcRequest,
  type RpcResponse,
  reply,
  replyError,
} from '../../../runtime/actor/index.js';
import type { CoordinatorStateLog } from '../coordinator-state-log.js';
import type {
  TxnActorInput,
  TxnPhase,
  TxnRetiredEvent,
  TxnSelfEvent,
  TxnStateChangedEvent,
} from './txn-actor-types.js';
import { completeTransaction, decideTimeoutAbort, isExpired } from './txn-lifecycle.js';
import { type MarkerOutcome, type MarkerTimerEvent, TxnMarkerWriter } from './txn-marker-writer.js';
import { describeTransaction, isPreparing, type TxnMetadata } from './txn-metadata.js';
import type { TransactionRequest } from './txn-requests.js';
import {
  encodeTransactionStateValue,
  TRANSACTION_STATE_TOPIC,
  transactionStateKey,
} from './txn-state-records.js';
import { decideTransactionRequest, type TxnAnswer } from './txn-transitions.js';

const PHASE_OF: Readonly<Record<TxnMetadata['state'], TxnPhase>> = {
  Empty: 'empty',
  Ongoing: 'ongoing',
  PrepareCommit: 'prepareCommit',
  PrepareAbort: 'prepareAbort',
  CompleteCommit: 'completeCommit',
  CompleteAbort: 'completeAbort',
};

interface PendingWrite {
  readonly ticket: number;
  readonly kind: 'request' | 'fence' | 'complete' | 'expire';
  /** null: a tombstone. */
  readonly next: TxnMetadata | null;
  readonly request?: RpcRequest;
  readonly answer?: TxnAnswer;
}

/** Backoff of the Complete* write after a failed attempt. */
const COMPLETE_RETRY_MS = 200;

/**
 * The state and behaviour of one transactional id's actor.
 *
 * @example
 * ```ts
 * context: ({ input }) => ({ txn: new TxnActor(input.actor, input.input) }),
 * ```
 */
export class TxnActor {
  readonly transactionalId: string;
  meta: TxnMetadata | undefined;
  private pending: PendingWrite | undefined;
  private readonly queue: TransactionRequest[] = [];
  /** Requests held until the transaction in Prepare* is complete (instead of CONCURRENT_TRANSACTIONS). */
  private readonly waitingForCompletion: TransactionRequest[] = [];
  private deadReason: 'expired' | 'unloaded' | 'unused' | undefined;
  private writer: TxnMarkerWriter | undefined;
  private markersWritten = false;
  private nextTicket = 1;
  private nextCorrelationId = 1;

  constructor(
    readonly actor: ActorContext,
    private readonly input: TxnActorInput,
  ) {
    this.transactionalId = input.transactionalId;
    this.meta = input.loaded;
  }

  /** The machine state this actor is in. */
  phase(): TxnPhase {
    if (this.deadReason !== undefined) return 'dead';
    if (this.pending?.kind === 'fence') return 'prepareEpochFence';
    return this.meta === undefined ? 'empty' : PHASE_OF[this.meta.state];
  }

  /** Partitions whose markers are still to be written (for tests and tools). */
  pendingMarkers(): readonly { topic: string; partition: number }[] {
    return this.writer?.pending ?? [];
  }

  /** Answers or decides a request; one that arrives during a write waits for it. */
  handle(request: TransactionRequest): void {
    const { actor } = this;
    if (this.deadReason !== undefined) {
      replyError(actor, request, this.deadError());
      return;
    }
    if (request.type === 'txn.describe') {
      const state = this.phase() === 'prepareEpochFence' ? 'PrepareEpochFence' : undefined;
      reply(actor, request, describeTransaction(this.transactionalId, this.meta, state));
      return;
    }
    if (this.pending !== undefined) {
      this.queue.push(request);
      return;
    }
    const decision = decideTransactionRequest(this.meta, request, this.decisionEnv());
    if (decision.kind === 'answer') {
      // The previous transaction's markers are still being written: rather than answer
      // CONCURRENT_TRANSACTIONS and have the producer back off, hold the request until the
      // transaction is complete and decide it then. A producer that commits every 100 ms would
      // otherwise spend a retry backoff per transaction waiting.
      if (
        (request.type === 'txn.addPartitions' || request.type === 'txn.addOffsets') &&
        !decision.answer.ok &&
        decision.answer.error instanceof ConcurrentTransactionsError &&
        this.meta !== undefined &&
        isPreparing(this.meta.state)
      ) {
        this.waitingForCompletion.push(request);
        return;
      }
      this.answer(request, decision.answer);
    } else this.store(decision.fence ? 'fence' : 'request', decision.next, request, decision.answer);
  }

  /** The periodic check: abort a timed-out transaction, forget an expired id. */
  tick(): void {
    if (this.deadReason !== undefined || this.pending !== undefined) return;
    const meta = this.meta;
    if (meta === undefined) {
      // Spawned for an InitProducerId that failed: nothing to keep.
      this.deadReason = 'unused';
      return;
    }
    const now = this.actor.clock.nowMs();
    const aborting = decideTimeoutAbort(meta, now);
    if (aborting !== undefined) this.store('fence', aborting);
    else if (isExpired(meta, now, this.input.config.transactionalIdExpirationMs)) this.store('expire', null);
  }

  /** A write is stored: it becomes the state, and its caller is answered. */
  onStored(ticket: number): void {
    const p = this.pending;
    if (p === undefined || p.ticket !== ticket) return;
    this.pending = undefined;
    if (p.next === null) {
      this.meta = undefined;
      this.deadReason = 'expired';
    } else {
      this.meta = p.next;
    }
    if (p.request !== undefined && p.answer !== undefined) this.answer(p.request, p.answer);
    if (p.kind === 'complete') this.queue.unshift(...this.waitingForCompletion.splice(0));
    this.drain();
  }

  /** A write failed: the state stays as it was; its caller gets a retriable coordinator error. */
  onStoreFailed(ticket: number, error: WireError): void {
    const p = this.pending;
    if (p === undefined || p.ticket !== ticket) return;
    this.pending = undefined;
    if (p.request !== undefined) replyError(this.actor, p.request, fromWireError(error));
    if (p.kind === 'complete') {
      this.actor.clock.setTimer(COMPLETE_RETRY_MS, () =>
        this.actor.send(this.actor.id, { type: 'internal.retryComplete' }),
      );
    }
    this.drain();
  }

  /** Starts writing the markers of the transaction in Prepare* (on entering it). */
  startMarkers(): void {
    const meta = this.meta;
    this.stopMarkers();
    if (meta === undefined || !isPreparing(meta.state)) return;
    this.markersWritten = false;
    const { config, coordinatorEpoch } = this.input;
    this.writer = new TxnMarkerWriter(
      this.actor,
      {
        transactionalId: this.transactionalId,
        partitions: meta.partitions,
        producerId: meta.producerId,
        producerEpoch: meta.producerEpoch,
        coordinatorEpoch,
        marker: meta.state === 'PrepareCommit' ? 'COMMIT' : 'ABORT',
      },
      { requestTimeoutMs: config.requestTimeoutMs, initialBackoffMs: 50, maxBackoffMs: 2000 },
      () => this.nextCorrelationId++,
      (outcome) => this.onMarkers(outcome),
    );
    this.writer.start();
  }

  /** Stops the marker writer (on leaving Prepare*, or dying). */
  stopMarkers(): void {
    this.writer?.stop();
    this.writer = undefined;
  }

  /** An rpc response: the marker writer's. */
  onResponse(event: RpcResponse): void {
    this.writer?.onResponse(event);
  }

  /** A marker writer's timer. */
  onMarkerTimer(event: MarkerTimerEvent): void {
    this.writer?.onTimer(event);
  }

  /** Tries the Complete* write again after a failure. */
  retryComplete(): void {
    if (this.markersWritten) this.storeComplete();
  }

  /** The partition moved to another coordinator: everyone waiting is told to go there. */
  unload(): void {
    if (this.deadReason !== undefined) return;
    this.deadReason = 'unloaded';
    const error = this.deadError();
    if (this.pending?.request !== undefined) replyError(this.actor, this.pending.request, error);
    this.pending = undefined;
    for (const request of this.queue.splice(0)) replyError(this.actor, request, error);
    for (const request of this.waitingForCompletion.splice(0)) replyError(this.actor, request, error);
    this.stopMarkers();
  }

  /** Tells the host this actor is dead (on entering `dead`). */
  announceDead(): void {
    const { host } = this.input;
    if (host === undefined) return;
    this.stopMarkers();
    this.actor.send(host, {
      type: 'txn.stateChanged',
      transactionalId: this.transactionalId,
      actorId: this.actor.id,
      state: 'Dead',
    } satisfies TxnStateChangedEvent);
  }

  /** Answers `txn.retire`: every request that reached this actor was answered. */
  retire(): void {
    const { host } = this.input;
    if (host === undefined) return;
    this.actor.send(host, {
      type: 'txn.retired',
      transactionalId: this.transactionalId,
      actorId: this.actor.id,
    } satisfies TxnRetiredEvent);
  }

  private onMarkers(outcome: MarkerOutcome): void {
    // Fenced: a newer coordinator has the transaction, and this one is about to be unloaded.
    if (outcome !== 'written') return;
    this.markersWritten = true;
    this.storeComplete();
  }

  private storeComplete(): void {
    const meta = this.meta;
    if (
      this.deadReason !== undefined ||
      this.pending !== undefined ||
      meta === undefined ||
      !isPreparing(meta.state)
    ) {
      return;
    }
    const completed = completeTransaction(meta, this.actor.clock.nowMs());
    // A held AddPartitions/AddOffsets of the next transaction is decided against the completed
    // state and stored in the same write: the next transaction's Ongoing record implies this one's
    // completion (it can only begin once every marker is written), and the producer's data waits
    // one durable write fewer per commit.
    const next = this.waitingForCompletion[0];
    if (next !== undefined && next.type !== 'txn.describe') {
      const decision = decideTransactionRequest(completed, next, this.decisionEnv());
      if (decision.kind === 'store' && !decision.fence) {
        this.waitingForCompletion.shift();
        this.store('complete', decision.next, next, decision.answer);
        return;
      }
    }
    this.store('complete', completed);
  }

  private decisionEnv() {
    const { config, producerIds } = this.input;
    return {
      nowMs: this.actor.clock.nowMs(),
      transactionMaxTimeoutMs: config.transactionMaxTimeoutMs,
      offsetsTopicPartitions: config.offsetsTopicPartitions,
      newProducerId: () => producerIds.allocate(),
    };
  }

  private store(
    kind: PendingWrite['kind'],
    next: TxnMetadata | null,
    request?: RpcRequest,
    answer?: TxnAnswer,
  ): void {
    const ticket = this.nextTicket++;
    this.pending = {
      ticket,
      kind,
      next,
      ...(request === undefined ? {} : { request }),
      ...(answer === undefined ? {} : { answer }),
    };
    const record = {
      key: transactionStateKey(this.transactionalId),
      value: next === null ? null : encodeTransactionStateValue(next),
    };
    const { actor } = this;
    appendSafely(this.input.log, record).then(
      () => actor.send(actor.id, { type: 'internal.stored', ticket } satisfies TxnSelfEvent),
      (err: unknown) =>
        actor.send(actor.id, {
          type: 'internal.storeFailed',
          ticket,
          error: toWireError(asCoordinatorError(err)),
        } satisfies TxnSelfEvent),
    );
  }

  /** Decides the requests that waited for a write, until one starts another. */
  private drain(): void {
    while (this.pending === undefined && this.queue.length > 0) this.handle(this.queue.shift()!);
  }

  private answer(request: RpcRequest, answer: TxnAnswer): void {
    if (answer.ok) reply(this.actor, request, answer.result);
    else replyError(this.actor, request, answer.error);
  }

  private deadError(): Error {
    return this.deadReason === 'unloaded'
      ? new NotCoordinatorError(`${this.transactionalId} has moved to another transaction coordinator`)
      : new CoordinatorNotAvailableError(`${this.transactionalId} is being removed`);
  }
}

function appendSafely(
  log: CoordinatorStateLog,
  record: { key: Uint8Array; value: Uint8Array | null },
): Promise<void> {
  try {
    return log.append([record]);
  } catch (err) {
    return Promise.reject(err);
  }
}

/**
 * The error a failed write of `__transaction_state` is answered with: a broker that lost the
 * partition's leadership is no longer the coordinator; any other retriable failure means the
 * coordinator is not available right now.
 */
function asCoordinatorError(err: unknown): Error {
  if (err instanceof NotLeaderOrFollowerError || err instanceof NotCoordinatorError) {
    return new NotCoordinatorError(`lost the ${TRANSACTION_STATE_TOPIC} partition: ${err.message}`);
  }
  if (err instanceof KafkaProtocolError && !err.retriable) return err;
  const message = err instanceof Error ? err.message : String(err);
  return new CoordinatorNotAvailableError(`writing to ${TRANSACTION_STATE_TOPIC} failed: ${message}`);
}
