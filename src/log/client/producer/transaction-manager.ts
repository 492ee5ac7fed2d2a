/**
 * The producer's idempotence and transaction state (Kafka's TransactionManager): the producer id
 * and epoch, the next sequence number of every partition, and for a transactional producer the
 * transaction's life.
 *
 * ```
 *   uninitialized ──initTransactions──► ready ──beginTransaction──► inTransaction
 *        ▲                                ▲                          │      │
 *        │                                ├──── committing ◄─commit──┘      │ a send or request
 *        │                                └──── aborting ◄───abort───┐      ▼ failed
 *        │                                                   abortableError
 *   (any state) ──fenced, or a fatal error──► fatalError (only close is left)
 * ```
 *
 * Sequences: a batch is stamped when it is first drained (batches may fill before the producer id
 * arrives), and restamped only if the epoch changed since. One batch per partition is in flight,
 * so a retried batch keeps its sequence and the leader recognises it as a duplicate. An idempotent
 * producer whose sequences went out of step with a partition (a batch expired after it was sent,
 * or the broker lost its state) bumps its epoch (KIP-360) once nothing is in flight and starts all
 * partitions at sequence 0 again. Under KIP-890 every EndTxn bumps the epoch, so each transaction
 * starts at sequence 0 with a new epoch and nothing from an earlier one can land after it.
 */
import { IllegalStateError, MillraceError } from '../../../common/errors.js';
import { TransactionAbortableError } from '../../../common/transaction-errors.js';
import type { Clock } from '../../../runtime/actor/clock.js';
import type { ProducerIdAndEpoch } from '../../coordinator/transaction/txn-requests.js';
import { setBatchProducerState } from '../../format/batch-layout.js';
import type { CoordinatorCaller } from './coordinator-caller.js';
import type { ProducerBatch } from './producer-batch.js';
import type { ProducerConfig } from './producer-config.js';

/** Where a transactional producer is in its life (see the diagram above). */
export type TransactionState =
  | 'uninitialized'
  | 'initializing'
  | 'ready'
  | 'inTransaction'
  | 'committing'
  | 'aborting'
  | 'abortableError'
  | 'fatalError';

/** Errors that end the producer: another instance took over, or its identity is gone. */
const FATAL_CODES = new Set(['PRODUCER_FENCED', 'INVALID_PRODUCER_ID_MAPPING']);
/**
 * Errors that end the producer when a coordinator answers them. From a partition an old epoch
 * only fails the transaction (KIP-890: it may be a produce of a transaction the coordinator
 * already ended); the abort that follows learns from the coordinator whether this instance is fenced.
 */
const FATAL_FROM_COORDINATOR = new Set(['INVALID_PRODUCER_EPOCH', 'INVALID_TXN_STATE']);
/** Produce errors that mean the producer's sequences are out of step with the partition. */
const SEQUENCE_CODES = new Set([
  'OUT_OF_ORDER_SEQUENCE_NUMBER',
  'UNKNOWN_PRODUCER_ID',
  'INVALID_PRODUCER_EPOCH',
]);
const MAX_SEQUENCE = 0x7fffffff;

/**
 * What the producer does with a failed produce.
 *
 * @example
 * ```ts
 * if (manager.onProduceError(batch, err) === 'retryAfterBump') accumulator.fail(batch, retriable(err));
 * ```
 */
export type ProduceErrorAction = 'asIs' | 'retryAfterBump';

/**
 * The idempotence and transaction state of one producer.
 *
 * @example
 * ```ts
 * const manager = new TransactionManager(config, caller, clock, { onChange: drain, onError: failUnsent });
 * await manager.initTransactions();
 * manager.beginTransaction();
 * ```
 */
