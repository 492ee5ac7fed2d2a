/**
 * Changelogging of one store in one task: at commit, every change the store's commit will apply
 * (the record cache's collapsed updates, plus any store metadata, as held by the transaction
 * buffer: one write per key) goes to the store's changelog partition through the thread's
 * transactional producer; once the log transaction has committed, the store applies its buffer
 * atomically together with the changelog offset right after its last record, so a reopened store
 * replays only what follows (DESIGN.md §7).
 *
 * The runtime's commit, per task:
 *   1. `await changelogger.prepareCommit(producer)` for each store (records appended);
 *   2. `producer.sendOffsetsToTransaction(...)`, `await producer.commitTransaction()`;
 *   3. on success `changelogger.commit()` for each store; on failure `changelogger.abort()` (after
 *      `producer.abortTransaction()`), then reprocess from the committed input offsets.
 *
 * A thread that processes on while the log transaction ends calls `seal()` between 1 and 2: the
 * store commits as far as it can (its transaction buffer seals the writes; see
 * TransactionalBytesStore.sealThrough) and takes new writes; `commit()` later confirms the
 * sealed writes with their offsets, `abort()` drops them with whatever followed.
 */
import { IllegalStateError } from '../../common/errors.js';
import type { RecordMetadata } from '../../log/client/producer/producer-types.js';
import type { StoreEngine, WriteOp } from '../engine.js';
import type { StateStore } from '../state-store.js';
import { TransactionalBytesStore } from '../transactional-bytes-store.js';
import type { ChangelogProducer } from './changelog-producer.js';
import { changelogPartitionId } from './changelog-topic.js';

/**
 * Options of a StoreChangelogger.
 *
 * @example
 * ```ts
 * const options: StoreChangeloggerOptions = { store, engine, topic: 'app-counts-changelog', partition: 3 };
 * ```
 */
export interface StoreChangeloggerOptions {
  /** The store as the task uses it (any kind). */
  store: StateStore;
  /** The engine the store was built over (it leads to the store's transaction buffer). */
  engine: StoreEngine;
  /** The changelog topic (see changelogTopicName). */
  topic: string;
  /** The changelog partition: the task's input partition. */
  partition: number;
}

/** The changelog records of one prepared commit, as their acknowledgements come in. */
class CommitRound {
  sent = 0;
  acknowledged = 0;
  lastOffset = -1;
  failure: Error | undefined = undefined;
  /** The store sealed the round's writes (see StoreChangelogger.seal). */
  sealed = false;
  /** One callback per round: a late answer for an aborted round never counts for the next. */
  readonly onDelivery = (error: Error | null, metadata: RecordMetadata | null): void => {
    if (error !== null) {
      this.failure ??= error;
      return;
    }
    this.acknowledged++;
    if (metadata!.offset > this.lastOffset) this.lastOffset = metadata!.offset;
  };
}

/**
 * Sends a store's committed changes to its changelog partition and commits the store with the
 * offset they reach.
 *
 * @example
 * ```ts
 * const changelogger = new StoreChangelogger({ store, engine, topic: changelogTopicName(appId, 'counts'), partition: 3 });
 * producer.beginTransaction();
 * // … process records, writing to the store …
 * await changelogger.prepareCommit(producer);
 * await producer.commitTransaction();
 * changelogger.commit(); // store.commit(new Map([['app-counts-changelog/3', lastOffset + 1]]))
 * ```
 * @throws IllegalStateError from the constructor when no transaction buffer was built over the
 * engine; see each method.
 */
export class StoreChangelogger {
  readonly partitionId: string;
  private readonly buffer: TransactionalBytesStore;
  private round: CommitRound | undefined = undefined;

  constructor(private readonly options: StoreChangeloggerOptions) {
    const buffer = TransactionalBytesStore.over(options.engine);
    if (buffer === undefined) {
      throw new IllegalStateError(
        `no store was built over the engine of ${JSON.stringify(options.engine.name)}; build the store first, then its changelogger`,
      );
    }
    this.buffer = buffer;
    this.partitionId = changelogPartitionId(options.topic, options.partition);
  }

  /** Records sent by the open commit. */
  get pendingRecords(): number {
    return this.round?.sent ?? 0;
  }

