/**
 * Writing a transaction's COMMIT or ABORT markers: one WriteTxnMarkerRequest to the leader of
 * each partition of the transaction, in rounds — ask the controller where the partitions' leaders
 * are, send each missing marker to its leader, wait for the answers (or the round's deadline) —
 * with a growing backoff between rounds, until every partition has its marker. Leader changes,
 * lost messages and brokers that are down only cost rounds. A partition whose topic is gone
 * (deleted) needs no marker. The rounds are events to the owning actor (its rpc responses and
 * timers), so they stop with it: a coordinator that crashed sends nothing more.
 */
import {
  InvalidProducerEpochError,
  TransactionCoordinatorFencedError,
} from '../../../common/transaction-errors.js';
import type { ActorContext, RpcResponse, TimerHandle } from '../../../runtime/actor/index.js';
import { brokerActorId, type ClusterMetadata, CONTROLLER_ACTOR_ID } from '../../broker/cluster-metadata.js';
import type { WriteTxnMarkerRequest } from '../../broker/replica-requests.js';
import type { TopicPartitionRef } from './txn-metadata.js';

/**
 * What to write.
 *
 * @example
 * ```ts
 * const job: MarkerJob = { transactionalId: 'app-1', partitions, producerId: 7, producerEpoch: 4,
 *   coordinatorEpoch: 2, marker: 'COMMIT' };
 * ```
 */
export interface MarkerJob {
  readonly transactionalId: string;
  readonly partitions: readonly TopicPartitionRef[];
  readonly producerId: number;
  readonly producerEpoch: number;
  /** The leader epoch of the coordinator's `__transaction_state` partition. */
  readonly coordinatorEpoch: number;
  readonly marker: 'COMMIT' | 'ABORT';
}

/**
 * The timer events a writer sends its actor, which hands them back through `onTimer`.
 *
 * @example
 * ```ts
 * on: { 'internal.markerTimer': { actions: ({ context, event }) => context.writer?.onTimer(event) } }
 * ```
 */
export type MarkerTimerEvent = {
  readonly type: 'internal.markerTimer';
  readonly writer: number;
  readonly round: number;
  readonly kind: 'deadline' | 'backoff';
};

/**
 * How a writer ended: every marker written, or this coordinator was fenced by a newer one (which
 * completes the transaction itself).
 *
 * @example
 * ```ts
 * const onDone = (outcome: MarkerOutcome) => outcome === 'written' && storeComplete();
 * ```
 */
export type MarkerOutcome = 'written' | 'fenced';

/**
 * Timings of a writer.
 *
 * @example
 * ```ts
 * const options: MarkerWriterOptions = { requestTimeoutMs: 5000, initialBackoffMs: 50, maxBackoffMs: 2000 };
 * ```
 */
export interface MarkerWriterOptions {
  readonly requestTimeoutMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

type Call =
  | { readonly round: number; readonly kind: 'metadata' }
  | { readonly round: number; readonly kind: 'marker'; readonly key: string };

const keyOf = (tp: TopicPartitionRef) => `${tp.topic}-${tp.partition}`;

/**
 * One transaction's markers.
 *
 * @example
 * ```ts
 * // nextCorrelationId numbers the writer's requests and the writer itself, unique within the actor.
 * const writer = new TxnMarkerWriter(actor, job, options, () => correlationIds++, (outcome) => onMarkers(outcome));
 * writer.start();
 * // the actor routes its rpc.response events to writer.onResponse and its marker timers to writer.onTimer
 * ```
 */
export class TxnMarkerWriter {
  /** Tells this writer's timer events from an earlier writer's of the same actor. */
  readonly id: number;
  private readonly remaining = new Map<string, TopicPartitionRef>();
  private readonly calls = new Map<number, Call>();
  private round = 0;
  private failedRounds = 0;
  private timer: TimerHandle | undefined;
  private finished = false;

  constructor(
    private readonly actor: ActorContext,
    private readonly job: MarkerJob,
    private readonly options: MarkerWriterOptions,
    private readonly nextCorrelationId: () => number,
    private readonly onFinished: (outcome: MarkerOutcome) => void,
  ) {
    this.id = nextCorrelationId();
    for (const tp of job.partitions) this.remaining.set(keyOf(tp), tp);
  }

  /** Partitions still without their marker. */
  get pending(): readonly TopicPartitionRef[] {
    return [...this.remaining.values()];
  }

  /** Starts the first round (or finishes at once for a transaction without partitions). */
  start(): void {
    if (this.remaining.size === 0) this.finish('written');
    else this.beginRound();
  }