export class TransactionManager {
  readonly transactionalId: string | null;
  readonly idempotent: boolean;
  private _state: TransactionState = 'uninitialized';
  private producerId = -1;
  private producerEpoch = -1;
  private readonly sequences = new Map<string, number>();
  private lastError: Error | undefined;
  private initializing: Promise<void> | undefined;
  private bumpNeeded = false;
  /** Partitions the coordinator has added to the open transaction. */
  private readonly added = new Set<string>();
  /** Partitions with batches waiting to be added. */
  private readonly pendingAdd = new Map<string, { topic: string; partition: number }>();
  /** The AddPartitionsToTxn in flight, if any: EndTxn waits for it. */
  private addInFlight: Promise<void> | undefined;
  /** Counts transactions, so an answer about an earlier one is recognised. */
  private generation = 0;
  /** Whether the open transaction has anything for EndTxn to finish (partitions or offsets). */
  private hasWork = false;
  /** The group of the last sendOffsetsToTransaction: the next transactions will likely commit to it. */
  private offsetsGroup: string | undefined;
  /**
   * The early AddOffsetsToTxn of the open transaction (see preAddOffsets), once sent: true once
   * the coordinator added the group's offsets partition, false when the call failed.
   */
  private offsetsPreAdd: Promise<boolean> | undefined;
  /** The group offsetsPreAdd was sent for. */
  private offsetsPreAddGroup: string | undefined;

  constructor(
    private readonly config: ProducerConfig,
    private readonly caller: CoordinatorCaller,
    private readonly clock: Clock,
    private readonly hooks: {
      /** Something the sender waits for changed (an id arrived, partitions were added). */
      onChange: () => void;
      /** The transaction (or producer) failed: unsent batches must fail with `error`. */
      onError: (error: Error) => void;
      /** How many batches are in flight (an epoch bump waits for none). */
      inFlightBatches: () => number;
    },
  ) {
    this.transactionalId = config.transactionalId;
    this.idempotent = config.enableIdempotence;
  }

  /** The transaction state (a non-transactional producer stays 'uninitialized' or 'ready'). */
  get state(): TransactionState {
    return this._state;
  }

  /** The producer id and epoch (-1 until known). */
  get identity(): ProducerIdAndEpoch {
    return { producerId: this.producerId, producerEpoch: this.producerEpoch };
  }

  /**
   * Whether batches may be drained now; if not, starts whatever they wait for (an idempotent
   * producer's id, or its epoch bump once nothing is in flight).
   */
  readyToSend(): boolean {
    if (!this.idempotent) return true;
    if (this._state === 'fatalError') return false;
    if (this.transactionalId !== null) return this.producerId >= 0;
    if (this.producerId < 0 || this.bumpNeeded) {
      if (this.initializing === undefined && (!this.bumpNeeded || this.hooks.inFlightBatches() === 0)) {
        this.initializing = this.initIdempotent().finally(() => {
          this.initializing = undefined;
          this.hooks.onChange();
        });
      }
      return false;
    }
    return true;
  }

  /**
   * Whether a transactional producer may send to the partition now: only once it is in the
   * transaction. Otherwise the partition is queued for the next AddPartitionsToTxn.
   */
  canSend(topic: string, partition: number): boolean {
    if (this.transactionalId === null) return true;
    if (this._state !== 'inTransaction' && this._state !== 'committing') return false;
    const key = `${topic}\u0000${partition}`;
    if (this.added.has(key)) return true;
    if (!this.pendingAdd.has(key)) this.pendingAdd.set(key, { topic, partition });
    return false;
  }

  /** Sends one AddPartitionsToTxn for every partition waiting, if none is in flight. */
  addPendingPartitions(): void {
    if (this.addInFlight !== undefined || this.pendingAdd.size === 0 || this.transactionalId === null) return;
    const partitions = [...this.pendingAdd.values()];
    const generation = this.generation;
    this.hasWork = true;
    this.addInFlight = this.call<unknown>({
      type: 'txn.addPartitions',
      transactionalId: this.transactionalId,
      ...this.identity,
      partitions,
    }).then(
      () => {
        this.addInFlight = undefined;
        // An answer that outlived its transaction must not add partitions to the next one: their
        // data would be written outside any transaction the coordinator knows, and never get a marker.
        if (generation !== this.generation) return;
        for (const p of partitions) {
          const key = `${p.topic}\u0000${p.partition}`;
          this.pendingAdd.delete(key);
          this.added.add(key);
        }
        this.hooks.onChange();
      },
      (err: unknown) => {
        this.addInFlight = undefined;
        if (generation === this.generation) this.fail(err, true);
      },
    );
    this.preAddOffsets();
  }