  /**
   * Flushes the store and appends every write of its open transaction to the changelog partition:
   * the key bytes and the value bytes, or a tombstone for a delete. Call inside the producer's open
   * transaction, before commitTransaction. Resolves when every record is batched (not yet
   * acknowledged); resolves with how many were sent.
   *
   * @throws IllegalStateError when called twice without commit or abort; whatever the producer's
   * append throws (such as TransactionAbortableError: abort the transaction and the store).
   */
  async prepareCommit(producer: ChangelogProducer): Promise<number> {
    if (this.round !== undefined) {
      throw new IllegalStateError(
        `changelog of store ${JSON.stringify(this.options.store.name)} is already prepared; commit() or abort() first`,
      );
    }
    const round = new CommitRound();
    this.round = round;
    this.options.store.flush();
    const writes: WriteOp[] = this.buffer.pendingWrites();
    const { topic, partition } = this.options;
    for (const w of writes) {
      const record = { topic, partition, key: w.key, value: w.value };
      round.sent++;
      if (producer.tryAppend?.(record, round.onDelivery) !== true)
        await producer.append(record, round.onDelivery);
    }
    return writes.length;
  }

  /**
   * Commits the store as far as it can before the log transaction ends: every layer commits, and
   * the transaction buffer seals the prepared writes, so the store takes the next transaction's
   * writes while this one ends. `commit()` confirms them once it has, `abort()` drops them.
   *
   * @example
   * ```ts
   * await changelogger.prepareCommit(producer);
   * changelogger.seal();
   * const ending = producer.commitTransaction(); // the task processes on meanwhile
   * await ending;
   * changelogger.commit();
   * ```
   * @throws IllegalStateError when not prepared, or when the store was written after prepareCommit
   * or while committing (those writes would be missing from the changelog).
   */
  seal(): void {
    const round = this.prepared();
    this.checkUnwritten(round);
    this.buffer.sealThrough(() => this.options.store.commit());
    if (this.buffer.sealedCount !== round.sent) {
      this.buffer.abort();
      throw new IllegalStateError(
        `store ${JSON.stringify(this.options.store.name)} sealed ${this.buffer.sealedCount} writes, not the ${round.sent} its changelog received (its commit wrote more)`,
      );
    }
    round.sealed = true;
  }

  /**
   * Applies the store's transaction atomically with the changelog offset after its last record
   * (or, after `seal`, confirms the sealed writes with it). Call once the producer's
   * commitTransaction has resolved (every record is acknowledged then).
   *
   * @throws IllegalStateError when not prepared, when a record is not acknowledged yet or failed
   * (the log transaction cannot have committed: abort instead), or when the store was written after
   * prepareCommit (those writes would be missing from the changelog).
   */
  commit(): void {
    const name = JSON.stringify(this.options.store.name);
    const round = this.prepared();
    if (round.failure !== undefined || round.acknowledged < round.sent) {
      throw new IllegalStateError(
        `store ${name}: ${round.acknowledged} of ${round.sent} changelog records are acknowledged` +
          `${round.failure === undefined ? '' : ` (${round.failure.message})`}; commit the store only after ` +
          "the producer's commitTransaction succeeded, otherwise abort it",
      );
    }
    const offsets = round.sent === 0 ? undefined : new Map([[this.partitionId, round.lastOffset + 1]]);
    if (round.sealed) {
      this.buffer.confirmSealed(offsets);
    } else {
      this.checkUnwritten(round);
      this.options.store.commit(offsets);
    }
    this.round = undefined;
  }

  private prepared(): CommitRound {
    if (this.round === undefined) {
      throw new IllegalStateError(
        `changelog of store ${JSON.stringify(this.options.store.name)} is not prepared; call prepareCommit first`,
      );
    }
    return this.round;
  }

  private checkUnwritten(round: CommitRound): void {
    if (this.buffer.pendingWrites().length !== round.sent) {
      throw new IllegalStateError(
        `store ${JSON.stringify(this.options.store.name)} was written after prepareCommit; finish processing before preparing the commit`,
      );
    }
  }

  /** Drops the store's open transaction, and sealed writes (call after the producer's abortTransaction). */
  abort(): void {
    this.round = undefined;
    this.options.store.abort();
  }
}