  /** Stops: no more requests, timers or callbacks. */
  stop(): void {
    this.finished = true;
    this.timer?.cancel();
    this.calls.clear();
  }

  /** Takes a response; false when it is not one of this writer's calls. */
  onResponse(event: RpcResponse): boolean {
    const call = this.calls.get(event.correlationId);
    if (call === undefined) return false;
    this.calls.delete(event.correlationId);
    if (this.finished) return true;
    if (call.kind === 'metadata') {
      if (call.round !== this.round) return true;
      if (event.error === undefined) this.sendMarkers(event.result as ClusterMetadata);
    } else if (event.error === undefined) {
      // A late answer from an earlier round counts too: that marker is written.
      this.remaining.delete(call.key);
    } else if (event.error.errorCode === TransactionCoordinatorFencedError.errorCode) {
      this.finish('fenced');
      return true;
    } else if (event.error.errorCode === InvalidProducerEpochError.errorCode) {
      // The partition has seen a newer epoch of this producer, which exists only once this
      // transaction is complete everywhere: its marker is there already.
      this.remaining.delete(call.key);
    }
    if (call.round === this.round) this.maybeEndRound();
    return true;
  }

  /** Takes one of this writer's timer events. */
  onTimer(event: MarkerTimerEvent): void {
    if (this.finished || event.writer !== this.id || event.round !== this.round) return;
    if (event.kind === 'backoff') this.beginRound();
    else this.endRound();
  }

  private beginRound(): void {
    this.round++;
    // Answers older than the previous round are not waited for any more.
    for (const [id, call] of this.calls) if (call.round < this.round - 1) this.calls.delete(id);
    const topics = [...new Set([...this.remaining.values()].map((tp) => tp.topic))];
    this.send(
      CONTROLLER_ACTOR_ID,
      { type: 'controller.metadata', topics },
      { round: this.round, kind: 'metadata' },
    );
    // Metadata, then markers waiting on the leader's high watermark: two request timeouts.
    this.schedule(2 * this.options.requestTimeoutMs, 'deadline');
  }

  private sendMarkers(metadata: ClusterMetadata): void {
    const { job } = this;
    for (const [key, tp] of this.remaining) {
      const partitions = metadata.topics.find((t) => t.name === tp.topic)?.partitions;
      if (partitions === undefined || tp.partition >= partitions.length) {
        // The topic was deleted (or never had the partition): there is nothing to mark.
        this.remaining.delete(key);
        continue;
      }
      const leader = partitions[tp.partition]!.leader;
      if (leader < 0) continue;
      const request: Pick<
        WriteTxnMarkerRequest,
        | 'type'
        | 'topic'
        | 'partition'
        | 'producerId'
        | 'producerEpoch'
        | 'coordinatorEpoch'
        | 'marker'
        | 'timeoutMs'
      > = {
        type: 'txnMarker.request',
        topic: tp.topic,
        partition: tp.partition,
        producerId: job.producerId,
        producerEpoch: job.producerEpoch,
        coordinatorEpoch: job.coordinatorEpoch,
        marker: job.marker,
        timeoutMs: this.options.requestTimeoutMs,
      };
      this.send(brokerActorId(leader), request, { round: this.round, kind: 'marker', key });
    }
    this.maybeEndRound();
  }

  private maybeEndRound(): void {
    for (const call of this.calls.values()) if (call.round === this.round) return;
    this.endRound();
  }

  private endRound(): void {
    this.timer?.cancel();
    if (this.remaining.size === 0) {
      this.finish('written');
      return;
    }
    const delay = Math.min(this.options.initialBackoffMs * 2 ** this.failedRounds, this.options.maxBackoffMs);
    this.failedRounds++;
    this.schedule(delay, 'backoff');
  }

  private send(to: string, request: { type: string; [field: string]: unknown }, call: Call): void {
    const correlationId = this.nextCorrelationId();
    this.calls.set(correlationId, call);
    this.actor.send(to, { ...request, correlationId, replyTo: this.actor.id });
  }

  private schedule(delayMs: number, kind: MarkerTimerEvent['kind']): void {
    this.timer?.cancel();
    const event: MarkerTimerEvent = {
      type: 'internal.markerTimer',
      writer: this.id,
      round: this.round,
      kind,
    };
    this.timer = this.actor.clock.setTimer(delayMs, () => this.actor.send(this.actor.id, event));
  }

  private finish(outcome: MarkerOutcome): void {
    if (this.finished) return;
    this.stop();
    this.onFinished(outcome);
  }
}