  /**
   * A transaction that commits offsets (a stream thread's: every one) adds its group's offsets
   * partition with AddOffsetsToTxn, a synced coordinator write, in the commit's critical path.
   * Sent early, with the transaction's first partitions, for the group the last transaction
   * committed to, sendOffsetsToTransaction finds the partition added and skips its own call (a
   * round trip through a busy broker, ~1.7 ms of each commit of a stream thread). A failure is left
   * to that call to meet again (and report).
   */
  private preAddOffsets(): void {
    const groupId = this.offsetsGroup;
    if (groupId === undefined || this.offsetsPreAdd !== undefined || this._state !== 'inTransaction') return;
    this.offsetsPreAddGroup = groupId;
    this.offsetsPreAdd = this.call<unknown>({
      type: 'txn.addOffsets',
      transactionalId: this.transactionalId,
      ...this.identity,
      groupId,
    }).then(
      () => true,
      () => false,
    );
  }

  /** Stamps a drained batch with the producer id, epoch and its partition's next sequence. */
  stamp(batch: ProducerBatch): void {
    if (!this.idempotent || (batch.producerEpoch === this.producerEpoch && batch.baseSequence >= 0)) return;
    const key = `${batch.topic}\u0000${batch.partition}`;
    const sequence = this.sequences.get(key) ?? 0;
    const next = sequence + batch.recordCount;
    this.sequences.set(key, next > MAX_SEQUENCE ? next - MAX_SEQUENCE - 1 : next);
    batch.producerEpoch = this.producerEpoch;
    batch.baseSequence = sequence;
    setBatchProducerState(batch.bytes, 0, {
      producerId: this.producerId,
      producerEpoch: this.producerEpoch,
      baseSequence: sequence,
      isTransactional: this.transactionalId !== null,
    });
  }

  /**
   * Classifies a failed produce. An idempotent producer's sequence errors are retried after an
   * epoch bump; a transactional producer's errors fail the transaction (after the accumulator
   * gives up on the batch, see `onBatchFailed`).
   */
  onProduceError(batch: ProducerBatch, error: Error): ProduceErrorAction {
    if (
      this.transactionalId === null &&
      this.idempotent &&
      error instanceof MillraceError &&
      SEQUENCE_CODES.has(error.code) &&
      batch.producerEpoch === this.producerEpoch
    ) {
      this.bumpNeeded = true;
      return 'retryAfterBump';
    }
    return 'asIs';
  }

  /** A batch failed for good: its sequence may be used up, or the transaction is lost. */
  onBatchFailed(batch: ProducerBatch, error: Error): void {
    if (this.transactionalId !== null) this.fail(error, false);
    else if (this.idempotent && batch.baseSequence >= 0 && batch.producerEpoch === this.producerEpoch) {
      this.bumpNeeded = true;
    }
  }

  /**
   * Registers the transactional id with its coordinator: fences earlier instances, aborts their
   * open transaction, and gets this instance's producer id and epoch.
   *
   * @throws IllegalStateError without a transactionalId or when already initialised;
   *   ProducerFencedError and other fatal coordinator errors; RequestTimedOutError after maxBlockMs
   *   (call again).
   */
  async initTransactions(): Promise<void> {
    const transactionalId = this.requireTransactional('initTransactions');
    if (this._state !== 'uninitialized' && this._state !== 'initializing') {
      throw new IllegalStateError(`initTransactions was already called (state ${this._state})`);
    }
    this._state = 'initializing';
    const ids = await this.caller.call<ProducerIdAndEpoch>(
      { kind: 'transaction', id: transactionalId },
      {
        type: 'txn.initProducerId',
        transactionalId,
        transactionTimeoutMs: this.config.transactionTimeoutMs,
        producerId: -1,
        producerEpoch: -1,
      },
      this.clock.nowMs() + this.config.maxBlockMs,
    );
    this.setIdentity(ids);
    this._state = 'ready';
    this.hooks.onChange();
  }

  /**
   * Begins a transaction (locally: the coordinator learns of it with the first partition).
   *
   * @throws IllegalStateError unless the producer is ready (initialised, no transaction open).
   */
  beginTransaction(): void {
    this.requireTransactional('beginTransaction');
    this.requireState('beginTransaction', 'ready');
    this.added.clear();
    this.pendingAdd.clear();
    this.hasWork = false;
    this.offsetsPreAdd = undefined;
    this.generation++;
    this._state = 'inTransaction';
  }

  /**
   * Adds the group's offsets to the transaction (KIP-447: with the consumer's generation, so a
   * member of an old generation is fenced).
   *
   * @throws IllegalStateError outside a transaction; TransactionAbortableError when the group
   *   refused the offsets (abort and retry the transaction); fatal errors as initTransactions.
   */
  async sendOffsetsToTransaction(
    offsets: readonly { topic: string; partition: number; offset: number; metadata?: string }[],
    group: { groupId: string; generationId: number; memberId: string; groupInstanceId: string | null },
  ): Promise<void> {
    const transactionalId = this.requireTransactional('sendOffsetsToTransaction');
    this.requireState('sendOffsetsToTransaction', 'inTransaction');
    this.hasWork = true;
    this.offsetsGroup = group.groupId;
    try {
      const preAdded = this.offsetsPreAddGroup === group.groupId && (await this.offsetsPreAdd) === true;
      if (!preAdded) {
        await this.call({
          type: 'txn.addOffsets',
          transactionalId,
          ...this.identity,
          groupId: group.groupId,
        });
      }
      const result = await this.caller.call<{
        partitions: readonly { error: { code?: string; name: string; message: string } | null }[];
      }>(
        { kind: 'group', id: group.groupId },
        {
          type: 'group.txnOffsetCommit',
          transactionalId,
          ...this.identity,
          ...group,
          offsets: offsets.map((o) => ({ ...o, leaderEpoch: -1, metadata: o.metadata ?? '' })),
        },
        this.clock.nowMs() + this.config.maxBlockMs,
      );
      const failed = result.partitions.find((p) => p.error !== null);
      if (failed?.error) {
        throw new TransactionAbortableError(
          `the group ${group.groupId} refused the transaction's offsets: ${failed.error.message}`,
        );
      }
    } catch (err) {
      this.fail(err, true);
      throw this.lastError;
    }
  }

  /**
   * Commits: waits for every record of the transaction (`flush`), then ends it at the coordinator.
   *
   * @throws TransactionAbortableError when a send of the transaction failed (abort it);
   *   ProducerFencedError (fatal) when another instance took over or the transaction timed out.
   */
  async commitTransaction(flush: () => Promise<void>): Promise<void> {
    await this.endTransaction(true, flush);
  }

  /**
   * Aborts: unsent records fail, records in flight are waited for, then the coordinator writes
   * ABORT markers.
   *
   * @throws ProducerFencedError (fatal) when another instance took over.
   */
  async abortTransaction(flush: () => Promise<void>): Promise<void> {
    await this.endTransaction(false, flush);
  }

  /** Throws unless a send may join the current transaction. */
  checkCanAppend(): void {
    if (this.transactionalId === null) return;
    if (this._state === 'inTransaction') return;
    if (this._state === 'fatalError' || this._state === 'abortableError') throw this.lastError;
    throw new IllegalStateError(
      `cannot send in state ${this._state}: a transactional producer sends between beginTransaction and commitTransaction`,
    );
  }

  private async endTransaction(commit: boolean, flush: () => Promise<void>): Promise<void> {
    const transactionalId = this.requireTransactional(commit ? 'commitTransaction' : 'abortTransaction');
    if (this._state === 'fatalError') throw this.lastError;
    if (commit) this.requireState('commitTransaction', 'inTransaction');
    else if (this._state !== 'inTransaction' && this._state !== 'abortableError') {
      throw new IllegalStateError(`abortTransaction needs an open transaction (state ${this._state})`);
    }
    this._state = commit ? 'committing' : 'aborting';
    if (!commit) this.hooks.onError(new TransactionAbortableError('the transaction was aborted'));
    this.hooks.onChange();
    await flush();
    // EndTxn goes after any AddPartitionsToTxn in flight, so the coordinator ends what it added.
    while (this.addInFlight !== undefined) await this.addInFlight;
    await this.offsetsPreAdd;
    // A send of the transaction failed while it was flushed: it cannot commit.
    if (this._state !== (commit ? 'committing' : 'aborting')) throw this.lastError;
    if (this.hasWork) {
      try {
        const next = await this.call<ProducerIdAndEpoch>({
          type: 'txn.endTxn',
          transactionalId,
          ...this.identity,
          committed: commit,
        });
        this.setIdentity(next);
      } catch (err) {
        if (err instanceof MillraceError && err.retriable) {
          // A timeout leaves the outcome to a retry of the same call: the coordinator recognises
          // a repeated EndTxn (KIP-890) and answers it with the epoch it moved to.
          this._state = commit ? 'inTransaction' : 'abortableError';
          if (!commit) this.lastError = err;
          throw err;
        }
        this.fail(err, true);
        throw this.lastError;
      }
    }
    this.lastError = undefined;
    this.added.clear();
    this.pendingAdd.clear();
    this.hasWork = false;
    this._state = 'ready';
  }

  private async initIdempotent(): Promise<void> {
    const bump = this.producerId >= 0;
    try {
      const ids = await this.caller.call<ProducerIdAndEpoch>(
        { kind: 'any' },
        {
          type: 'txn.initProducerId',
          transactionalId: null,
          transactionTimeoutMs: this.config.transactionTimeoutMs,
          producerId: bump ? this.producerId : -1,
          producerEpoch: bump ? this.producerEpoch : -1,
        },
        this.clock.nowMs() + this.config.maxBlockMs,
      );
      this.setIdentity(ids);
      this.bumpNeeded = false;
      this._state = 'ready';
    } catch (err) {
      if (!(err instanceof MillraceError) || !err.retriable) this.fail(err, true);
    }
  }

  private setIdentity(ids: ProducerIdAndEpoch): void {
    if (ids.producerId !== this.producerId || ids.producerEpoch !== this.producerEpoch)
      this.sequences.clear();
    this.producerId = ids.producerId;
    this.producerEpoch = ids.producerEpoch;
  }

  /** A transaction request or send failed: fatal errors end the producer, others the transaction. */
  private fail(err: unknown, fromCoordinator: boolean): void {
    const error = err instanceof Error ? err : new IllegalStateError(String(err));
    const fatal =
      error instanceof MillraceError &&
      (FATAL_CODES.has(error.code) || (fromCoordinator && FATAL_FROM_COORDINATOR.has(error.code)));
    if (this._state === 'fatalError') return;
    if (fatal || this.transactionalId === null) {
      this._state = 'fatalError';
      this.lastError = error;
      this.hooks.onError(error);
      return;
    }
    if (this._state === 'abortableError' || this._state === 'aborting') return;
    this._state = 'abortableError';
    this.lastError =
      error instanceof TransactionAbortableError
        ? error
        : new TransactionAbortableError(`the transaction cannot commit: ${error.message}`);
    this.hooks.onError(this.lastError);
  }

  private call<T>(request: { type: string; [field: string]: unknown }): Promise<T> {
    return this.caller.call<T>(
      { kind: 'transaction', id: this.transactionalId! },
      request,
      this.clock.nowMs() + this.config.maxBlockMs,
    );
  }

  private requireTransactional(method: string): string {
    if (this.transactionalId === null) {
      throw new IllegalStateError(`${method} needs a transactionalId in the producer config`);
    }
    return this.transactionalId;
  }

  private requireState(method: string, state: TransactionState): void {
    if (this._state === 'fatalError' || this._state === 'abortableError') throw this.lastError;
    if (this._state !== state)
      throw new IllegalStateError(`${method} needs state ${state}, not ${this._state}`);
  }
}
